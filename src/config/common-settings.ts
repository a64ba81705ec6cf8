import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** Where a node listens and what it calls itself; shared by the full node and verifier-only mode. */
export interface HttpSettings {
  readonly port: number
  readonly host: string
  /** The URL others reach this node at (GOVCRED_PUBLIC_URL); derived from host and port when absent. */
  readonly publicUrl: string
  /** One log line per HTTP request. */
  readonly accessLog: boolean
}

/** How the verifying side judges presentations; shared by both modes. */
export interface VerifierSettings {
  /** The domain presentations must be addressed to (their aud). */
  readonly domain: string
  readonly maxStalenessMs: number
  readonly pollMs: number
  readonly requireCurrentAccreditation: boolean
}

export function readHttpSettings(read: Reader, defaultPort: number): HttpSettings {
  const port = read.int('PORT', defaultPort, 0, 65535)
  const host = read.string('HOST') ?? '127.0.0.1'
  const publicUrl = read.string('GOVCRED_PUBLIC_URL') ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`
  return { port, host, publicUrl, accessLog: read.bool('GOVCRED_ACCESS_LOG', true) }
}

export function readVerifierSettings(read: Reader, publicUrl: string): VerifierSettings {
  let domain = read.string('GOVCRED_VERIFIER_DOMAIN') ?? ''
  if (!domain) {
    try {
      domain = new URL(publicUrl).host
    } catch {
      read.problems.push(`GOVCRED_PUBLIC_URL must be a URL (got "${publicUrl}")`)
    }
  }
  return {
    domain,
    maxStalenessMs: read.int('GOVCRED_MAX_STALENESS_MS', 15_000, 1000, 3_600_000),
    pollMs: read.int('GOVCRED_CHAIN_POLL_MS', 250, 50, 60_000),
    requireCurrentAccreditation: read.bool('GOVCRED_REQUIRE_CURRENT_ACCREDITATION', false),
  }
}

/** The DID network name (did:ethr:<name>:0x…): lowercase letters, digits and dashes. */
export function readNetworkName(read: Reader, fallback: string): string {
  const networkName = read.string('GOVCRED_NETWORK_NAME') ?? fallback
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(networkName)) {
    read.problems.push(`GOVCRED_NETWORK_NAME must be lowercase letters, digits and dashes (got "${networkName}")`)
  }
  return networkName
}

/** An http(s) JSON-RPC URL, or undefined when the variable is unset. */
export function readHttpUrl(read: Reader, name: string): string | undefined {
  const url = read.string(name)
  if (url !== undefined && !/^https?:\/\/.+/.test(url)) read.problems.push(`${name} must be an http(s) URL (got "${url}")`)
  return url
}
