import type { JsonRpcProvider } from 'ethers'
import type { ContractAddresses } from '../config/deployments-file.js'
import type { ChainWriter, OutboxEntry, ReconcileReport } from './chain-writer.js'
import { missingContracts } from './deploy-contracts.js'

export interface CatchUpDeps {
  writer: ChainWriter
  provider: JsonRpcProvider
  contracts: ContractAddresses
  /** Deploys the registries again at their predicted addresses (deployContracts resumes from what is there). */
  redeploy: () => Promise<void>
  /** Saves the embedded chain's state (once, after everything was re-applied). */
  durable: () => Promise<void>
  log: (line: string, fields?: Record<string, unknown>) => void
  warn: (line: string, fields?: Record<string, unknown>) => void
}

export interface ReplayedKind {
  kind: string
  replayed: number
  /** Refused by the chain now (the entry is marked failed). */
  failed: number
  /** No key for the sending account on this node: left as it is. */
  noSigner: number
}

export interface CatchUpReport {
  /** Registries that had no code and were deployed again. */
  redeployed: (keyof ContractAddresses)[]
  /** Confirmed writes the chain had lost, re-applied in their original order; one entry per kind. */
  replayed: ReplayedKind[]
  /** The outbox's open (pending or sent) entries, settled afterwards. */
  open: ReconcileReport
  ms: number
}

/** What a write is, in an operator's words, by contract and method. */
export function writeKind(entry: Pick<OutboxEntry, 'contract' | 'method'>): string {
  switch (entry.contract) {
    case 'ConsortiumGovernance':
      // Accreditations, schema publications and member changes are governance proposals executed by the last approval.
      return `governance ${entry.method} (accreditations, schemas, members)`
    case 'CredentialStatusRegistry':
      return entry.method.toLowerCase().includes('audit') ? 'audit anchors' : 'status bits'
    case 'AnchorRegistry':
      return 'property anchors'
    case 'EthereumDIDRegistry':
      return 'DID changes'
    default:
      return `${entry.contract}.${entry.method}`
  }
}

/**
 * Catches the embedded chain up with the database's record of its writes, at start and after the node was
 * restarted: redeploys registries the chain lacks (same addresses), re-sends each confirmed write whose
 * transaction the chain does not know, in the order they were mined and — where the chain allows — at their
 * original block time, then settles the outbox's open entries. New writes wait until it is done.
 */
export async function catchUpChain(deps: CatchUpDeps): Promise<CatchUpReport> {
  const { writer, provider } = deps
  return writer.exclusive(async () => {
    const began = Date.now()
    writer.resetNonces()
    const redeployed = await missingContracts(provider, deps.contracts)
    if (redeployed.length > 0) {
      deps.warn(`the chain lacks ${redeployed.length} registries (${redeployed.join(', ')}): deploying them again at their addresses`)
      await deps.redeploy()
      const still = await missingContracts(provider, deps.contracts)
      if (still.length > 0) throw new Error(`after redeploying, the chain still lacks ${still.join(', ')}`)
    }
    const lost = await writer.lostConfirmed()
    const kinds = new Map<string, ReplayedKind>()
    if (lost.length > 0) {
      deps.warn(`the chain lacks ${lost.length} confirmed writes of the outbox: re-applying them in their order`)
      // One save at the end instead of one per write: an interrupted catch-up is simply found and done again.
      writer.setDurable(undefined)
      try {
        for (const entry of lost) {
          const kind = writeKind(entry)
          const counts = kinds.get(kind) ?? { kind, replayed: 0, failed: 0, noSigner: 0 }
          kinds.set(kind, counts)
          const outcome = await writer.replay(entry.id, () => originalTime(provider, entry.blockTimestamp))
          if (outcome === 'confirmed') counts.replayed++
          else if (outcome === 'failed') counts.failed++
          else counts.noSigner++
        }
      } finally {
        writer.setDurable(deps.durable)
      }
    }
    const open = await writer.reconcile()
    // A rebuilt chain's clock ran from the original deployment time: bring it back to now for what follows.
    if (redeployed.length > 0) await clockToNow(provider)
    if (redeployed.length > 0 || lost.length > 0) await deps.durable()
    for (const counts of kinds.values()) {
      const line = `caught up: re-applied ${counts.replayed} ${counts.kind}`
      if (counts.failed + counts.noSigner > 0) deps.warn(line, { refusedByChain: counts.failed, noKeyOnThisNode: counts.noSigner })
      else deps.log(line)
    }
    return { redeployed, replayed: [...kinds.values()], open, ms: Date.now() - began }
  })
}

/** Gives the next block the write's original timestamp when the chain's head is older (Anvil's evm_setNextBlockTimestamp). */
async function originalTime(provider: JsonRpcProvider, timestamp: number | null): Promise<void> {
  if (!timestamp) return
  const head = await provider.getBlock('latest')
  if (!head || timestamp <= head.timestamp) return
  await provider.send('evm_setNextBlockTimestamp', [timestamp]).catch(() => undefined)
}

/** Mines one empty block at the current time when the chain's head is older (Anvil keeps its clock from there). */
async function clockToNow(provider: JsonRpcProvider): Promise<void> {
  const head = await provider.getBlock('latest')
  const now = Math.floor(Date.now() / 1000)
  if (!head || head.timestamp >= now) return
  await provider.send('evm_setNextBlockTimestamp', [now])
  await provider.send('evm_mine', [])
}
