/**
 * `issuance-sd-jwt`: SD-JWT VC issuance through OpenID4VCI over HTTP (business licence, the market department),
 * against its limit measured in the same run: node:crypto ES256 signing of the same issuer-signed JWT (same
 * signing input, a P-256 key in hand, one core). Offers are made and resolved before timing; the timed part is
 * what the issue calls issuance: token request, nonce, credential request with a P-256 key proof.
 */
import { generateKeyPairSync, sign } from 'node:crypto'
import { JsonClient, runLoad, type LoadResult } from '../load.js'
import { readDemoDepartments } from '../holder.js'
import { atLeast, formatNumber as n, type BenchSection, profiledStart, callsPerSecond } from '../section.js'
import { sleep, startServiceProcess } from '../service-process.js'
import { windowed, withServerCpu } from './server-cpu.js'
import { createSdJwtWallet, credentialProblem, prepareOffers, receiveSdJwt } from './sdjwt-wallet.js'

const TARGET_RATIO = 0.5
const TARGET_SECONDS = 6
const LIMIT_MS = 1000

export const sdJwtIssuanceSection: BenchSection = {
  name: 'issuance-sd-jwt',
  async run(ctx) {
    const problems: string[] = []
    const service = await startServiceProcess(profiledStart(ctx))
    const client = new JsonClient(service.url, ctx.concurrency)
    try {
      const { market } = readDemoDepartments(service.dataDir)
      const wallet = createSdJwtWallet()
      const issueAll = async (
        count: number,
      ): Promise<{ load: LoadResult & { serverCpuMsPerItem?: number }; sample: string | undefined }> => {
        ctx.log(`  issuance-sd-jwt: preparing ${count} offers …`)
        const offers = await prepareOffers(client, market.apiKey, count, ctx.concurrency)
        client.reset()
        await sleep(200)
        let sample: string | undefined
        const load = await windowed(() =>
          withServerCpu(service.serverPid(), () =>
            runLoad(offers, ctx.concurrency, async (offer) => {
              const sdJwt = await receiveSdJwt(client, wallet, offer)
              sample ??= sdJwt
              return credentialProblem(sdJwt, wallet)
            }),
          ),
        )
        if (load.failures > 0) problems.push(`issuance-sd-jwt: ${load.failures} of ${load.count} failed, first: ${load.firstFailure}`)
        return { load, sample }
      }

      const warm = await issueAll(ctx.smoke ? 3 : 100)
      if (!warm.sample) throw new Error('no SD-JWT VC was issued in the warm-up')
      const count = ctx.smoke ? 5 : sized(warm.load.perSecond)
      const timed = await issueAll(count)

      // The limit: the same issuer-signed JWT's signing input, ES256 with node:crypto, key in hand.
      const issuerJwt = warm.sample.split('~')[0]!
      const signingInput = Buffer.from(issuerJwt.slice(0, issuerJwt.lastIndexOf('.')), 'ascii')
      const limit = timeEs256Signing(signingInput, ctx.smoke ? 100 : LIMIT_MS)
      const ratio = timed.load.perSecond / limit
      return {
        results: {
          http: timed.load,
          warmUp: warm.load,
          limit: { es256SignPerSecond: limit, signingInputBytes: signingInput.length, cores: 1 },
          ratio,
        },
        targets: [atLeast('SD-JWT VC issuance (OpenID4VCI token + nonce + credential) / node:crypto ES256 signing', ratio, TARGET_RATIO)],
        lines: [
          `issuance SD-JWT VC over OpenID4VCI  ${n(timed.load.perSecond)} /s   (${timed.load.count} in ${n(timed.load.seconds, 2)} s, p50 ${n(timed.load.p50Ms, 1)} ms, p99 ${n(timed.load.p99Ms, 1)} ms, failures ${timed.load.failures}, server CPU ${n(timed.load.serverCpuMsPerItem, 2)} ms each)`,
          `    limit: node:crypto ES256 sign of the same ${signingInput.length}-byte signing input, one core: ${n(limit)} /s → ratio ${n(ratio, 3)} (target ≥ ${TARGET_RATIO})`,
        ],
        problems,
      }
    } finally {
      client.close()
      await service.stop()
    }
  },
}

/** ES256 signatures per second of `data`, on this thread, with a fresh P-256 key. */
export function timeEs256Signing(data: Buffer, minMs: number): number {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return callsPerSecond(() => void sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }), minMs)
}

/** Credentials for a timed batch of about TARGET_SECONDS at the warm-up's rate. */
const sized = (rate: number) => Math.max(200, Math.min(5000, Math.round((rate * TARGET_SECONDS) / 100) * 100))
