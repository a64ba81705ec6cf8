import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Contract } from 'ethers'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { accreditationChangeAction } from '../../src/issuing/governance/accreditation.js'
import { credentialTypeHash as typeHash } from '../../src/chain/registries/credential-type-hash.js'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { bearer, changeStatus, countRows, issue, readDemo, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo
let registry: Contract

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  registry = new Contract(service.ctx.deployments.contracts.trustedIssuers, loadArtifact('TrustedIssuerRegistry').abi, service.ctx.provider)
})

afterAll(async () => {
  await service?.dispose()
})

/** Runs an accreditation change through M-of-N governance; returns the block it executed in. */
async function govern(change: 'suspendIssuer' | 'reinstateIssuer', account: string): Promise<number> {
  const state = await service.ctx.governance.proposeAndApprove(
    accreditationChangeAction(service.ctx.deployments.contracts.trustedIssuers, account, change),
    service.ctx.members,
  )
  expect(state.executed).toBe(true)
  return service.ctx.provider.getBlockNumber()
}

const issueLicence = () => issue(service, demo.market.apiKey, 'BusinessLicenseCredential', businessLicenseClaims())
const issueGeneric = () =>
  service.api('/credentials/issue', {
    headers: bearer(demo.market.apiKey),
    body: {
      credential: {
        '@context': ['https://www.w3.org/2018/credentials/v1'],
        type: ['VerifiableCredential'],
        issuer: demo.market.did,
        credentialSubject: { id: 'did:example:holder' },
      },
    },
  })

describe('an accreditation suspended on chain', () => {
  let activeCredentialId: string

  it('issues while the department is accredited', async () => {
    const { status, body } = await issueLicence()
    expect(status).toBe(201)
    activeCredentialId = body.id
  })

  it('refuses issuance from the block that suspends it (403 ERR_NOT_ACCREDITED), storing nothing', async () => {
    const before = await service.ctx.provider.getBlockNumber()
    const suspendedIn = await govern('suspendIssuer', demo.market.account)
    const [, , , , , , status] = await registry.getIssuer(demo.market.account)
    expect(Number(status)).toBe(2)
    // The block before the governance execution still had the department accredited.
    const [previous] = await registry.getIssuer(demo.market.account, { blockTag: before })
    expect(previous).toBeDefined()
    expect(Number((await registry.getIssuer(demo.market.account, { blockTag: before }))[6])).toBe(1)

    const rows = await countRows(service)
    const refused = await issueLicence()
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('ERR_NOT_ACCREDITED')
    // A generic VC-API credential needs an active issuer too.
    const generic = await issueGeneric()
    expect(generic.status).toBe(403)
    expect(generic.body.error.code).toBe('ERR_NOT_ACCREDITED')
    expect(await countRows(service)).toEqual(rows)
    // Nothing was mined in between: the refusal is from the very block of the suspension.
    expect(await service.ctx.provider.getBlockNumber()).toBe(suspendedIn)
  })

  it('other departments keep issuing', async () => {
    const { status } = await issue(service, demo.socialSecurity.apiKey, 'SocialSecurityStatusCredential', socialSecurityStatusClaims())
    expect(status).toBe(201)
  })

  it('the suspended department can still revoke what it issued before', async () => {
    const { status, body } = await changeStatus(service, demo.market.apiKey, activeCredentialId, 'suspend')
    expect(status).toBe(200)
    expect(body).toMatchObject({ status: 'suspended', changed: true, onChain: 'confirmed' })
  })

  it('issues again once governance reinstates the accreditation', async () => {
    await govern('reinstateIssuer', demo.market.account)
    expect(
      await registry.isAccredited(demo.market.account, typeHash('BusinessLicenseCredential'), BigInt(Math.floor(Date.now() / 1000) + 60)),
    ).toBe(true)
    const { status, body } = await issueLicence()
    expect(status, JSON.stringify(body)).toBe(201)
    const generic = await issueGeneric()
    expect(generic.status).toBe(201)
  })
})
