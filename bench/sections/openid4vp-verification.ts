/**
 * `verification-openid4vp`: OpenID4VP response verification over HTTP (direct_post; one SD-JWT VC business
 * licence received through OpenID4VCI, two of its claims disclosed, a KB-JWT), against its limit measured in
 * the same run: node:crypto ES256 verification of exactly the signatures a response holds (the issuer-signed
 * JWT and the KB-JWT), keys in hand, on every core at once (worker threads). The demo bank makes the requests
 * and the wallet prepares its answers before timing; the timed part is the POSTs to the response_uri.
 */
import { X509Certificate } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { JsonClient, runLoad, type LoadResult } from '../load.js'
import { readDemoDepartments } from '../holder.js'
import { atLeast, formatNumber as n, type BenchSection, profiledStart } from '../section.js'
import { sleep, startServiceProcess } from '../service-process.js'
import { windowed, withServerCpu } from './server-cpu.js'
import { createSdJwtWallet, credentialProblem, decodeJwtParts, prepareOffers, receiveSdJwt, type SdJwtWallet } from './sdjwt-wallet.js'

const TARGET_RATIO = 0.5
const TARGET_SECONDS = 6
const LIMIT_MS = 1500
const BANK = 'demo-bank-of-nanjing'
const DISCLOSED = ['enterpriseName', 'unifiedSocialCreditCode']
const REQUEST_BODY = JSON.stringify({
  protocol: 'openid4vp',
  credentials: [{ id: 'licence', type: 'BusinessLicenseCredential', claims: DISCLOSED }],
  purpose: { 'zh-CN': '贷款审核（基准）', en: 'Loan check (bench)' },
})

interface PreparedResponse {
  id: string
  path: string
  form: string
}

export const openid4vpVerificationSection: BenchSection = {
  name: 'verification-openid4vp',
  async run(ctx) {
    const problems: string[] = []
    const service = await startServiceProcess(profiledStart(ctx))
    const client = new JsonClient(service.url, ctx.concurrency)
    try {
      const { market } = readDemoDepartments(service.dataDir)
      const bankKey = (
        JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')) as { relyingParties: { id: string; apiKey: string }[] }
      ).relyingParties.find((p) => p.id === BANK)?.apiKey
      if (!bankKey) throw new Error(`demo.json has no relying party ${BANK}`)
      const wallet = createSdJwtWallet()
      const [offer] = await prepareOffers(client, market.apiKey, 1, 1)
      const licence = await receiveSdJwt(client, wallet, offer!)
      const wrong = credentialProblem(licence, wallet)
      if (wrong) throw new Error(wrong)

      const verifyAll = async (count: number, sampleResults: number) => {
        ctx.log(`  verification-openid4vp: preparing ${count} requests and responses …`)
        const prepared = await prepareResponses(client, bankKey, wallet, licence, count, ctx.concurrency)
        client.reset()
        await sleep(200)
        const load = await windowed(() =>
          withServerCpu(service.serverPid(), () =>
            runLoad(prepared, ctx.concurrency, async ({ path, form }) => {
              const res = await client.postRaw(path, form, { 'content-type': 'application/x-www-form-urlencoded' })
              return res.status === 200 ? null : `${res.status} ${res.text.slice(0, 300)}`
            }),
          ),
        )
        if (load.failures > 0)
          problems.push(`verification-openid4vp: ${load.failures} of ${load.count} failed, first: ${load.firstFailure}`)
        const step = Math.max(1, Math.floor(prepared.length / sampleResults))
        for (let i = 0; i < prepared.length; i += step) {
          const problem = await resultProblem(service.url, bankKey, prepared[i]!.id)
          if (problem) {
            problems.push(`verification-openid4vp: request ${prepared[i]!.id}: ${problem}`)
            break
          }
        }
        return { load, sample: prepared[0]! }
      }

      const warm = await verifyAll(ctx.smoke ? 3 : 100, 3)
      const count = ctx.smoke ? 5 : sized(warm.load.perSecond)
      const timed = await verifyAll(count, ctx.smoke ? 5 : 20)

      // The limit: the two ES256 signatures of one response, keys in hand, on all cores at once.
      const presentation = (JSON.parse(new URLSearchParams(timed.sample.form).get('vp_token')!) as Record<string, string[]>).licence![0]!
      const issuerJwt = presentation.split('~')[0]!
      const kbJwt = presentation.slice(presentation.lastIndexOf('~') + 1)
      const leaf = new X509Certificate(Buffer.from(decodeJwtParts(issuerJwt).header.x5c[0], 'base64'))
      const jobs = [
        { jws: issuerJwt, spki: leaf.publicKey.export({ format: 'der', type: 'spki' }) },
        { jws: kbJwt, spki: wallet.publicKey.export({ format: 'der', type: 'spki' }) },
      ]
      const cores = availableParallelism()
      const perCore = await verifyOnAllCores(jobs, cores, ctx.smoke ? 100 : LIMIT_MS)
      const limit = perCore.reduce((a, b) => a + b, 0)
      const ratio = timed.load.perSecond / limit
      return {
        results: {
          http: timed.load,
          warmUp: warm.load,
          limit: { responsesPerSecond: limit, perThread: perCore, threads: cores, signaturesPerResponse: jobs.length },
          ratio,
        },
        targets: [atLeast('OpenID4VP response verification (SD-JWT VC + KB-JWT) / node:crypto ES256 on all cores', ratio, TARGET_RATIO)],
        lines: [
          `verification OpenID4VP direct_post  ${n(timed.load.perSecond)} /s   (${timed.load.count} in ${n(timed.load.seconds, 2)} s, p50 ${n(timed.load.p50Ms, 1)} ms, p99 ${n(timed.load.p99Ms, 1)} ms, failures ${timed.load.failures}, server CPU ${n(timed.load.serverCpuMsPerItem, 2)} ms each)`,
          `    limit: node:crypto ES256 verify of issuer JWT + KB-JWT on ${cores} threads: ${n(limit)} responses/s (${perCore.map((x) => n(x)).join(' + ')}) → ratio ${n(ratio, 3)} (target ≥ ${TARGET_RATIO})`,
        ],
        problems,
      }
    } finally {
      client.close()
      await service.stop()
    }
  },
}

/** `n` requests by the bank, each answered by the wallet (its request object read for nonce, client_id, response_uri). */
async function prepareResponses(
  client: JsonClient,
  bankKey: string,
  wallet: SdJwtWallet,
  licence: string,
  n: number,
  concurrency: number,
): Promise<PreparedResponse[]> {
  const prepared: PreparedResponse[] = new Array(n)
  const made = await runLoad(
    Array.from({ length: n }, (_, i) => i),
    concurrency,
    async (i) => {
      const res = await client.postRaw('/v1/presentation-requests', REQUEST_BODY, { authorization: `Bearer ${bankKey}` })
      if (res.status !== 201) return `POST /v1/presentation-requests → ${res.status} ${res.text.slice(0, 300)}`
      const created = JSON.parse(res.text) as { id: string; requestUri: string }
      const object = await client.get(new URL(created.requestUri).pathname)
      if (object.status !== 200 || typeof object.body !== 'string') return `GET the request object → ${object.status}`
      const { payload } = decodeJwtParts(object.body)
      const vpToken = JSON.stringify({ licence: [wallet.present(licence, DISCLOSED, { nonce: payload.nonce, aud: payload.client_id })] })
      prepared[i] = {
        id: created.id,
        path: new URL(payload.response_uri).pathname,
        form: new URLSearchParams({ vp_token: vpToken, state: payload.state }).toString(),
      }
      return null
    },
  )
  if (made.failures > 0) throw new Error(`preparing OpenID4VP responses failed: ${made.firstFailure}`)
  return prepared
}

/** What the bank reads of an answered request: verified, and only the claims it asked for. */
async function resultProblem(baseUrl: string, bankKey: string, id: string): Promise<string | null> {
  const res = await fetch(`${baseUrl}/v1/presentation-requests/${id}`, { headers: { authorization: `Bearer ${bankKey}` } })
  const body = (await res.json()) as {
    state?: string
    result?: { verified?: boolean; checks?: { ok: boolean; code?: string }[]; credentials?: { claims?: Record<string, unknown> }[] }
  }
  if (res.status !== 200 || body.state !== 'answered') return `GET → ${res.status}, state ${body.state}`
  if (body.result?.verified !== true)
    return `not verified: ${(body.result?.checks ?? [])
      .filter((c) => !c.ok)
      .map((c) => c.code)
      .join(', ')}`
  const claims = Object.keys(body.result.credentials?.[0]?.claims ?? {}).sort()
  return claims.join(',') === [...DISCLOSED].sort().join(',') ? null : `the result holds the claims ${claims.join(', ')}`
}

/** Per worker thread: responses/s, each response being every job's signature verified once (ES256, raw r||s). */
async function verifyOnAllCores(jobs: { jws: string; spki: Buffer }[], threads: number, ms: number): Promise<number[]> {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads')
    const { createPublicKey, verify } = require('node:crypto')
    const jobs = workerData.jobs.map(({ jws, spki }) => {
      const dot = jws.lastIndexOf('.')
      return { data: Buffer.from(jws.slice(0, dot), 'ascii'), sig: Buffer.from(jws.slice(dot + 1), 'base64url'),
        key: { key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), dsaEncoding: 'ieee-p1363' } }
    })
    const once = () => { for (const j of jobs) if (!verify('sha256', j.data, j.key, j.sig)) throw new Error('a signature does not verify') }
    for (let i = 0; i < 200; i++) once()
    parentPort.postMessage('ready')
    parentPort.once('message', () => {
      let count = 0
      const started = performance.now()
      let elapsed = 0
      do { for (let i = 0; i < 50; i++) once(); count += 50; elapsed = performance.now() - started } while (elapsed < workerData.ms)
      parentPort.postMessage(count / (elapsed / 1000))
    })`
  const workers = Array.from({ length: threads }, () => new Worker(code, { eval: true, workerData: { jobs, ms } }))
  try {
    await Promise.all(workers.map((w) => once(w)))
    for (const w of workers) w.postMessage('go')
    return (await Promise.all(workers.map((w) => once(w)))) as number[]
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

const once = (worker: Worker) =>
  new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })

/** Responses for a timed batch of about TARGET_SECONDS at the warm-up's rate (KB-JWTs must stay fresh: at most 5 min). */
const sized = (rate: number) => Math.max(200, Math.min(6000, Math.round((rate * TARGET_SECONDS) / 100) * 100))
