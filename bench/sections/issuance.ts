/**
 * Issuance over HTTP (POST /v1/credentials, business licence) against the raw signing rate of the same
 * credential with the fastest signer available here (node:crypto ES256K, one core, key in hand).
 */
import { issueAll, licenceBodies, rawSigningRates, rssMiB } from '../issuance-load.js'
import { readDemoDepartments } from '../holder.js'
import { JsonClient } from '../load.js'
import { atLeast, formatNumber as n, intEnv, windowed, type BenchSection, profiledStart } from '../section.js'
import { startServiceProcess } from '../service-process.js'

const TARGET_RATIO = 0.5

export const issuanceSection: BenchSection = {
  name: 'issuance',
  async run(ctx) {
    const service = await startServiceProcess(profiledStart(ctx))
    const client = new JsonClient(service.url, ctx.concurrency)
    try {
      const { market } = readDemoDepartments(service.dataDir)
      const warm = await issueAll(client, market.apiKey, licenceBodies(ctx.smoke ? 10 : 300), ctx.concurrency)
      if (!warm.sampleJwt) throw new Error(`issuance warm-up failed: ${warm.firstFailure}`)
      const count = ctx.smoke ? 20 : intEnv('BENCH_ISSUE_N', Math.max(1000, Math.min(20_000, Math.round(warm.perSecond * 8))))
      const bodies = licenceBodies(count)
      ctx.log(`issuance: ${count} business licences at concurrency ${ctx.concurrency} …`)
      const rssBefore = rssMiB(service.serverPid())
      const http = await windowed(() => issueAll(client, market.apiKey, bodies, ctx.concurrency))
      const rssAfter = rssMiB(service.serverPid())
      client.reset()
      ctx.log('issuance: raw signing of the same credential …')
      const raw = await rawSigningRates(http.sampleJwt ?? warm.sampleJwt, ctx.smoke ? 100 : 1500)
      const { sampleJwt: _s, ...httpResult } = http
      const problems = http.failures > 0 ? [`issuance: ${http.failures} of ${http.count} failed, first: ${http.firstFailure}`] : []
      const ratio = http.perSecond / raw.nodeCrypto
      return {
        results: { http: httpResult, raw, ratio, rssMiB: { before: rssBefore, after: rssAfter }, jwtBytes: warm.sampleJwt.length },
        targets: [atLeast('issuance over HTTP / raw node:crypto ES256K signing (one core)', ratio, TARGET_RATIO)],
        lines: [
          `issuance POST /v1/credentials      ${n(http.perSecond).padStart(7)} /s   p50 ${n(http.p50Ms, 1)} ms  p99 ${n(http.p99Ms, 1)} ms  (${http.count}, failures ${http.failures})`,
          `    raw ES256K signing of the same JWT: node:crypto ${n(raw.nodeCrypto)} /s · did-jwt ${n(raw.didJwt)} /s   ratio ${n(ratio, 2)} (target ≥ ${TARGET_RATIO})`,
        ],
        problems,
      }
    } finally {
      client.close()
      await service.stop()
    }
  },
}
