// The holder's side on the command line: `govcred wallet create-did | import | present`, keys encrypted at rest.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SecretBox } from '@veramo/kms-local'
import sqlite3 from 'sqlite3'
import { SigningKey } from 'ethers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort } from '../../src/chain/anvil-node.js'
import { failures, issueOverHttp, payloadOf, readDemo, verifyOverHttp } from './verification-helpers.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

let service: TestService
let walletDir: string
let did: string

/** Runs `govcred wallet …` on the test wallet and returns its stdout. */
function wallet(args: string[]): Promise<string> {
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
    run.once('exit', (code) =>
      code === 0 ? resolve(stdout.trim()) : reject(new Error(`govcred wallet ${args[0]} exited ${code}: ${stderr}`)),
    )
  })
}

function rows(file: string, sql: string): Promise<Record<string, string>[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => error && reject(error))
    db.all(sql, (error, result) => db.close(() => (error ? reject(error) : resolve(result as Record<string, string>[]))))
  })
}

beforeAll(async () => {
  // A real port, so the domain the verifier expects (the host of its public URL) is where the wallet fetches from.
  service = await startTestService({ env: { PORT: String(await freePort()) } })
  walletDir = mkdtempSync(join(tmpdir(), 'govcred-cli-wallet-'))
  did = JSON.parse(await wallet(['create-did'])).did
}, 60_000)

afterAll(async () => {
  await service?.dispose()
  if (walletDir) rmSync(walletDir, { recursive: true, force: true })
})

describe('govcred wallet', () => {
  it('creates a holder DID (did:key by default) and answers a presentation request with a VP-JWT that verifies', async () => {
    expect(did).toMatch(/^did:key:z/)

    const issued = await issueOverHttp(service, readDemo(service), 'BusinessLicenseCredential', did)
    const imported = JSON.parse(await wallet(['import', issued.jwt]))
    expect(imported).toMatchObject({ id: issued.id, subject: did, types: ['VerifiableCredential', 'BusinessLicenseCredential'] })
    expect(imported.jwt).toBeUndefined()

    const { body: request } = await service.api('/v1/presentation-requests', {
      body: { credentialTypes: ['BusinessLicenseCredential'], purpose: '开户审核 account opening' },
    })
    const vp = await wallet(['present', '--request', `${service.url}/v1/presentation-requests/${request.id}`, '--yes'])
    expect(vp).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(payloadOf(vp)).toMatchObject({
      iss: did,
      nonce: request.challenge,
      aud: [request.domain],
      vp: { verifiableCredential: [issued.jwt] },
    })

    const { status, body } = await verifyOverHttp(service, vp, request.id)
    expect(failures(body)).toEqual([])
    expect(status).toBe(200)
  }, 60_000)

  it('keeps its keys encrypted at rest with a secret file only its owner can read', async () => {
    expect(statSync(join(walletDir, 'wallet-secret')).mode & 0o777).toBe(0o600)
    const secret = readFileSync(join(walletDir, 'wallet-secret'), 'utf8').trim()
    const database = join(walletDir, 'wallet.sqlite')
    const stored = await rows(database, 'SELECT alias, privateKeyHex FROM "private-key"')
    const keys = await rows(database, 'SELECT kid, publicKeyHex FROM "key"')
    expect(stored).toHaveLength(1)
    const [{ privateKeyHex: encrypted }] = stored as [{ privateKeyHex: string }]
    // Only the wallet secret turns the stored value into the key of the holder's DID.
    const privateKey = await new SecretBox(secret).decrypt(encrypted)
    expect(privateKey).toMatch(/^[0-9a-f]{64}$/)
    expect(encrypted).not.toContain(privateKey)
    const publicKeys = [SigningKey.computePublicKey(`0x${privateKey}`, true), SigningKey.computePublicKey(`0x${privateKey}`, false)].map(
      (k) => k.slice(2),
    )
    expect(publicKeys).toContain(keys[0]!.publicKeyHex)
    expect(readFileSync(database).includes(Buffer.from(privateKey))).toBe(false)
    expect(readFileSync(database).includes(Buffer.from(privateKey, 'hex'))).toBe(false)
  })
})
