// Security review, finding 4: accreditation was checked at the credential's own nbf, with no bound. A credential
// signed with the Tax Bureau's key after its suspension, dated 30 s before it, verified true: the suspension,
// the consortium's emergency brake, did not stop its key. The nbf is the issuer's claim and nothing on chain
// shows when a credential was signed, so the default policy now refuses every credential of an issuer that is
// suspended (until it is reinstated) or revoked (reissue), and keeps the check at nbf for an active issuer.
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { accreditationChangeAction, type AccreditationChange } from '../../src/issuing/governance/accreditation.js'
import { ChainRegistryCache } from '../../src/verifying/chain-registry-cache.js'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import {
  createRequest,
  failures,
  isoSeconds,
  issueThree,
  nowSeconds,
  openWallet,
  readDemo,
  signAsDepartment,
  verifyOverHttp,
  type Demo,
  type GovcredType,
  type Issued,
} from '../verification/verification-helpers.js'

let service: TestService
let demo: Demo
let wallet: HolderWallet
let holder: string
let issued: Record<GovcredType, Issued>

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  wallet = await openWallet()
  holder = await wallet.createDid('key')
  issued = await issueThree(service, demo, holder)
})

afterAll(async () => {
  await wallet?.close()
  await service?.dispose()
})

type Answer = { status: number; body: any }

/** The holder presents this credential JWT for a new presentation request for its type. */
async function present(jwt: string, type: GovcredType): Promise<Answer> {
  const { hash } = await wallet.importCredential(jwt)
  const request = await createRequest(service, [type])
  return verifyOverHttp(service, await wallet.present(request, { holder, credentialIds: [hash] }), request.id)
}

/** The department's key signs a new credential of `type` dated `nbf`, whatever its accreditation (a stolen or rogue key). */
function signedWithKey(type: GovcredType, nbf: number): Promise<string> {
  return signAsDepartment(service, issued[type], {
    id: `urn:uuid:${randomUUID()}`,
    issuanceDate: isoSeconds(nbf),
    expirationDate: isoSeconds(nbf + 86_400),
  })
}

/** An accreditation change through M-of-N governance, dated after every credential so far; its block time once the verifier sees it. */
async function govern(type: GovcredType, change: AccreditationChange): Promise<number> {
  const { account } = demo[type]
  // Anvil may date the block in the same second as a credential issued just before: move the chain clock on.
  await service.ctx.provider.send('evm_increaseTime', [2])
  const state = await service.ctx.governance.proposeAndApprove(
    accreditationChangeAction(service.ctx.deployments.contracts.trustedIssuers, account, change),
    service.ctx.members,
  )
  expect(state.executed).toBe(true)
  const wanted = { suspendIssuer: 2, reinstateIssuer: 1, revokeIssuer: 3 }[change]
  await expect.poll(async () => (await service.verifier.deps.cache.issuer(account))?.status, { timeout: 3000, interval: 20 }).toBe(wanted)
  const record = await service.verifier.deps.cache.issuer(account)
  return record!.history.at(-1)![1]
}

/** Whether the check as it was (accredited at the credential's own nbf) would have let a credential dated `nbf` pass. */
async function accreditedAtClaimedTime(type: GovcredType, nbf: number): Promise<boolean> {
  return ChainRegistryCache.accreditedAt(await service.verifier.deps.cache.issuer(demo[type].account), type, nbf)
}

describe('an active issuer', () => {
  it('verifies a backdated credential dated within its accreditation, and refuses one dated before it (ERR_ISSUER_NOT_ACCREDITED)', async () => {
    const record = (await service.verifier.deps.cache.issuer(demo.BusinessLicenseCredential.account))!
    const accreditedSince = Math.max(record.validFrom, record.history[0]![1])
    const backdated = await signedWithKey('BusinessLicenseCredential', accreditedSince)
    expect(accreditedSince).toBeLessThan(nowSeconds())
    const accepted = await present(backdated, 'BusinessLicenseCredential')
    expect(failures(accepted.body)).toEqual([])
    expect(accepted.status).toBe(200)

    const beforeAccreditation = await present(
      await signedWithKey('BusinessLicenseCredential', accreditedSince - 3600),
      'BusinessLicenseCredential',
    )
    expect(beforeAccreditation.status).toBe(422)
    expect(failures(beforeAccreditation.body)).toEqual(['issuerAccredited:ERR_ISSUER_NOT_ACCREDITED'])
  })
})

describe('a suspended issuer', () => {
  const type = 'SocialSecurityStatusCredential'
  let suspendedAt: number
  let backdated: string

  it('refuses a credential signed after the suspension but dated before it, ERR_ISSUER_SUSPENDED', async () => {
    suspendedAt = await govern(type, 'suspendIssuer')
    backdated = await signedWithKey(type, suspendedAt - 1)
    // Dated while accredited: the check at the credential's own nbf alone would let it through.
    expect(await accreditedAtClaimedTime(type, suspendedAt - 1)).toBe(true)
    const answer = await present(backdated, type)
    expect(answer.status, JSON.stringify(answer.body)).toBe(422)
    expect(answer.body.error.code).toBe('ERR_ISSUER_SUSPENDED')
    expect(failures(answer.body)).toEqual(['issuerAccredited:ERR_ISSUER_SUSPENDED'])
    expect(answer.body.error.message).toMatch(/suspended .*reinstated/)
  })

  it('refuses a credential dated after the suspension, ERR_ISSUER_SUSPENDED', async () => {
    const answer = await present(await signedWithKey(type, Math.max(suspendedAt + 1, nowSeconds())), type)
    expect(answer.status).toBe(422)
    expect(failures(answer.body)).toEqual(['issuerAccredited:ERR_ISSUER_SUSPENDED'])
  })

  it('refuses a credential issued before the suspension while it lasts, and verifies it again after reinstatement', async () => {
    const during = await present(issued[type].jwt, type)
    expect(during.status).toBe(422)
    expect(failures(during.body)).toEqual(['issuerAccredited:ERR_ISSUER_SUSPENDED'])

    await govern(type, 'reinstateIssuer')
    const after = await present(issued[type].jwt, type)
    expect(failures(after.body)).toEqual([])
    expect(after.status).toBe(200)
  })
})

describe('a revoked issuer', () => {
  const type = 'PropertyCertificateCredential'

  it('refuses its credentials, dated before and after the revocation, ERR_ISSUER_NO_LONGER_ACCREDITED (they must be reissued)', async () => {
    const revokedAt = await govern(type, 'revokeIssuer')
    expect(await accreditedAtClaimedTime(type, revokedAt - 1)).toBe(true)
    const cases = {
      'issued before the revocation': issued[type].jwt,
      'signed after it, dated before it': await signedWithKey(type, revokedAt - 1),
      'dated after it': await signedWithKey(type, Math.max(revokedAt + 1, nowSeconds())),
    }
    for (const [name, jwt] of Object.entries(cases)) {
      const answer = await present(jwt, type)
      expect(answer.status, name).toBe(422)
      expect(failures(answer.body), name).toEqual(['issuerAccredited:ERR_ISSUER_NO_LONGER_ACCREDITED'])
      expect(answer.body.error.message, name).toMatch(/reissued/)
    }
  })

  it('leaves the other departments’ credentials verified', async () => {
    const answer = await present(issued.BusinessLicenseCredential.jwt, 'BusinessLicenseCredential')
    expect(failures(answer.body)).toEqual([])
    expect(answer.status).toBe(200)
  })
})
