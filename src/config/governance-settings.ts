import { getAddress, isAddress, ZeroAddress } from 'ethers'
import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Seconds a proposal stays open by default: 7 days. */
export const DEFAULT_PROPOSAL_LIFETIME_SECONDS = 7 * 24 * 3600
/** The contract's bounds for the proposal lifetime (60 s to 3650 days). */
export const MIN_PROPOSAL_LIFETIME_SECONDS = 60
export const MAX_PROPOSAL_LIFETIME_SECONDS = 3650 * 24 * 3600

/** The founding consortium that `govcred deploy` writes into ConsortiumGovernance. */
export interface GovernanceSettings {
  /**
   * Member accounts generated on the members' own machines (`govcred governance member-key`), checksummed
   * (GOVCRED_GOVERNANCE_MEMBERS, comma-separated). Empty: none given — only the demo then makes three local keys.
   */
  readonly members: readonly string[]
  /** Approvals needed to execute (GOVCRED_GOVERNANCE_THRESHOLD); a majority of the members when unset. */
  readonly threshold: number
  /** Seconds a proposal can be approved and executed (GOVCRED_GOVERNANCE_PROPOSAL_LIFETIME), fixed at deployment. */
  readonly proposalLifetimeSeconds: number
}

/** A majority: 2 of 3, 3 of 4, 3 of 5. */
export const majorityOf = (members: number): number => Math.floor(members / 2) + 1

/**
 * GOVCRED_GOVERNANCE_MEMBERS, GOVCRED_GOVERNANCE_THRESHOLD and GOVCRED_GOVERNANCE_PROPOSAL_LIFETIME; problems go to
 * `read.problems`. Without members the threshold is checked against the demo's three local keys.
 */
export function readGovernanceSettings(read: Reader): GovernanceSettings {
  const raw = read.string('GOVCRED_GOVERNANCE_MEMBERS')
  const members: string[] = []
  if (raw !== undefined) {
    const seen = new Set<string>()
    for (const entry of raw.split(',').map((s) => s.trim())) {
      if (!isAddress(entry) || getAddress(entry) === ZeroAddress) {
        read.problems.push(`GOVCRED_GOVERNANCE_MEMBERS must be comma-separated 0x addresses (got "${entry}")`)
        continue
      }
      const address = getAddress(entry)
      if (seen.has(address)) read.problems.push(`GOVCRED_GOVERNANCE_MEMBERS lists ${address} twice`)
      seen.add(address)
      members.push(address)
    }
  }
  const count = raw === undefined ? 3 : Math.max(members.length, 1)
  const thresholdRaw = read.string('GOVCRED_GOVERNANCE_THRESHOLD')
  let threshold = majorityOf(count)
  if (thresholdRaw !== undefined) {
    const value = Number(thresholdRaw)
    if (!Number.isInteger(value) || value < 1 || value > count) {
      read.problems.push(
        `GOVCRED_GOVERNANCE_THRESHOLD must be an integer between 1 and ${count}, the number of members${raw === undefined ? ' (three local keys in the demo)' : ''} (got "${thresholdRaw}")`,
      )
    } else {
      threshold = value
    }
  }
  const proposalLifetimeSeconds = read.int(
    'GOVCRED_GOVERNANCE_PROPOSAL_LIFETIME',
    DEFAULT_PROPOSAL_LIFETIME_SECONDS,
    MIN_PROPOSAL_LIFETIME_SECONDS,
    MAX_PROPOSAL_LIFETIME_SECONDS,
  )
  return Object.freeze({ members: Object.freeze(members), threshold, proposalLifetimeSeconds })
}
