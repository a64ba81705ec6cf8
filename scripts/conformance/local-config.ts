/**
 * The `localConfig.cjs` that `npm run conformance` writes into each W3C CCG suite's working copy: the suites'
 * shared library (`vc-test-suite-implementations`) reads it from the suite's root (found with app-root-path)
 * and, when it defines implementations, tests only those. One implementation, "govcred": its issuer (the
 * department's DID as `id`, the department's API key sent as a header on every request) and its verifier,
 * both tagged `vc-api` (the issuer suite's 10-issuer.js, the verifier suite's Data Integrity files) and `JWT`
 * (11-issuer-jwt.js, 11-vc-jwt.js).
 */

export const IMPLEMENTATION_NAME = 'govcred'
export const TAGS = ['vc-api', 'JWT'] as const

export interface LocalConfigInput {
  /** The service's base URL, e.g. http://127.0.0.1:39123 */
  baseUrl: string
  /** The issuing department's DID: the suites put it in `credential.issuer`. */
  issuerDid: string
  /** A department API key that may issue generic (VerifiableCredential) credentials. */
  apiKey: string
}

/** The settings object the suites' library expects (see vc-test-suite-implementations, README "Testing locally"). */
export function localConfig({ baseUrl, issuerDid, apiKey }: LocalConfigInput) {
  return {
    settings: { enableInteropTests: false, testAllImplementations: false },
    implementations: [
      {
        name: IMPLEMENTATION_NAME,
        implementation: 'govcred (this checkout)',
        issuers: [
          {
            id: issuerDid,
            endpoint: `${baseUrl}/credentials/issue`,
            // lib/Endpoint.js sends settings.headers with every request of this endpoint.
            headers: { Authorization: `Bearer ${apiKey}` },
            tags: [...TAGS],
          },
        ],
        verifiers: [
          {
            id: `${baseUrl}/credentials/verify`,
            endpoint: `${baseUrl}/credentials/verify`,
            tags: [...TAGS],
          },
        ],
      },
    ],
  }
}

/** The file's text: CommonJS, as the library `require`s it. */
export function localConfigSource(input: LocalConfigInput): string {
  return [
    '// Written by `npm run conformance` (scripts/conformance/local-config.ts) for one run against a throwaway',
    '// govcred service; rewritten on every run.',
    `module.exports = ${JSON.stringify(localConfig(input), null, 2)}`,
    '',
  ].join('\n')
}
