import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { propertyCertificateClaims, socialSecurityStatusClaims } from '../fixtures/claims.js'
import { accreditationChangeAction } from '../../src/issuing/governance/accreditation.js'
import { bearer, bitsOnChain, changeStatus, countRows, issue, readDemo, statusIndexOf, unitNumber, type Demo } from './issuance-helpers.js'

let service: TestService
let demo: Demo

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
})

afterAll(async () => {
  await service?.dispose()
})

describe('an accreditation revoked on chain', () => {
  let earlier: { id: string; index: number }
  let revokedInBlock: number

  it('before the revocation, the department issues', async () => {
    const { status, body } = await issue(
      service,
      demo.socialSecurity.apiKey,
      'SocialSecurityStatusCredential',
      socialSecurityStatusClaims(),
    )
    expect(status).toBe(201)
    earlier = { id: body.id, index: statusIndexOf(body.credential) }
  })

  it('from the next block, every issuance of the department is refused (403 ERR_NOT_ACCREDITED) and nothing is stored', async () => {
    const state = await service.ctx.governance.proposeAndApprove(
      accreditationChangeAction(service.ctx.deployments.contracts.trustedIssuers, demo.socialSecurity.account, 'revokeIssuer'),
      service.ctx.members,
    )
    expect(state.executed).toBe(true)
    revokedInBlock = await service.ctx.provider.getBlockNumber()
    expect((await service.ctx.agent.trustRegistryGetIssuer({ issuer: demo.socialSecurity.did }))?.status).toBe('revoked')

    const before = await countRows(service)
    const refused = await issue(
      service,
      demo.socialSecurity.apiKey,
      'SocialSecurityStatusCredential',
      socialSecurityStatusClaims({ id: 'did:ethr:0x00000000000000000000000000000000000000bb' }),
    )
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('ERR_NOT_ACCREDITED')
    const generic = await service.api('/credentials/issue', {
      headers: bearer(demo.socialSecurity.apiKey),
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential'],
          issuer: demo.socialSecurity.did,
          credentialSubject: { id: 'did:example:holder' },
        },
      },
    })
    expect(generic.status).toBe(403)
    expect(generic.body.error.code).toBe('ERR_NOT_ACCREDITED')
    const vcApiTyped = await service.api('/credentials/issue', {
      headers: bearer(demo.socialSecurity.apiKey),
      body: {
        credential: {
          '@context': ['https://www.w3.org/2018/credentials/v1'],
          type: ['VerifiableCredential', 'SocialSecurityStatusCredential'],
          issuer: demo.socialSecurity.did,
          credentialSubject: socialSecurityStatusClaims(),
        },
      },
    })
    expect(vcApiTyped.status).toBe(403)
    expect(vcApiTyped.body.error.code).toBe('ERR_NOT_ACCREDITED')
    expect(await countRows(service)).toEqual(before)
    expect(await service.ctx.provider.getBlockNumber()).toBe(revokedInBlock)
  })

  it('the revoked department can still revoke its earlier credentials (their status stays meaningful)', async () => {
    const { status, body } = await changeStatus(service, demo.socialSecurity.apiKey, earlier.id, 'revoke')
    expect(status).toBe(200)
    expect(body).toMatchObject({ status: 'revoked', changed: true, onChain: 'confirmed' })
    expect((await bitsOnChain(service, demo.socialSecurity.account, earlier.index)).revoked).toBe(true)
  })

  it('other departments are unaffected', async () => {
    const { status } = await issue(
      service,
      demo.realEstate.apiKey,
      'PropertyCertificateCredential',
      propertyCertificateClaims({ propertyUnitNumber: unitNumber(77) }),
    )
    expect(status).toBe(201)
  })

  it('revocation is final: governance cannot reinstate it', async () => {
    await expect(
      service.ctx.governance.proposeAndApprove(
        accreditationChangeAction(service.ctx.deployments.contracts.trustedIssuers, demo.socialSecurity.account, 'reinstateIssuer'),
        service.ctx.members,
      ),
    ).rejects.toThrow()
    const refused = await issue(service, demo.socialSecurity.apiKey, 'SocialSecurityStatusCredential', socialSecurityStatusClaims())
    expect(refused.body.error.code).toBe('ERR_NOT_ACCREDITED')
  })
})
