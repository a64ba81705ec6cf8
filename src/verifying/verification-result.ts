import type { CheckCode, CheckCodeOf, CheckName } from './check-codes.js'
import { counts, type CheckSelection } from './check-selection.js'

export type { CheckCode, CheckName }

/** One named check of a verification, as data. */
export interface Check {
  check: CheckName
  ok: boolean
  /** 'OK' when passed; one of the check's codes (see CHECKS) otherwise. */
  code: 'OK' | CheckCode
  message: string
  /** Index of the credential in the presentation, for per-credential checks. */
  credential?: number
}

export interface VerifiedCredentialSummary {
  index: number
  id: string | null
  types: string[]
  issuer: string | null
  issuerName: string | null
  subject: string | null
  claims: Record<string, unknown>
  validFrom: string | null
  validUntil: string | null
  /** Whether the issuer is accredited on chain for this type (false also when not checked: signature failed). */
  issuerAccredited: boolean
  verified: boolean
  /**
   * An SD-JWT VC's place in its issuer's status list (`status.status_list`): with the issuer, it names the one
   * credential, which has no id of its own.
   */
  statusReference?: { uri: string; idx: number }
}

export interface VerificationResult {
  verified: boolean
  checks: Check[]
  credentials: VerifiedCredentialSummary[]
  holder?: string | null
  /** The first failing check that counts, for clients that want one code. */
  error?: { code: CheckCode | 'OK'; message: string }
  /** With `options.checks`: the optional checks asked for (see CheckSelection). */
  requestedChecks?: CheckName[]
  /** Checks that ran and failed but do not count under the caller's selection (e.g. issuerAccredited). */
  warnings?: Check[]
}

export const pass = (check: CheckName, message: string, credential?: number): Check => ({
  check,
  ok: true,
  code: 'OK',
  message,
  ...(credential === undefined ? {} : { credential }),
})
export const fail = <C extends CheckName>(check: C, code: CheckCodeOf<C>, message: string, credential?: number): Check => ({
  check,
  ok: false,
  code,
  message,
  ...(credential === undefined ? {} : { credential }),
})

export function summarize(
  checks: Check[],
  credentials: VerifiedCredentialSummary[],
  holder?: string | null,
  selection: CheckSelection = null,
): VerificationResult {
  const failed = checks.find((c) => !c.ok && counts(selection, c.check))
  const warnings = checks.filter((c) => !c.ok && !counts(selection, c.check))
  return {
    verified: !failed && checks.length > 0,
    checks,
    credentials,
    ...(holder === undefined ? {} : { holder }),
    ...(failed ? { error: { code: failed.code, message: failed.message } } : {}),
    ...(selection === null ? {} : { requestedChecks: [...selection] }),
    ...(warnings.length > 0 ? { warnings } : {}),
  }
}

/** The summary of a credential not (yet) opened: nothing known of it, nothing verified. */
export function unopenedSummary(index: number): VerifiedCredentialSummary {
  return {
    index,
    id: null,
    types: [],
    issuer: null,
    issuerName: null,
    subject: null,
    claims: {},
    validFrom: null,
    validUntil: null,
    issuerAccredited: false,
    verified: false,
  }
}
