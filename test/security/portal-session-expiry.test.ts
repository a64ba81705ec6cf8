// Issue 13: a portal session ends when idle (GOVCRED_SESSION_IDLE_SECONDS) and at its absolute end
// (GOVCRED_SESSION_MAX_SECONDS); under an https public URL its cookie is __Host- prefixed and Secure, and unsafe
// requests come from the public origin only. This node's idle time is one second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { PortalAccounts } from '../../src/accounts/portal-accounts.js'
import { hashSecretKey } from '../../src/shared/secret-keys.js'
import { demoAccount, postSignIn } from './portal-session-helpers.js'

let service: TestService
const CLERK = 'market-supervision-clerk'

beforeAll(async () => {
  service = await startTestService({ env: { GOVCRED_SESSION_IDLE_SECONDS: '1', GOVCRED_PUBLIC_URL: 'https://govcred.test' } })
}, 120_000)

afterAll(async () => {
  await service?.dispose()
})

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('an https public URL', () => {
  it('names the cookie __Host-govcred_session and marks it Secure (no Domain: this host only)', async () => {
    const { password } = demoAccount(service, CLERK)
    const signed = await postSignIn(service, CLERK, password, { origin: 'https://govcred.test' })
    expect(signed.status).toBe(200)
    const setCookie = signed.headers.getSetCookie()[0]!
    expect(setCookie).toMatch(/^__Host-govcred_session=[A-Za-z0-9_-]{43};/)
    const attributes = setCookie.split(';').map((a) => a.trim().toLowerCase())
    expect(attributes).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=strict', 'path=/']))
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false)
  })

  it('takes requests from the public origin only, not from where the request was sent', async () => {
    const { password } = demoAccount(service, CLERK)
    const foreign = await postSignIn(service, CLERK, password, { origin: new URL(service.url).origin })
    expect(foreign.status).toBe(403)
    expect(foreign.body.error.code).toBe('ERR_CSRF')
  })
})

describe('session lifetime', () => {
  it('ends a session idle for longer than GOVCRED_SESSION_IDLE_SECONDS, clears its cookie and deletes its row', async () => {
    const { password } = demoAccount(service, CLERK)
    const signed = await postSignIn(service, CLERK, password)
    const cookie = signed.headers.getSetCookie()[0]!.split(';')[0]!
    const idHash = hashSecretKey(cookie.slice(cookie.indexOf('=') + 1))
    expect(await service.accounts.sessions.get(idHash)).toBeDefined()
    await pause(1200)
    const after = await service.api('/v1/session', { headers: { cookie } })
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('ERR_SESSION_EXPIRED')
    expect(after.headers.getSetCookie()[0]).toMatch(/^__Host-govcred_session=;/)
    expect(await service.accounts.sessions.get(idHash)).toBeUndefined()
    const departmentRoute = await service.api('/v1/credentials', { headers: { cookie } })
    expect(departmentRoute.body.error.code).toBe('ERR_SESSION_EXPIRED')
  })

  it('purges the ended sessions of every account at each sign-in', async () => {
    const { password } = demoAccount(service, CLERK)
    await postSignIn(service, CLERK, password)
    await pause(1200)
    const other = demoAccount(service, 'market-supervision-supervisor')
    expect((await postSignIn(service, other.username, other.password)).status).toBe(200)
    const clerk = await service.accounts.accounts.byUsername(CLERK)
    expect(await service.accounts.sessions.countForAccount(clerk!.id)).toBe(0)
  })

  it('ends a busy session at GOVCRED_SESSION_MAX_SECONDS after sign-in (a clock of its own, the same database)', async () => {
    let now = Date.parse('2030-01-01T00:00:00.000Z')
    const portal = new PortalAccounts(
      service.ctx.db,
      { sessionIdleSeconds: 30, sessionMaxSeconds: 60, signInMaxFailures: 5, signInLockoutSeconds: 900 },
      () => new Date(now),
    )
    const { password } = await portal.create({ kind: 'department', orgId: 'market-supervision', username: 'clock.clerk', role: 'clerk' })
    const { token } = await portal.signIn('clock.clerk', password)
    for (const seconds of [20, 40, 59]) {
      now = Date.parse('2030-01-01T00:00:00.000Z') + seconds * 1000
      expect((await portal.lookup(token)).state, `${seconds} s`).toBe('active')
    }
    now = Date.parse('2030-01-01T00:01:00.000Z')
    expect((await portal.lookup(token)).state).toBe('ended')
    // And idle: 31 seconds without a request end a new session.
    const second = await portal.signIn('clock.clerk', password)
    now += 31_000
    expect((await portal.lookup(second.token)).state).toBe('ended')
  })
})
