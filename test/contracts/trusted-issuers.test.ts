import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  IssuerStatus,
  MAX_UINT64,
  as,
  blockTime,
  credentialType,
  deploySystem,
  eventsOf,
  governed,
  increaseTime,
  latestTime,
  randomAccount,
  revertOf,
  startChain,
  type Chain,
  type System,
} from './helpers.js'

const LICENSE = credentialType('BusinessLicenseCredential')
const PERMIT = credentialType('ConstructionPermitCredential')

let chain: Chain
let sys: System

beforeAll(async () => {
  chain = await startChain()
  sys = await deploySystem(chain.provider, 3, 2)
})
afterAll(async () => {
  await chain?.stop()
})

/** Registers a fresh issuer through governance; returns its address and the block time of registration. */
async function register(types = [LICENSE], validFrom?: bigint, validUntil = MAX_UINT64) {
  const account = randomAccount(chain.provider).address
  const from = validFrom ?? (await latestTime(chain.provider)) - 86_400n
  const { receipts } = await governed(sys, sys.issuers, 'registerIssuer', [
    account,
    'Market Supervision Bureau',
    '11310000MB2F12345X',
    types,
    from,
    validUntil,
  ])
  const receipt = receipts.at(-1)!
  return { account, receipt, registeredAt: await blockTime(receipt) }
}

async function change(fn: string, args: unknown[]) {
  const receipt = (await governed(sys, sys.issuers, fn, args)).receipts.at(-1)!
  return { receipt, at: await blockTime(receipt) }
}

/** [status, at] of a StatusChange; positional because ethers' Result is an Array, so `.at` is Array.prototype.at. */
const statusChange = (h: readonly unknown[]): unknown[] => [h[0], h[1]]

const accredited = (account: string, at: bigint, type = LICENSE): Promise<boolean> => sys.issuers.isAccredited(account, type, at)

describe('TrustedIssuerRegistry: writes only through governance', () => {
  it('rejects registerIssuer and every other write from a member or an outsider calling directly', async () => {
    const { account } = await register()
    for (const caller of [sys.members[0]!, randomAccount(chain.provider)]) {
      const reg = as(sys.issuers, caller)
      const attempts = [
        () => reg.registerIssuer(randomAccount(chain.provider).address, 'x', 'y', [LICENSE], 0, MAX_UINT64),
        () => reg.setCredentialTypes(account, [PERMIT]),
        () => reg.setValidity(account, 0, 1),
        () => reg.suspendIssuer(account),
        () => reg.reinstateIssuer(account),
        () => reg.revokeIssuer(account),
      ]
      for (const attempt of attempts) {
        const err = await revertOf(attempt(), sys.issuers)
        expect(err.name).toBe('NotGovernance')
        expect(err.args[0]).toBe(caller.address)
      }
    }
    expect(await sys.issuers.governance()).toBe(await sys.governance.getAddress())
  })
})

describe('TrustedIssuerRegistry: registration', () => {
  it('stores the issuer as Active from the registration block and emits events', async () => {
    const { account, receipt, registeredAt } = await register([LICENSE, PERMIT], 1_000n, 2_000_000_000n)
    const registered = eventsOf(receipt, sys.issuers, 'IssuerRegistered')[0]!.args
    expect(registered.toObject()).toMatchObject({
      account,
      name: 'Market Supervision Bureau',
      validFrom: 1_000n,
      validUntil: 2_000_000_000n,
    })
    expect([...registered.credentialTypes]).toEqual([LICENSE, PERMIT])
    expect([...eventsOf(receipt, sys.issuers, 'IssuerStatusChanged')[0]!.args]).toEqual([account, IssuerStatus.Active, registeredAt])

    const issuer = await sys.issuers.getIssuer(account)
    expect(issuer.toObject()).toMatchObject({
      account,
      name: 'Market Supervision Bureau',
      unifiedSocialCreditCode: '11310000MB2F12345X',
      validFrom: 1_000n,
      validUntil: 2_000_000_000n,
      status: IssuerStatus.Active,
      registeredAt,
      statusChangedAt: registeredAt,
    })
    expect([...issuer.credentialTypes]).toEqual([LICENSE, PERMIT])
    expect(await sys.issuers.getIssuerAccounts()).toContain(account)
    expect((await sys.issuers.getStatusHistory(account)).map(statusChange)).toEqual([[IssuerStatus.Active, registeredAt]])
  })

  it('rejects a duplicate account, an empty validity window and unknown issuers', async () => {
    const { account } = await register()
    expect(
      (
        await revertOf(
          governed(sys, sys.issuers, 'registerIssuer', [account, 'a', 'b', [LICENSE], 0, MAX_UINT64]),
          sys.governance,
          sys.issuers,
        )
      ).inner?.name,
    ).toBe('IssuerExists')

    const fresh = randomAccount(chain.provider).address
    const invalid = await revertOf(
      governed(sys, sys.issuers, 'registerIssuer', [fresh, 'a', 'b', [LICENSE], 500, 500]),
      sys.governance,
      sys.issuers,
    )
    expect(invalid.inner?.name).toBe('InvalidValidity')
    expect([...invalid.inner!.args]).toEqual([500n, 500n])

    expect((await revertOf(sys.issuers.getIssuer(fresh), sys.issuers)).name).toBe('UnknownIssuer')
    expect((await revertOf(governed(sys, sys.issuers, 'suspendIssuer', [fresh]), sys.governance, sys.issuers)).inner?.name).toBe(
      'UnknownIssuer',
    )
    expect(await accredited(fresh, await latestTime(chain.provider))).toBe(false)
    expect(await sys.issuers.getStatusHistory(fresh)).toHaveLength(0)
  })
})

describe('TrustedIssuerRegistry: isAccredited', () => {
  it('honours the validity window: validFrom inclusive, validUntil exclusive', async () => {
    const now = await latestTime(chain.provider)
    const { account, registeredAt } = await register([LICENSE], now - 10n, now + 1_000n)
    expect(await accredited(account, now - 11n)).toBe(false)
    // Active from its registration block, which a loaded machine may date a second or two after `now`.
    expect(await accredited(account, registeredAt)).toBe(true)
    expect(await accredited(account, now + 999n)).toBe(true)
    expect(await accredited(account, now + 1_000n)).toBe(false)
  })

  it('supports an open-ended window and changing the window', async () => {
    const { account, registeredAt } = await register([LICENSE], 0n, MAX_UINT64)
    expect(await accredited(account, MAX_UINT64 - 1n)).toBe(true)
    const { receipt } = await change('setValidity', [account, registeredAt, registeredAt + 3_600n])
    expect([...eventsOf(receipt, sys.issuers, 'IssuerValidityChanged')[0]!.args]).toEqual([account, registeredAt, registeredAt + 3_600n])
    expect(await accredited(account, registeredAt + 3_600n)).toBe(false)
    expect(await accredited(account, registeredAt + 3_599n)).toBe(true)
    expect((await revertOf(governed(sys, sys.issuers, 'setValidity', [account, 10, 9]), sys.governance, sys.issuers)).inner?.name).toBe(
      'InvalidValidity',
    )
  })

  it('answers only for the credential types in the list, which governance can replace', async () => {
    const { account } = await register([LICENSE])
    const now = await latestTime(chain.provider)
    expect(await accredited(account, now, PERMIT)).toBe(false)
    const { receipt } = await change('setCredentialTypes', [account, [PERMIT]])
    expect([...eventsOf(receipt, sys.issuers, 'IssuerCredentialTypesChanged')[0]!.args.credentialTypes]).toEqual([PERMIT])
    const later = await latestTime(chain.provider)
    expect(await accredited(account, later, PERMIT)).toBe(true)
    expect(await accredited(account, later, LICENSE)).toBe(false)
  })

  it('is false before registration even inside the validity window', async () => {
    const { account, registeredAt } = await register([LICENSE], 0n)
    expect(await accredited(account, registeredAt - 1n)).toBe(false)
    expect(await accredited(account, registeredAt)).toBe(true)
  })
})

describe('TrustedIssuerRegistry: suspension, revocation and history', () => {
  it('answers historically across suspend, reinstate and revoke', async () => {
    const { account, registeredAt: t0 } = await register([LICENSE], 0n)
    await increaseTime(chain.provider, 100)
    const suspended = await change('suspendIssuer', [account])
    await increaseTime(chain.provider, 100)
    const reinstated = await change('reinstateIssuer', [account])
    await increaseTime(chain.provider, 100)
    const revoked = await change('revokeIssuer', [account])
    const [t1, t2, t3] = [suspended.at, reinstated.at, revoked.at]
    expect(t0 < t1 && t1 < t2 && t2 < t3).toBe(true)

    for (const [{ receipt, at }, status] of [
      [suspended, IssuerStatus.Suspended],
      [reinstated, IssuerStatus.Active],
      [revoked, IssuerStatus.Revoked],
    ] as const) {
      expect([...eventsOf(receipt, sys.issuers, 'IssuerStatusChanged')[0]!.args]).toEqual([account, status, at])
    }

    const expectations: Array<[bigint, boolean]> = [
      [t0, true],
      [t1 - 1n, true],
      [t1, false],
      [t2 - 1n, false],
      [t2, true],
      [t3 - 1n, true],
      [t3, false],
      [t3 + 1_000_000n, false],
    ]
    for (const [at, expected] of expectations) {
      expect({ at, accredited: await accredited(account, at) }).toEqual({ at, accredited: expected })
    }

    const history = (await sys.issuers.getStatusHistory(account)).map(statusChange)
    expect(history).toEqual([
      [IssuerStatus.Active, t0],
      [IssuerStatus.Suspended, t1],
      [IssuerStatus.Active, t2],
      [IssuerStatus.Revoked, t3],
    ])
    const issuer = await sys.issuers.getIssuer(account)
    expect([issuer.status, issuer.statusChangedAt, issuer.registeredAt]).toEqual([IssuerStatus.Revoked, t3, t0])
  })

  it('rejects suspending a suspended issuer and reinstating an active one', async () => {
    const { account } = await register()
    const reinstate = await revertOf(governed(sys, sys.issuers, 'reinstateIssuer', [account]), sys.governance, sys.issuers)
    expect(reinstate.inner?.name).toBe('InvalidStatusTransition')
    expect([...reinstate.inner!.args]).toEqual([account, IssuerStatus.Active, IssuerStatus.Active])

    await change('suspendIssuer', [account])
    const suspend = await revertOf(governed(sys, sys.issuers, 'suspendIssuer', [account]), sys.governance, sys.issuers)
    expect(suspend.inner?.name).toBe('InvalidStatusTransition')
    expect([...suspend.inner!.args]).toEqual([account, IssuerStatus.Suspended, IssuerStatus.Suspended])
  })

  it('makes revocation final, also from suspension', async () => {
    const { account } = await register()
    await change('suspendIssuer', [account])
    await change('revokeIssuer', [account])
    const attempts: Array<[string, unknown[]]> = [
      ['reinstateIssuer', [account]],
      ['suspendIssuer', [account]],
      ['revokeIssuer', [account]],
      ['setValidity', [account, 0, MAX_UINT64]],
      ['setCredentialTypes', [account, [PERMIT]]],
    ]
    for (const [fn, args] of attempts) {
      const err = await revertOf(governed(sys, sys.issuers, fn, args), sys.governance, sys.issuers)
      expect({ fn, error: err.inner?.name }).toEqual({ fn, error: 'IssuerRevoked' })
    }
    expect((await sys.issuers.getIssuer(account)).status).toBe(IssuerStatus.Revoked)
  })
})
