// `govcred wallet receive` (OpenID4VCI pre-authorized code with tx_code) and `wallet list` (type, issuer, status,
// validity, claims) against a real service: embedded Anvil, SQLite, HTTP on loopback.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { freePort } from '../../src/chain/anvil-node.js'
import { HolderWallet, WalletError } from '../../src/wallet/holder-wallet.js'
import { bearer, claimsOf, eventually, readDemo, type Demo } from '../verification/verification-helpers.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))

let service: TestService
let demo: Demo
let walletDir: string

/** Runs `govcred wallet …` on the test wallet (no terminal: stdin is closed). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_')))
  return new Promise((resolve) => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'wallet', ...args, '--wallet', walletDir], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    run.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    run.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    run.once('exit', (code) => resolve({ code, stdout: stdout.trim(), stderr }))
  })
}

async function offer(format: 'dc+sd-jwt' | 'jwt_vc_json' = 'dc+sd-jwt'): Promise<{ id: string; offerUri: string; txCode: string }> {
  const { status, body } = await service.api('/v1/credential-offers', {
    headers: bearer(demo.BusinessLicenseCredential.apiKey),
    body: { type: 'BusinessLicenseCredential', claims: claimsOf('BusinessLicenseCredential'), format },
  })
  expect(status, JSON.stringify(body)).toBe(201)
  return body
}

const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000')

beforeAll(async () => {
  // A real port: the issuer's URLs (credential_issuer, vct, status list) are built from the public URL.
  service = await startTestService({ env: { PORT: String(await freePort()) } })
  demo = readDemo(service)
  walletDir = mkdtempSync(join(tmpdir(), 'govcred-receive-wallet-'))
}, 60_000)

afterAll(async () => {
  await service?.dispose()
  if (walletDir) rmSync(walletDir, { recursive: true, force: true })
})

describe('govcred wallet receive / list', () => {
  it('receives an SD-JWT VC with the transaction code; list shows type, issuer, claims and status valid, then revoked', async () => {
    const created = await offer()
    expect(created.offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/)

    const received = await cli(['receive', created.offerUri, '--tx-code', created.txCode])
    expect(received.code, received.stderr).toBe(0)
    const summary = JSON.parse(received.stdout)
    expect(summary).toMatchObject({ format: 'dc+sd-jwt', credentialConfigurationId: 'BusinessLicenseCredential_sd_jwt' })
    expect(summary.credentialIssuer).toBe(`${service.url}/oid4vci/${demo.BusinessLicenseCredential.id}`)
    expect(received.stderr).toContain('已收到凭证 Credential received')

    const { body: redeemed } = await service.api(`/v1/credential-offers/${created.id}`, {
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    expect(redeemed.status).toBe('redeemed')
    const credentialId: string = redeemed.credentialId
    expect(credentialId).toBeTruthy()

    const listed = await cli(['list'])
    expect(listed.code, listed.stderr).toBe(0)
    const held = JSON.parse(listed.stdout).find((c: { id: string }) => c.id === summary.id)
    const claims = claimsOf('BusinessLicenseCredential')
    expect(held).toMatchObject({
      format: 'dc+sd-jwt',
      source: 'openid4vci',
      type: `${service.url}/vct/BusinessLicenseCredential`,
      issuer: summary.credentialIssuer,
      status: 'valid',
      validity: 'current',
    })
    expect(held.issuerName['zh-CN'] ?? held.issuerName.en).toBeTruthy()
    expect(held.typeName['zh-CN'] ?? held.typeName.en).toBeTruthy()
    const claim = (name: string) => held.claims.find((c: { name: string }) => c.name === name)
    expect(claim('enterpriseName')).toMatchObject({ value: claims.enterpriseName, disclosable: true })
    expect(claim('unifiedSocialCreditCode')).toMatchObject({ value: claims.unifiedSocialCreditCode, disclosable: true })

    const revoke = await service.api(`/v1/credentials/${credentialId}/revoke`, {
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
      body: { reason: 'test' },
    })
    expect([200, 202]).toContain(revoke.status)
    // The status list token is rebuilt from the chain's bits within a block of the revocation being mined.
    const wallet = await HolderWallet.open({ dir: walletDir })
    try {
      const statusOf = async () => (await wallet.describeCredentials()).find((c) => c.id === summary.id)?.status
      expect(await eventually(async () => (await statusOf()) === 'revoked', 20_000, 250)).toBe(true)
    } finally {
      await wallet.close()
    }
    const after = JSON.parse((await cli(['list'])).stdout).find((c: { id: string }) => c.id === summary.id)
    expect(after.status).toBe('revoked')
  }, 90_000)

  it('says in Chinese and English what went wrong: wrong code, no code without a terminal, a used offer, an unreachable or plain-http issuer', async () => {
    const created = await offer()
    const wrong = await cli(['receive', created.offerUri, '--tx-code', wrongCode(created.txCode)])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain('ERR_TX_CODE_WRONG')
    expect(wrong.stderr).toContain('交易码不正确')
    expect(wrong.stderr).toContain('wrong transaction code')

    const noCode = await cli(['receive', created.offerUri])
    expect(noCode.code).toBe(1)
    expect(noCode.stderr).toContain('ERR_TX_CODE_REQUIRED')
    expect(noCode.stderr).toContain('--tx-code')

    const wallet = await HolderWallet.open({ dir: walletDir })
    try {
      // The right code still works after one wrong one; the offer is then used up.
      await expect(wallet.receive(created.offerUri, { txCode: created.txCode })).resolves.toMatchObject({ format: 'dc+sd-jwt' })
      const reused = await wallet.receive(created.offerUri, { txCode: created.txCode }).catch((e: unknown) => e)
      expect(reused).toBeInstanceOf(WalletError)
      // Its offer URI answers 404 once used: the wallet cannot tell used from expired or void, and says so.
      expect((reused as WalletError).code).toBe('ERR_OFFER_GONE')
      expect((reused as WalletError).message).toContain('领取链接已失效')

      const unreachable = await wallet
        .receive('openid-credential-offer://?credential_offer_uri=http%3A%2F%2F127.0.0.1%3A1%2Foffer')
        .catch((e: unknown) => e)
      expect((unreachable as WalletError).code).toBe('ERR_ISSUER_UNREACHABLE')
      expect((unreachable as WalletError).message).toContain('无法连接签发方')

      const plainHttp = await wallet.receive('http://issuer.example/oid4vci/x/offers/1').catch((e: unknown) => e)
      expect((plainHttp as WalletError).code).toBe('ERR_OFFER_INSECURE_URL')

      const notAnOffer = await wallet.receive('hello').catch((e: unknown) => e)
      expect((notAnOffer as WalletError).code).toBe('ERR_OFFER_MALFORMED')
    } finally {
      await wallet.close()
    }
  }, 90_000)

  it('voids the offer after too many wrong codes: even the right code is then refused', async () => {
    const created = await offer()
    const wallet = await HolderWallet.open({ dir: walletDir })
    try {
      const codes: string[] = []
      for (let i = 0; i < 3; i++) {
        const error = (await wallet
          .receive(created.offerUri, { txCode: wrongCode(created.txCode) })
          .catch((e: unknown) => e)) as WalletError
        codes.push(error.code)
      }
      expect(codes.slice(0, 2)).toEqual(['ERR_TX_CODE_WRONG', 'ERR_TX_CODE_WRONG'])
      expect(['ERR_TX_CODE_WRONG', 'ERR_OFFER_VOIDED']).toContain(codes[2])
      const after = (await wallet.receive(created.offerUri, { txCode: created.txCode }).catch((e: unknown) => e)) as WalletError
      // A void offer's URI answers 404 like a used or expired one.
      expect(after.code).toBe('ERR_OFFER_GONE')
    } finally {
      await wallet.close()
    }
  }, 60_000)

  it('receives a VC-JWT (jwt_vc_json) bound to a did:jwk of its new key; list reads its status from the service', async () => {
    const created = await offer('jwt_vc_json')
    const wallet = await HolderWallet.open({ dir: walletDir })
    try {
      const received = await wallet.receive(created.offerUri, { txCode: created.txCode, format: 'jwt_vc_json' })
      expect(received).toMatchObject({ format: 'jwt_vc_json', credentialConfigurationId: 'BusinessLicenseCredential_jwt_vc_json' })
      const held = (await wallet.describeCredentials()).find((c) => c.id === received.id)!
      expect(held).toMatchObject({ format: 'jwt_vc_json', type: 'BusinessLicenseCredential', status: 'valid', validity: 'current' })
      expect(held.claims.find((c) => c.name === 'enterpriseName')?.value).toBe(claimsOf('BusinessLicenseCredential').enterpriseName)
    } finally {
      await wallet.close()
    }
  }, 60_000)
})
