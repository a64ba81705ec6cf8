/**
 * The pieces the issuance sections share: business-licence issue requests over HTTP, the raw signing limit
 * of the very JWT govcred signed, and the server's resident memory.
 *
 * @example
 * const bodies = licenceBodies(2000)
 * const http = await issueAll(client, department.apiKey, bodies, 16)
 * const limit = rawSigningRate(http.sampleJwt, 1000)   // node:crypto ES256K signs of the same input, per second
 */
import { generateKeyPairSync, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { ES256KSigner } from 'did-jwt'
import { businessLicenseClaims } from '../test/fixtures/claims.js'
import { runLoad, type JsonClient, type LoadResult } from './load.js'
import { callsPerSecond } from './section.js'

export interface IssueBatch {
  bodies: string[]
}

/** `n` business-licence issue requests, each to its own holder DID (bodies serialised before any timing). */
export function licenceBodies(n: number): string[] {
  const { id: _id, ...claims } = businessLicenseClaims()
  return Array.from({ length: n }, () =>
    JSON.stringify({
      type: 'BusinessLicenseCredential',
      holder: `did:ethr:govcred:0x${randomBytes(20).toString('hex')}`,
      claims,
    }),
  )
}

/** POST /v1/credentials for every body; only a 201 with a jwt counts. Keeps one issued JWT as a sample. */
export async function issueAll(
  client: JsonClient,
  apiKey: string,
  bodies: readonly string[],
  concurrency: number,
): Promise<LoadResult & { sampleJwt?: string }> {
  let sampleJwt: string | undefined
  const headers = { authorization: `Bearer ${apiKey}` }
  const result = await runLoad(bodies, concurrency, async (body) => {
    const res = await client.postRaw('/v1/credentials', body, headers)
    if (res.status !== 201) return `${res.status} ${res.text.slice(0, 300)}`
    if (sampleJwt === undefined) sampleJwt = (JSON.parse(res.text) as { jwt: string }).jwt
    return null
  })
  return { ...result, ...(sampleJwt ? { sampleJwt } : {}) }
}

/**
 * The limit: ES256K signatures per second over exactly the signing input of `jwt` (header.payload), one core,
 * key in hand — with node:crypto (OpenSSL, the fastest signer here) and, for reference, did-jwt's ES256KSigner.
 */
export async function rawSigningRates(jwt: string, minMs: number): Promise<{ nodeCrypto: number; didJwt: number }> {
  const input = Buffer.from(jwt.slice(0, jwt.lastIndexOf('.')))
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
  const nodeCrypto = callsPerSecond(() => void sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }), minMs)
  const didJwtSigner = ES256KSigner(randomBytes(32))
  const signingInput = jwt.slice(0, jwt.lastIndexOf('.'))
  // did-jwt's signer is async (a resolved promise): time it in batches awaited together.
  const started = performance.now()
  let count = 0
  while (performance.now() - started < minMs) {
    await Promise.all(Array.from({ length: 25 }, () => didJwtSigner(signingInput)))
    count += 25
  }
  return { nodeCrypto, didJwt: count / ((performance.now() - started) / 1000) }
}

/** Resident set size of a process in MiB (Linux /proc), or undefined. */
export function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined
  try {
    const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return line ? Number(line[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}
