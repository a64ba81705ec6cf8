import 'reflect-metadata'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, eventually, issueOverHttp, rawHolder, rawPresentation, readDemo, sleep, type Demo } from './verification-helpers.js'
import { WebhookOutbox } from '../../src/verifying/relying-parties/webhook-outbox.js'
import { checkWebhookUrl } from '../../src/verifying/relying-parties/webhook-url.js'
import { createWebhookDispatcher } from '../../src/app/webhook-services.js'
import { silentLogger } from '../../src/shared/logger.js'
import { relyingPartyCommand } from '../../src/cli/relying-party-commands.js'

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname

/** The real CLI (`govcred …`) on the service's data directory: its exit code, JSON out (when 0) and stderr. */
function cli(
  args: string[],
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; out: any; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: { ...env, GOVCRED_DATA_DIR: dataDir, GOVCRED_LOG_LEVEL: 'silent', ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => resolve({ code, out: code === 0 ? JSON.parse(stdout) : undefined, stderr }))
  })
}

interface Delivery {
  at: number
  headers: IncomingMessage['headers']
  body: string
}

/** A webhook receiver on loopback: records every request and answers with `respond` (which may never answer). */
async function receiver(
  respond: (attempt: number, res: ServerResponse) => void,
): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      deliveries.push({ at: Date.now(), headers: req.headers, body })
      respond(deliveries.length, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/govcred/events`,
    deliveries,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** The bank's side of the recipe: HMAC-SHA256(secret, t + "." + body), hex, compared in constant time. */
function signatureValid(header: string | undefined, body: string, secret: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '')
  if (!match) return false
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest()
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex')) && Math.abs(Date.now() / 1000 - Number(match[1])) < 300
}

describe('relying-party webhooks: signed presentation results, retried within a bound', () => {
  let service: TestService
  let demo: Demo
  const holder = rawHolder()
  let credential: string
  const receivers: { close(): Promise<void> }[] = []

  beforeAll(async () => {
    service = await startTestService({
      env: { GOVCRED_WEBHOOK_BACKOFF_MS: '100', GOVCRED_WEBHOOK_TIMEOUT_MS: '500', GOVCRED_WEBHOOK_MAX_ATTEMPTS: '4' },
    })
    demo = readDemo(service)
    credential = (await issueOverHttp(service, demo, 'SocialSecurityStatusCredential', holder.did)).jwt
    // For the CLI's command run in this process (as `govcred relying-party …` runs it, minus the start-up).
    process.env.GOVCRED_DATA_DIR = service.dataDir
  })

  afterAll(async () => {
    delete process.env.GOVCRED_DATA_DIR
    for (const r of receivers) await r.close()
    await service?.dispose()
  })

  /**
   * A relying party registered with the CLI (the spawned `govcred` when `spawned`, else its command in this
   * process), its webhook at `url`: its API key and its webhook secret.
   */
  async function registerParty(id: string, url: string, spawned = false): Promise<{ key: string; secret: string }> {
    const args = { id, name: '测试银行', 'name-en': 'Test Bank', 'webhook-url': url }
    let out: any
    if (spawned) {
      const run = await cli(['relying-party', 'create', ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v])], service.dataDir)
      expect(run.code, run.stderr).toBe(0)
      out = run.out
    } else out = await relyingPartyCommand('create', undefined, args)
    expect(out.webhook.url).toBe(url)
    expect(out.webhook.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/)
    return { key: out.apiKey.key, secret: out.webhook.secret }
  }

  /** Creates a request with the party's key and answers it with a VP-JWT: the request id and the verify answer. */
  async function answerRequest(key: string): Promise<{ requestId: string; verifyStatus: number; answeredInMs: number }> {
    const created = await service.api('/v1/presentation-requests', {
      headers: bearer(key),
      body: { credentialTypes: ['SocialSecurityStatusCredential'], purpose: '贷款审核 loan check' },
    })
    expect(created.status).toBe(201)
    const vp = await rawPresentation(holder, [credential], created.body.challenge, created.body.domain)
    const started = Date.now()
    const verified = await service.api('/v1/presentations/verify', {
      headers: bearer(key),
      body: { presentation: vp, requestId: created.body.id },
    })
    return { requestId: created.body.id, verifyStatus: verified.status, answeredInMs: Date.now() - started }
  }

  it('an answered request delivers one signed event (no claims) that the bank can verify', async () => {
    const hook = await receiver((_n, res) => res.writeHead(204).end())
    receivers.push(hook)
    const { key, secret } = await registerParty('webhook-bank-a', hook.url, true)

    const { requestId, verifyStatus } = await answerRequest(key)
    expect(verifyStatus).toBe(200)
    expect(await eventually(async () => hook.deliveries.length > 0, 10_000)).toBe(true)
    await sleep(600) // several retry periods: a delivered event is not sent again
    expect(hook.deliveries).toHaveLength(1)

    const [delivery] = hook.deliveries
    expect(delivery!.headers['content-type']).toBe('application/json')
    expect(delivery!.headers['govcred-event-id']).toMatch(/^evt_[0-9a-f]{32}$/)
    expect(signatureValid(delivery!.headers['govcred-signature'] as string, delivery!.body, secret)).toBe(true)
    expect(signatureValid(delivery!.headers['govcred-signature'] as string, delivery!.body.replace('true', 'false'), secret)).toBe(false)
    const event = JSON.parse(delivery!.body)
    expect(Object.keys(event).sort()).toEqual(['answeredAt', 'code', 'requestId', 'type', 'verified'])
    expect(event).toMatchObject({ type: 'presentation.answered', requestId, verified: true, code: 'OK' })
    expect(Date.parse(event.answeredAt)).toBeGreaterThan(Date.now() - 60_000)

    // The bank then reads the result with its key.
    const result = await service.api(`/v1/presentation-requests/${requestId}/result`, { headers: bearer(key) })
    expect(result.body.result).toMatchObject({ verified: true, code: 'OK' })
  })

  it('a receiver answering 500 twice then 200 gets exactly 3 attempts of the same event, spaced by the backoff', async () => {
    const hook = await receiver((n, res) => res.writeHead(n <= 2 ? 500 : 200).end('{}'))
    receivers.push(hook)
    const { key, secret } = await registerParty('webhook-bank-b', hook.url)

    await answerRequest(key)
    const outbox = new WebhookOutbox(service.ctx.db)
    expect(await eventually(async () => (await outbox.list('webhook-bank-b'))[0]?.state === 'delivered', 10_000)).toBe(true)
    await sleep(600)
    expect(hook.deliveries).toHaveLength(3)
    expect(new Set(hook.deliveries.map((d) => d.headers['govcred-event-id'])).size).toBe(1)
    for (const d of hook.deliveries) expect(signatureValid(d.headers['govcred-signature'] as string, d.body, secret)).toBe(true)
    // 100 ms before the first retry, 200 ms before the second.
    expect(hook.deliveries[1]!.at - hook.deliveries[0]!.at).toBeGreaterThanOrEqual(90)
    expect(hook.deliveries[2]!.at - hook.deliveries[1]!.at).toBeGreaterThanOrEqual(190)
    const [event] = await outbox.list('webhook-bank-b')
    expect(event).toMatchObject({ state: 'delivered', attempts: 3, lastError: null })
  })

  it('a receiver that never answers is tried GOVCRED_WEBHOOK_MAX_ATTEMPTS times (each cut at the timeout), then given up', async () => {
    const hook = await receiver(() => undefined) // holds every connection open, never answers
    receivers.push(hook)
    const { key } = await registerParty('webhook-bank-c', hook.url)

    const { answeredInMs } = await answerRequest(key)
    // The answer does not wait for the receiver: the four attempts take at least 4 × 500 + 100 + 200 + 400 ms.
    expect(answeredInMs).toBeLessThan(2000)
    const outbox = new WebhookOutbox(service.ctx.db)
    expect(await eventually(async () => (await outbox.list('webhook-bank-c'))[0]?.state === 'failed', 15_000)).toBe(true)
    await sleep(1000)
    expect(hook.deliveries).toHaveLength(4)
    const [event] = await outbox.list('webhook-bank-c')
    expect(event).toMatchObject({ state: 'failed', attempts: 4 })
    expect(event!.lastError).toMatch(/no answer within 500 ms/)
  })

  it('pending events survive a restart of the delivery: a new dispatcher on the same database sends them', async () => {
    const hook = await receiver((_n, res) => res.writeHead(200).end())
    receivers.push(hook)
    const { key } = await registerParty('webhook-bank-d', hook.url)

    await service.webhooks.stop()
    try {
      const { requestId } = await answerRequest(key)
      await sleep(400)
      expect(hook.deliveries).toHaveLength(0)
      const outbox = new WebhookOutbox(service.ctx.db)
      expect((await outbox.list('webhook-bank-d'))[0]).toMatchObject({ state: 'pending', attempts: 0 })

      const restarted = createWebhookDispatcher(service.ctx.db, service.ctx.kmsSecret.secret, service.config.webhooks, silentLogger)
      restarted.start()
      try {
        expect(await eventually(async () => hook.deliveries.length === 1, 10_000)).toBe(true)
        expect(JSON.parse(hook.deliveries[0]!.body).requestId).toBe(requestId)
      } finally {
        await restarted.stop()
      }
    } finally {
      service.webhooks.start()
    }
  })

  it('a webhook URL to a host that is not allowed is refused at registration, and nothing is registered', async () => {
    const refused = await cli(
      [
        'relying-party',
        'create',
        '--id',
        'webhook-bank-x',
        '--name',
        '测试银行',
        '--webhook-url',
        'https://169.254.169.254/latest/meta-data',
      ],
      service.dataDir,
    )
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/webhook URL refused: 169\.254\.169\.254 is a private, link-local or reserved address/)
    // Loopback only where allowed (the embedded demo allows it by default; GOVCRED_WEBHOOK_ALLOW_LOOPBACK=false refuses it).
    process.env.GOVCRED_WEBHOOK_ALLOW_LOOPBACK = 'false'
    try {
      await expect(
        relyingPartyCommand('webhook-set', undefined, { id: 'webhook-bank-a', 'webhook-url': 'http://127.0.0.1:9/hook' }),
      ).rejects.toThrow(/webhook URL refused: 127\.0\.0\.1 is this machine/)
    } finally {
      delete process.env.GOVCRED_WEBHOOK_ALLOW_LOOPBACK
    }
    const listed = (await relyingPartyCommand('list', undefined, {})) as { id: string; webhookUrl: string | null }[]
    expect(listed.map((p) => p.id)).not.toContain('webhook-bank-x')
    expect(listed.find((p) => p.id === 'webhook-bank-a')!.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/govcred\/events$/)

    // The same check, case by case.
    const strict = { allowLoopback: false }
    expect(checkWebhookUrl('https://bank.example/govcred/events', strict)).toBe('https://bank.example/govcred/events')
    for (const [url, why] of [
      ['http://bank.example/hook', /must be https/],
      ['https://10.1.2.3/hook', /private, link-local or reserved/],
      ['https://192.168.1.10/hook', /private, link-local or reserved/],
      ['https://[fd00::1]/hook', /private, link-local or reserved/],
      ['https://[::ffff:10.0.0.1]/hook', /private, link-local or reserved/],
      ['https://[fe80::1]/hook', /private, link-local or reserved/],
      ['https://localhost/hook', /this machine/],
      ['https://intranet/hook', /not a public DNS name/],
      ['https://user:pw@bank.example/hook', /user name or password/],
      ['ftp://bank.example/hook', /must be https/],
      ['not a url', /not an absolute URL/],
    ] as const) {
      expect(() => checkWebhookUrl(url, strict), url).toThrow(why)
    }
    expect(checkWebhookUrl('http://localhost:8080/hook', { allowLoopback: true })).toBe('http://localhost:8080/hook')
  })
})
