/** One named check of a verification, as data. */
export interface Check {
  check: CheckName
  ok: boolean
  /** 'OK' when passed; a stable ERR_… code otherwise. */
  code: string
  message: string
  /** Index of the credential in the presentation, for per-credential checks. */
  credential?: number
}

export type CheckName =
  | 'proof'
  | 'holderSignature'
  | 'presentationValidity'
  | 'challenge'
  | 'domain'
  | 'credentialProof'
  | 'credentialSignature'
  | 'issuerResolved'
  | 'issuerAccredited'
  | 'schema'
  | 'status'
  | 'validity'
  | 'holderIsSubject'
  | 'requestedTypes'

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
  verified: boolean
}

export interface VerificationResult {
  verified: boolean
  checks: Check[]
  credentials: VerifiedCredentialSummary[]
  holder?: string | null
  /** The first failing check, for clients that want one code. */
  error?: { code: string; message: string }
}

export const pass = (check: CheckName, message: string, credential?: number): Check => ({ check, ok: true, code: 'OK', message, ...(credential === undefined ? {} : { credential }) })
export const fail = (check: CheckName, code: string, message: string, credential?: number): Check => ({ check, ok: false, code, message, ...(credential === undefined ? {} : { credential }) })

export function summarize(checks: Check[], credentials: VerifiedCredentialSummary[], holder?: string | null): VerificationResult {
  const failed = checks.find((c) => !c.ok)
  return {
    verified: !failed && checks.length > 0,
    checks,
    credentials,
    ...(holder === undefined ? {} : { holder }),
    ...(failed ? { error: { code: failed.code, message: failed.message } } : {}),
  }
}
