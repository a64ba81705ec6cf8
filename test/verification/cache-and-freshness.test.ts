// The verifier caches DID documents, accreditations, schema anchors and status bits, and drops them from the
// registries' events: a change on chain shows within one block (one poll interval), and a chain out of
// reach past the staleness bound makes verification fail closed.
import { randomUUID } from 'node:crypto'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { ES256KSigner, hexToBytes } from 'did-jwt'
import { Contract, Wallet as EthersWallet } from 'ethers'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startAnvil, type AnvilNode } from '../../src/chain/anvil-node.js'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { createProvider } from '../../src/chain/provider.js'
import { accreditationChangeAction } from '../../src/issuing/governance/accreditation.js'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { waitForReceipt } from '../../src/chain/chain-writer.js'
import {
  THREE_TYPES,
  bearer,
  createRequest,
  failures,
  isoSeconds,
  issueOverHttp,
  issueThree,
  nowSeconds,
  openWallet,
  rawHolder,
  rawPresentation,
  serveVerifier,
  signAsDepartment,
  sleep,
  verifyOverHttp,
  type Demo,
  type GovcredType,
  type Issued,
  readDemo,
} from './verification-helpers.js'

let service: TestService
let demo: Demo
let wallet: HolderWallet
let holder: string
let issued: Record<GovcredType, Issued>

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  wallet = await openWallet()
  holder = await wallet.createDid('ethr')
  issued = await issueThree(service, demo, holder)
  for (const type of THREE_TYPES) await wallet.importCredential(issued[type].jwt)
})

afterAll(async () => {
  await wallet?.close()
  await service?.dispose()
})

const pollMs = () => service.verifier.watcher.options.pollMs

async function presentAndVerify(credentialIds: string[] = THREE_TYPES.map((t) => issued[t].id), types: readonly string[] = THREE_TYPES) {
  const request = await createRequest(service, types)
  return verifyOverHttp(service, await wallet.present(request, { holder, credentialIds }), request.id)
}

describe('the verifier’s cache', () => {
  it('answers a second verification of the same credentials without reading the chain', async () => {
    const first = await presentAndVerify()
    expect(failures(first.body)).toEqual([])
    const { stats } = service.verifier.deps.cache
    const before = { ...stats }

    const second = await presentAndVerify()
    expect(second.status).toBe(200)
    expect(stats.chainReads).toBe(before.chainReads)
    expect(stats.didMisses).toBe(before.didMisses)
    // holder + three issuers, each a cache hit
    expect(stats.didHits).toBeGreaterThanOrEqual(before.didHits + 4)
  })

  it('sees a revocation within one block: the next verification after the mined transaction and one poll interval is refused', async () => {
    const credential = await issueOverHttp(service, demo, 'BusinessLicenseCredential', holder)
    await wallet.importCredential(credential.jwt)
    const fresh = await presentAndVerify([credential.id], ['BusinessLicenseCredential'])
    expect(fresh.status).toBe(200)

    const revoked = await service.api(`/v1/credentials/${encodeURIComponent(credential.id)}/revoke`, {
      method: 'POST',
      headers: bearer(demo.BusinessLicenseCredential.apiKey),
    })
    expect(revoked.body).toMatchObject({ onChain: 'confirmed', txHash: expect.stringMatching(/^0x/) })
    const receipt = await service.ctx.provider.getTransactionReceipt(revoked.body.txHash)
    await sleep(pollMs())

    const after = await presentAndVerify([credential.id], ['BusinessLicenseCredential'])
    expect(service.verifier.watcher.blockNumber).toBeGreaterThanOrEqual(receipt!.blockNumber)
    expect(after.status).toBe(422)
    expect(failures(after.body)).toEqual(['status:ERR_CREDENTIAL_REVOKED'])
  })

  it('reflects a suspended accreditation in the cached issuer record after its block, refusing every credential of the issuer until it is reinstated', async () => {
    const department = demo.SocialSecurityStatusCredential
    const { cache } = service.verifier.deps
    expect((await cache.issuer(department.account))?.status).toBe(1)
    const reads = cache.stats.chainReads
    expect((await cache.issuer(department.account))?.status).toBe(1)
    expect(cache.stats.chainReads).toBe(reads)

    // The suspension must be dated after the credentials already issued (same-second blocks otherwise).
    await service.ctx.provider.send('evm_increaseTime', [2])
    const action = (change: 'suspendIssuer' | 'reinstateIssuer') =>
      accreditationChangeAction(service.ctx.deployments.contracts.trustedIssuers, department.account, change)
    await service.ctx.governance.proposeAndApprove(action('suspendIssuer'), service.ctx.members)
    const block = await service.ctx.provider.getBlock('latest')
    await sleep(pollMs())
    const suspended = await cache.issuer(department.account)
    expect(service.verifier.watcher.blockNumber).toBeGreaterThanOrEqual(block!.number)
    expect(suspended?.status).toBe(2)
    expect(suspended?.history.at(-1)).toEqual([2, block!.timestamp])

    const signedAfter = await signAsDepartment(service, issued.SocialSecurityStatusCredential, {
      id: `urn:uuid:${randomUUID()}`,
      issuanceDate: isoSeconds(Math.max(block!.timestamp + 1, nowSeconds())),
    })
    await wallet.importCredential(signedAfter)
    const newer = (await wallet.listCredentials()).find((c) => c.jwt === signedAfter)!
    const refused = await presentAndVerify([newer.hash], ['SocialSecurityStatusCredential'])
    expect(failures(refused.body)).toEqual(['issuerAccredited:ERR_ISSUER_SUSPENDED'])
    // A credential's own date is no evidence of when it was signed: the older one is refused too while suspended.
    const older = await presentAndVerify([issued.SocialSecurityStatusCredential.id], ['SocialSecurityStatusCredential'])
    expect(failures(older.body)).toEqual(['issuerAccredited:ERR_ISSUER_SUSPENDED'])

    await service.ctx.governance.proposeAndApprove(action('reinstateIssuer'), service.ctx.members)
    await sleep(pollMs())
    expect((await cache.issuer(department.account))?.status).toBe(1)
    const reinstated = await presentAndVerify([issued.SocialSecurityStatusCredential.id], ['SocialSecurityStatusCredential'])
    expect(failures(reinstated.body)).toEqual([])
    expect(reinstated.status).toBe(200)
  })
})

describe('a key rotation', () => {
  it('takes effect within one block: after the DID owner changes, the old key’s presentations are refused and the new key’s verified', async () => {
    const oldKey = EthersWallet.createRandom().connect(service.ctx.provider)
    const newKey = EthersWallet.createRandom()
    const did = `did:ethr:${service.ctx.deployments.name}:${oldKey.address}`
    const credential = await issueOverHttp(service, demo, 'BusinessLicenseCredential', did)
    const present = async (key: { privateKey: string }) => {
      const request = await createRequest(service, ['BusinessLicenseCredential'])
      const vp = await rawPresentation(
        { did, signer: ES256KSigner(hexToBytes(key.privateKey)) },
        [credential.jwt],
        request.challenge,
        request.domain,
      )
      return verifyOverHttp(service, vp, request.id)
    }
    expect((await present(oldKey)).status).toBe(200)
    const misses = service.verifier.deps.cache.stats.didMisses
    expect((await present(oldKey)).status).toBe(200)
    expect(service.verifier.deps.cache.stats.didMisses).toBe(misses)

    await service.ctx.provider.send('anvil_setBalance', [oldKey.address, '0xde0b6b3a7640000'])
    const registry = new Contract(service.ctx.deployments.contracts.didRegistry, loadArtifact('EthereumDIDRegistry').abi, oldKey)
    const sent = await registry.getFunction('changeOwner')(oldKey.address, newKey.address)
    const receipt = await waitForReceipt(sent.provider, sent.hash, 60_000)
    await sleep(pollMs())

    const withOldKey = await present(oldKey)
    expect(service.verifier.watcher.blockNumber).toBeGreaterThanOrEqual(receipt!.blockNumber)
    expect(withOldKey.status).toBe(422)
    expect(failures(withOldKey.body)).toEqual(['holderSignature:ERR_HOLDER_SIGNATURE_INVALID'])
    const withNewKey = await present(newKey)
    expect(failures(withNewKey.body)).toEqual([])
    expect(withNewKey.status).toBe(200)
  })
})

/** A TCP relay to the service's chain that the test can cut, as a network partition would. */
async function chainRelay(target: string): Promise<{ rpcUrl: string; cut(): Promise<void> }> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    rpcUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  }
}

describe('a chain out of reach', () => {
  it('still verifies from the cache within the staleness bound, refuses to guess what is not cached, and fails closed past the bound', async () => {
    const relay = await chainRelay(service.ctx.rpcUrl)
    const provider = createProvider(relay.rpcUrl, service.ctx.deployments.chainId)
    const verifier = await serveVerifier({
      provider,
      deployments: service.ctx.deployments,
      db: service.ctx.db,
      domain: 'partitioned.bank.example',
      watcher: { pollMs: 100, freshnessMs: 100, maxStalenessMs: 1000 },
    })
    const ids = THREE_TYPES.map((t) => issued[t].id)
    const verify = async (presenter: (request: { challenge: string; domain: string }) => Promise<string>) => {
      const request = (await verifier.api('/v1/presentation-requests', { credentialTypes: THREE_TYPES, purpose: '分区 partition' })).body
      return verifier.api('/v1/presentations/verify', { presentation: await presenter(request), requestId: request.id })
    }
    const fromWallet = (request: { challenge: string; domain: string }) => wallet.present(request, { holder, credentialIds: ids })
    try {
      expect((await verify(fromWallet)).status).toBe(200)

      await relay.cut()
      const cutAt = Date.now()
      const cached = await verify(fromWallet)
      const stranger = rawHolder()
      const credential = await issueOverHttp(service, demo, 'BusinessLicenseCredential', stranger.did)
      const uncached = await verifier.api('/credentials/verify', { verifiableCredential: credential.jwt })
      if (Date.now() - cutAt < 700) expect(cached.status).toBe(200)
      expect(uncached.status).toBe(503)
      expect(uncached.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')

      await sleep(Math.max(0, 1100 - (Date.now() - cutAt)))
      const stale = await verify(fromWallet)
      expect(stale.status).toBe(503)
      expect(stale.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')
    } finally {
      await verifier.close()
      provider.destroy()
    }
  })

  let anvil: AnvilNode | undefined

  afterAll(async () => {
    await anvil?.stop()
  })

  it('fails closed past the bound even when the wall clock was stepped back an hour meanwhile (NTP)', async () => {
    const node = await startAnvil({ chainId: 20191 })
    const provider = createProvider(node.rpcUrl, 20191)
    const verifier = await serveVerifier({
      provider,
      deployments: service.ctx.deployments,
      db: service.ctx.db,
      domain: 'clock.bank.example',
      watcher: { pollMs: 100, freshnessMs: 100, maxStalenessMs: 1000 },
    })
    const probe = () => verifier.api('/credentials/verify', { verifiableCredential: 'not-a-jwt' })
    try {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 3_600_000 })
      await sleep(300)
      expect((await probe()).status).toBe(422)
      await node.stop()
      await sleep(1100)
      const answer = await probe()
      expect(answer.status).toBe(503)
      expect(answer.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')
    } finally {
      vi.useRealTimers()
      await verifier.close()
      provider.destroy()
      await node.stop()
    }
  })

  it('stopped (its own Anvil): answers what needs no chain within the bound, never turns an unreadable registry into a refusal, and fails closed with 503 ERR_CHAIN_UNAVAILABLE past the bound', async () => {
    anvil = await startAnvil({ chainId: 20191 })
    const provider = createProvider(anvil.rpcUrl, 20191)
    const verifier = await serveVerifier({
      provider,
      deployments: { ...service.ctx.deployments },
      db: service.ctx.db,
      domain: 'stale.bank.example',
      watcher: { pollMs: 100, freshnessMs: 100, maxStalenessMs: 1000 },
    })
    try {
      const probe = () => verifier.api('/credentials/verify', { verifiableCredential: 'not-a-jwt' })
      expect((await probe()).status).toBe(422)
      const request = (await verifier.api('/v1/presentation-requests', { credentialTypes: THREE_TYPES, purpose: '陈旧性 staleness' })).body
      const vp = await wallet.present(request, { holder, credentialIds: THREE_TYPES.map((t) => issued[t].id) })

      await anvil.stop()
      const stoppedAt = Date.now()
      const withinBound = await probe()
      const coldRead = await verifier.api('/v1/presentations/verify', { presentation: vp, requestId: request.id })
      if (Date.now() - stoppedAt < 500) {
        // Within the bound, what needs no chain is answered; what needs a read it cannot make is not guessed.
        expect(withinBound.status).toBe(422)
        expect(coldRead.body.error.message).toMatch(/DID registry cannot be read/)
      }
      expect(coldRead.status).toBe(503)
      expect(coldRead.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')

      await sleep(1100)
      const answers = [
        await probe(),
        await verifier.api('/v1/presentations/verify', { presentation: vp, requestId: request.id }),
        await verifier.api('/presentations/verify', {
          verifiablePresentation: vp,
          options: { challenge: request.challenge, domain: request.domain },
        }),
      ]
      for (const answer of answers) {
        expect(answer.status).toBe(503)
        expect(answer.body.error.code).toBe('ERR_CHAIN_UNAVAILABLE')
      }
    } finally {
      await verifier.close()
      provider.destroy()
    }
  })
})
