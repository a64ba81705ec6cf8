import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Issuance settings beyond the status batch size. */
export interface IssuanceSettings {
  /**
   * Whether POST /credentials/issue signs generic credentials (the base type VerifiableCredential only, claims
   * of the caller's choosing) for keys scoped for VerifiableCredential (GOVCRED_GENERIC_ISSUANCE). On by
   * default only in the embedded demo (the W3C VC-API test suite sends such credentials); off otherwise.
   */
  readonly genericIssuance: boolean
}

/**
 * @example
 * const { genericIssuance } = readIssuanceSettings(read, { embeddedDemo: mode === 'embedded' && demo })
 */
export function readIssuanceSettings(read: Reader, defaults: { embeddedDemo: boolean }): IssuanceSettings {
  return { genericIssuance: read.bool('GOVCRED_GENERIC_ISSUANCE', defaults.embeddedDemo) }
}
