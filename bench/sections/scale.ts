/**
 * Issuance with a million credentials in the store: the rate of business-licence issuance over HTTP on a
 * fresh store, then again after the store was filled to BENCH_SCALE_TOTAL (1,000,000) records with their
 * audit entries (bench/fill-store.ts) and the service restarted on it; the server's RSS after each; and the
 * latency of the department's list and search queries at that size.
 */
import { join } from 'node:path'
import { fillStore } from '../fill-store.js'
import { issueAll, licenceBodies, rssMiB } from '../issuance-load.js'
import { readDemoDepartments } from '../holder.js'
import { JsonClient, runLoad, type LoadResult } from '../load.js'
import { atLeast, formatNumber as n, intEnv, windowed, type BenchContext, type BenchSection } from '../section.js'
import { startServiceProcess, type ServiceProcess } from '../service-process.js'

const TARGET_END_TO_START = 0.8

async function measure(ctx: BenchContext, service: ServiceProcess, count: number) {
  const client = new JsonClient(service.url, ctx.concurrency)
  try {
    const { market } = readDemoDepartments(service.dataDir)
    const warm = await issueAll(client, market.apiKey, licenceBodies(Math.min(300, count)), ctx.concurrency)
    if (warm.failures > 0) throw new Error(`issuance warm-up failed: ${warm.firstFailure}`)
    const { sampleJwt: _s, ...issued } = await windowed(() => issueAll(client, market.apiKey, licenceBodies(count), ctx.concurrency))
    const queries = await listQueries(client, market.apiKey)
    return { issued, queries, rssMiB: rssMiB(service.serverPid()) }
  } finally {
    client.close()
  }
}

/** GET /v1/credentials pages (newest first, by holder, by status, by issuance dates), 200 of each, p50/p99. */
async function listQueries(client: JsonClient, apiKey: string): Promise<Record<string, LoadResult>> {
  const headers = { authorization: `Bearer ${apiKey}` }
  const year = new Date(Date.now() - 180 * 86_400_000).toISOString()
  const paths = {
    newest: '/v1/credentials?limit=50',
    byHolder: `/v1/credentials?holder=${encodeURIComponent('did:ethr:govcred:0x0000000000000000000000000000000000001234')}`,
    byStatus: '/v1/credentials?status=revoked&limit=50',
    byType: '/v1/credentials?type=BusinessLicenseCredential&limit=50',
    issuedWindow: `/v1/credentials?issuedFrom=${encodeURIComponent(year)}&limit=50`,
  }
  const out: Record<string, LoadResult> = {}
  for (const [name, path] of Object.entries(paths)) {
    out[name] = await runLoad(Array.from({ length: 200 }), 4, async () => {
      const res = await client.getRaw(path, headers)
      return res.status === 200 ? null : `${res.status} ${res.text.slice(0, 200)}`
    })
  }
  return out
}

export const scaleSection: BenchSection = {
  name: 'scale',
  async run(ctx) {
    const total = ctx.smoke ? 2_000 : intEnv('BENCH_SCALE_TOTAL', 1_000_000)
    const count = ctx.smoke ? 20 : intEnv('BENCH_SCALE_ISSUE_N', 4000)
    let service = await startServiceProcess()
    const dataDir = service.dataDir
    try {
      ctx.log(`scale: issuing ${count} on a fresh store …`)
      const start = await measure(ctx, service, count)
      await service.stop({ keepData: true })
      ctx.log(`scale: filling the store to ${total.toLocaleString('en-US')} credentials …`)
      const filling = performance.now()
      const fill = await fillStore(join(dataDir, 'govcred.sqlite'), total, (rows) => {
        if (rows % 200_000 < 50_000) ctx.log(`  ${rows.toLocaleString('en-US')} records`)
      })
      const fillSeconds = (performance.now() - filling) / 1000
      const restarting = performance.now()
      service = await startServiceProcess({ dataDir })
      const restartSeconds = (performance.now() - restarting) / 1000
      ctx.log(`scale: issuing ${count} with ${total.toLocaleString('en-US')} in the store …`)
      const end = await measure(ctx, service, count)
      const ratio = end.issued.perSecond / start.issued.perSecond
      const problems = [start, end].flatMap((m, i) =>
        m.issued.failures > 0
          ? [`${i === 0 ? 'start' : 'end'}: ${m.issued.failures} of ${m.issued.count} failed, first: ${m.issued.firstFailure}`]
          : [],
      )
      const slowest = Object.entries(end.queries).sort((a, b) => b[1].p99Ms - a[1].p99Ms)[0]
      return {
        results: { total, added: fill.added, fillSeconds, restartSeconds, start, end, endToStart: ratio },
        targets: [atLeast(`issuance with ${n(total)} stored / on a fresh store`, ratio, TARGET_END_TO_START)],
        lines: [
          `scale: issuance ${n(start.issued.perSecond)} /s on a fresh store → ${n(end.issued.perSecond)} /s with ${n(total)} stored (×${n(ratio, 2)}); server RSS ${n(start.rssMiB)} → ${n(end.rssMiB)} MiB`,
          `    list/search at ${n(total)}: ${Object.entries(end.queries)
            .map(([name, r]) => `${name} p50 ${n(r.p50Ms, 1)} ms`)
            .join(' · ')}; slowest p99 ${slowest ? `${slowest[0]} ${n(slowest[1].p99Ms, 1)} ms` : '—'}`,
          `    filled ${n(fill.added)} records with audit entries in ${n(fillSeconds, 1)} s; restart on it ${n(restartSeconds, 1)} s`,
        ],
        problems,
      }
    } finally {
      await service.stop()
    }
  },
}
