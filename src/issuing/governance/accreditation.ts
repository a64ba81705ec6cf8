import { randomBytes, hexlify } from 'ethers'
import { credentialTypeHash } from '../../chain/registries/credential-type-hash.js'
import type { Department } from '../departments/department-store.js'
import { saltOf, type GovernanceAction } from './governance-proposals.js'

export const OPEN_ENDED = 2n ** 64n - 1n

/** The governance action that accredits a department for its credential types. */
export function registerIssuerAction(
  trustedIssuers: string,
  department: Department,
  window: { validFrom?: number; validUntil?: bigint } = {},
): GovernanceAction {
  return {
    contract: 'TrustedIssuerRegistry',
    target: trustedIssuers,
    method: 'registerIssuer',
    args: [
      department.account,
      department.name,
      department.unifiedSocialCreditCode,
      department.credentialTypes.map(credentialTypeHash),
      BigInt(window.validFrom ?? 0),
      window.validUntil ?? OPEN_ENDED,
    ],
    // An issuer is registered once, so the salt can be fixed: a retried start finds the same proposal.
    salt: saltOf(`registerIssuer:${department.account.toLowerCase()}`),
    label: `accredit ${department.id} for ${department.credentialTypes.join(', ')}`,
  }
}

export type AccreditationChange = 'suspendIssuer' | 'reinstateIssuer' | 'revokeIssuer'

/** A status change of an accreditation; each call gets a fresh salt (suspensions can repeat). */
export function accreditationChangeAction(
  trustedIssuers: string,
  account: string,
  change: AccreditationChange,
  salt?: string,
): GovernanceAction {
  return {
    contract: 'TrustedIssuerRegistry',
    target: trustedIssuers,
    method: change,
    args: [account],
    salt: salt ?? hexlify(randomBytes(32)),
    label: `${change} ${account}`,
  }
}
