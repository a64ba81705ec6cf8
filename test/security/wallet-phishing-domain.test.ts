// Issue 8, finding 5: the CLI wallet signed for whatever domain a fetched request claimed. A phishing site
// serving a real bank's request as its own got a presentation addressed to the bank, which the bank then
// accepted in the attacker's session. The wallet now addresses the presentation to the host it fetched the
// request from, refuses a request naming another domain, shows who asks and why, and asks before signing.
import { spawn } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort } from '../../src/chain/anvil-node.js'
import {
  createRequest,
  failures,
  issueOverHttp,
  payloadOf,
  readDemo,
  verifyOverHttp,
  type Issued,
  type PresentationRequest,
} from '../verification/verification-helpers.js'
import { walletCommand, type WalletIo } from '../../src/cli/wallet-command.js'
import { WalletError } from '../../src/wallet/holder-wallet.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const PURPOSE = '开户审核 account opening'

let service: TestService
let phishing: Server
let phishingHost: string
let walletDir: string
let holder: string
let licence: Issued

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** `govcred wallet …` as a child process with no terminal (stdin is not a TTY). */
function wallet(args: string[]): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve, reject) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'wallet', ...args, '--wallet', walletDir], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('error', reject)
    run.once('exit', (code) => resolve({ code, stdout: stdout.trim(), stderr }))
  })
}

async function succeeded(args: string[]): Promise<string> {
  const run = await wallet(args)
  if (run.code !== 0) throw new Error(`govcred wallet ${args[0]} exited ${run.code}: ${run.stderr}`)
  return run.stdout
}

const isUsed = async (request: PresentationRequest) => (await service.api(`/v1/presentation-requests/${request.id}`)).body.used

beforeAll(async () => {
  // A real port, so the domain the verifier expects (the host of its public URL) is where the wallet fetches from.
  service = await startTestService({ env: { PORT: String(await freePort()) } })
  walletDir = mkdtempSync(join(tmpdir(), 'govcred-phishing-wallet-'))
  holder = JSON.parse(await succeeded(['create-did'])).did
  licence = await issueOverHttp(service, readDemo(service), 'BusinessLicenseCredential', holder)
  await succeeded(['import', licence.jwt])

  // The phishing site: relays the real verifier's request JSON as its own (/relay), or with its domain
  // removed (/stripped); /registered is a site's own request naming a registered relying party.
  phishing = createServer(async (req, res) => {
    const [, route, id] = (req.url ?? '').split('/')
    let body: Record<string, unknown>
    if (route === 'registered') {
      body = {
        challenge: 'a-challenge-of-this-site',
        domain: phishingHost,
        credentialTypes: ['BusinessLicenseCredential'],
        purpose: '贷款审核 loan check',
        verifier: { id: 'rp-1', name: { 'zh-CN': '南京银行', en: 'Bank of Nanjing' } },
      }
    } else {
      body = (await service.api(`/v1/presentation-requests/${id}`)).body
      if (route === 'stripped') delete body.domain
    }
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => phishing.listen(0, '127.0.0.1', resolve))
  const address = phishing.address()
  phishingHost = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}, 90_000)

afterAll(async () => {
  await new Promise<void>((resolve) => (phishing ? phishing.close(() => resolve()) : resolve()))
  await service?.dispose()
  if (walletDir) rmSync(walletDir, { recursive: true, force: true })
})

describe('a presentation request relayed by a phishing site', () => {
  it('is refused by the wallet (ERR_DOMAIN_MISMATCH) when it names the real verifier: nothing is signed', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'], PURPOSE)
    expect(request.domain).not.toBe(phishingHost)
    const run = await wallet(['present', '--request', `http://${phishingHost}/relay/${request.id}`, '--yes'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('ERR_DOMAIN_MISMATCH')
    expect(run.stderr).toContain(request.domain)
    expect(run.stderr).toContain(phishingHost)
    expect(run.stdout).toBe('')
    expect(await isUsed(request)).toBe(false)
  }, 60_000)

  it('without a domain, is addressed to the phishing host, so the real verifier refuses it (ERR_DOMAIN_MISMATCH)', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'], PURPOSE)
    const vp = await succeeded(['present', '--request', `http://${phishingHost}/stripped/${request.id}`, '--yes'])
    expect(payloadOf(vp)).toMatchObject({ nonce: request.challenge, aud: [phishingHost] })
    const { status, body } = await verifyOverHttp(service, vp, request.id)
    expect(status).toBe(422)
    expect(body.verified).toBe(false)
    expect(failures(body)).toContain('domain:ERR_DOMAIN_MISMATCH')
  }, 60_000)
})

describe('consent before signing', () => {
  it('with no terminal and no --yes, shows the summary and refuses (ERR_CONSENT_REQUIRED): nothing is signed', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'], PURPOSE)
    const run = await wallet(['present', '--request', `${service.url}/v1/presentation-requests/${request.id}`])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('ERR_CONSENT_REQUIRED')
    expect(run.stderr).toContain('--yes')
    // Who asks (an anonymous request: the host it came from), why, what is asked for and what would go.
    expect(run.stderr).toContain(`unregistered verifier at ${request.domain}`)
    expect(run.stderr).toContain(PURPOSE)
    expect(run.stderr).toContain('BusinessLicenseCredential')
    expect(run.stderr).toContain(licence.id)
    expect(await isUsed(request)).toBe(false)

    // The same request with --yes: addressed to the verifier it was fetched from, and accepted.
    const vp = await succeeded(['present', '--request', `${service.url}/v1/presentation-requests/${request.id}`, '--yes'])
    expect(payloadOf(vp)).toMatchObject({ iss: holder, nonce: request.challenge, aud: [request.domain] })
    const { status, body } = await verifyOverHttp(service, vp, request.id)
    expect(failures(body)).toEqual([])
    expect(status).toBe(200)
  }, 60_000)

  it('names a registered verifier in Chinese and English, with the host it was fetched from', async () => {
    const run = await wallet(['present', '--request', `http://${phishingHost}/registered/x`])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`南京银行 / Bank of Nanjing (${phishingHost})`)
    expect(run.stderr).toContain('贷款审核 loan check')
    expect(run.stderr).toContain('ERR_CONSENT_REQUIRED')
    expect(run.stdout).toBe('')
  }, 60_000)

  it('--challenge and --domain (no fetch) keep working with the explicit domain, and still ask', async () => {
    const args = ['present', '--challenge', 'c-123', '--domain', 'bank.example', '--types', 'BusinessLicenseCredential']
    const refused = await wallet(args)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('ERR_CONSENT_REQUIRED')
    expect(refused.stderr).toContain('unregistered verifier at bank.example')
    const vp = await succeeded([...args, '--yes'])
    expect(payloadOf(vp)).toMatchObject({ nonce: 'c-123', aud: ['bank.example'] })
  }, 60_000)

  it('on a terminal, signs only after "y" (anything else declines with ERR_CONSENT_DECLINED)', async () => {
    const request = await createRequest(service, ['BusinessLicenseCredential'], PURPOSE)
    const flags = { wallet: walletDir, request: `${service.url}/v1/presentation-requests/${request.id}` }
    const terminal = (answer: string) => {
      const io: WalletIo & { shown: string; asked: string[] } = {
        shown: '',
        asked: [],
        write: (text) => void (io.shown += text),
        ask: async (question) => {
          io.asked.push(question)
          return answer
        },
      }
      return io
    }

    const declining = terminal('n')
    const declined = await walletCommand('present', undefined, flags, declining).catch((error: unknown) => error)
    expect(declined).toBeInstanceOf(WalletError)
    expect((declined as WalletError).code).toBe('ERR_CONSENT_DECLINED')
    expect(declining.asked).toHaveLength(1)
    expect(declining.shown).toContain(PURPOSE)
    const empty = terminal('')
    expect(((await walletCommand('present', undefined, flags, empty).catch((e: unknown) => e)) as WalletError).code).toBe(
      'ERR_CONSENT_DECLINED',
    )

    const vp = (await walletCommand('present', undefined, flags, terminal('y'))) as string
    expect(payloadOf(vp)).toMatchObject({ nonce: request.challenge, aud: [request.domain] })
    expect((await verifyOverHttp(service, vp, request.id)).status).toBe(200)
  }, 60_000)
})
