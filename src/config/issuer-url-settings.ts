import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Most issuing nodes a verifier-only node names in one OpenID4VP request. */
export const MAX_ISSUER_URLS = 10

/**
 * GOVCRED_ISSUER_URLS: the public URLs (their GOVCRED_PUBLIC_URL) of the consortium's issuing nodes, comma
 * separated. An SD-JWT VC names its type as `<issuing node>/vct/<Type>` and a wallet matches a DCQL query's
 * `vct_values` exactly, so a verifier-only node's OpenID4VP requests must list the types under the issuers'
 * URLs, not its own. Empty (the default): this node's OpenID4VP requests are refused with a hint to set it.
 *
 * @example
 * readIssuerUrls(read) // GOVCRED_ISSUER_URLS=https://creds.city.gov.cn → ['https://creds.city.gov.cn']
 */
export function readIssuerUrls(read: Reader): readonly string[] {
  const raw = read.string('GOVCRED_ISSUER_URLS')
  if (raw === undefined) return Object.freeze([])
  const urls = raw
    .split(',')
    .map((entry) => entry.trim().replace(/\/+$/, ''))
    .filter((entry) => entry !== '')
  for (const url of urls) {
    let parsed: URL | undefined
    try {
      parsed = new URL(url)
    } catch {
      parsed = undefined
    }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.search || parsed.hash)
      read.problems.push(`GOVCRED_ISSUER_URLS must list http(s) URLs without query or fragment (got "${url}")`)
  }
  if (urls.length > MAX_ISSUER_URLS) read.problems.push(`GOVCRED_ISSUER_URLS lists at most ${MAX_ISSUER_URLS} URLs (got ${urls.length})`)
  return Object.freeze([...new Set(urls)])
}
