// Issue 13, Build item 2 and Bad input: portal accounts sign in with sessions (secure cookie, CSRF token, lockout),
// the audit trail names the clerk, a clerk issues but only a supervisor changes status, a session of another
// department sees nothing of this one's, a bank officer's session makes its bank's OpenID4VP requests.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { businessLicenseClaims } from '../fixtures/claims.js'
import { bearer, holderDid, readDemo, type Demo } from '../issuance/issuance-helpers.js'
import { redeemCode, requestCredential, walletKey, type CreatedOffer } from '../issuance/oid4vci-helpers.js'
import { demoAccounts } from '../../src/app/demo-accounts.js'
import { cli, demoAccount, postSignIn, signIn, type Browser } from './portal-session-helpers.js'

let service: TestService
let demo: Demo
let clerk: Browser
let supervisor: Browser
const CLERK = 'market-supervision-clerk'
const SUPERVISOR = 'market-supervision-supervisor'

/** A business licence as the console's form would send it. */
const licence = (n: number) => {
  const { id: _id, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
  return { type: 'BusinessLicenseCredential', holder: holderDid(n), claims }
}
const auditActors = async (credentialId: string) =>
  (
    await service.api(`/v1/audit?credentialId=${encodeURIComponent(credentialId)}`, { headers: bearer(demo.market.apiKey) })
  ).body.entries.map((e: { actor: string; action: string }) => `${e.action} ${e.actor}`)

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  clerk = await signIn(service, demoAccount(service, CLERK))
  supervisor = await signIn(service, demoAccount(service, SUPERVISOR))
}, 120_000)

afterAll(async () => {
  await service?.dispose()
})

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie for the whole site and answers the account and a CSRF token', async () => {
    const attributes = clerk.setCookie.split(';').map((a) => a.trim().toLowerCase())
    expect(clerk.cookie).toMatch(/^govcred_session=[A-Za-z0-9_-]{43}$/)
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/', `max-age=${8 * 3600}`]))
    // GOVCRED_PUBLIC_URL is http here: no Secure (the https case is in portal-session-expiry.test.ts).
    expect(attributes).not.toContain('secure')
    expect(clerk.signInBody).toMatchObject({
      account: {
        username: CLERK,
        kind: 'department',
        orgId: demo.market.id,
        role: 'clerk',
        organization: { name: '南京市市场监督管理局' },
      },
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      idleTimeoutSeconds: 1800,
    })
    const again = await clerk.call('/v1/session')
    expect(again.status).toBe(200)
    expect(again.body.csrfToken).toBe(clerk.csrfToken)
    // The database keeps only the cookie value's hash.
    const rows = await service.ctx.db.query(`SELECT idHash FROM govcred_sessions`)
    expect(rows.some((r: { idHash: string }) => clerk.cookie.endsWith(r.idHash))).toBe(false)
  })

  it('answers a wrong password and an unknown username the same, and a malformed body 400', async () => {
    const wrong = await postSignIn(service, CLERK, 'not the password at all')
    const unknown = await postSignIn(service, 'nobody-here', 'not the password at all')
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({ error: { code: 'ERR_AUTH_INVALID', message: expect.any(String) } })
    expect(unknown.body).toEqual(wrong.body)
    expect(unknown.headers.get('set-cookie')).toBeNull()
    const malformed = await service.api('/v1/session', { body: { username: 7, password: 'x', extra: true } })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('ERR_INVALID_REQUEST')
    expect(malformed.body.error.details.map((d: { field: string }) => d.field)).toEqual(['/username', '/extra'])
    expect((await service.api('/v1/session', { rawBody: '[', headers: { 'content-type': 'application/json' } })).status).toBe(400)
  })

  it('locks an account at the fifth wrong password (429, Retry-After), refuses the right one while locked, and the CLI unlocks it', async () => {
    const { password } = await service.accounts.create({ kind: 'department', orgId: demo.market.id, username: 'lock.me', role: 'clerk' })
    for (let i = 1; i <= 4; i++) expect((await postSignIn(service, 'lock.me', `wrong password ${i}`)).status).toBe(401)
    const fifth = await postSignIn(service, 'lock.me', 'wrong password 5')
    expect(fifth.status).toBe(429)
    expect(fifth.body.error.code).toBe('ERR_ACCOUNT_LOCKED')
    const retryAfter = Number(fifth.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(900)
    const right = await postSignIn(service, 'lock.me', password)
    expect(right.status).toBe(429)
    expect(right.headers.get('set-cookie')).toBeNull()

    const unlocked = await cli(['account', 'unlock', 'lock.me'], service.dataDir)
    expect(unlocked.code, unlocked.stderr).toBe(0)
    expect(unlocked.json).toMatchObject({ username: 'lock.me', state: 'active', failedAttempts: 0, lockedUntil: null })
    expect((await postSignIn(service, 'lock.me', password)).status).toBe(200)
  })

  it('locks an unknown username the same way, so that the lockout does not tell which usernames exist', async () => {
    const answers = []
    for (let i = 1; i <= 5; i++) answers.push(await postSignIn(service, 'no.such.clerk', `wrong password ${i}`))
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 429])
    expect(answers[4]!.body.error.code).toBe('ERR_ACCOUNT_LOCKED')
    expect(Number(answers[4]!.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('starts a new session at every sign-in: the cookie the browser had before is worth nothing after', async () => {
    const account = demoAccount(service, 'real-estate-registration-clerk')
    const first = await signIn(service, account)
    const second = await postSignIn(service, account.username, account.password, { cookie: first.cookie })
    expect(second.status).toBe(200)
    expect((await first.call('/v1/session')).body.error.code).toBe('ERR_SESSION_EXPIRED')
  })
})

describe('CSRF', () => {
  it('refuses an unsafe request with the cookie and no or a wrong X-CSRF-Token, and takes it with the token', async () => {
    const none = await clerk.call('/v1/credentials', { body: licence(1), csrf: false })
    expect(none.status).toBe(403)
    expect(none.body.error.code).toBe('ERR_CSRF')
    const wrong = await clerk.call('/v1/credentials', { body: licence(1), csrf: supervisor.csrfToken })
    expect(wrong.body.error.code).toBe('ERR_CSRF')
    const right = await clerk.call('/v1/credentials', { body: licence(1) })
    expect(right.status, JSON.stringify(right.body)).toBe(201)
  })

  it('refuses another Origin, and takes the public one', async () => {
    const foreign = await clerk.call('/v1/credentials', { body: licence(2), headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    expect(foreign.body.error.code).toBe('ERR_CSRF')
    const nullOrigin = await clerk.call('/v1/credentials', { body: licence(2), headers: { origin: 'null' } })
    expect(nullOrigin.body.error.code).toBe('ERR_CSRF')
    const own = await clerk.call('/v1/credentials', { body: licence(2), headers: { origin: new URL(service.url).origin } })
    expect(own.status).toBe(201)
    // Sign-in from another origin (login CSRF) is refused too.
    const account = demoAccount(service, CLERK)
    expect((await postSignIn(service, account.username, account.password, { origin: 'https://evil.example' })).body.error.code).toBe(
      'ERR_CSRF',
    )
  })

  it('leaves API clients (a Bearer key, no cookie) and the wallet protocol endpoints alone', async () => {
    const { id: _id, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
    const api = await service.api('/v1/credentials', {
      headers: { ...bearer(demo.market.apiKey), origin: 'https://bank-systems.example' },
      body: { type: 'BusinessLicenseCredential', holder: holderDid(3), claims },
    })
    expect(api.status).toBe(201)
    // A citizen's wallet in the same browser as a signed-in clerk: the cookie rides along, unused.
    const nonce = await clerk.call(`/oid4vci/${demo.market.id}/nonce`, { method: 'POST', body: {}, csrf: false })
    expect(nonce.status).toBe(200)
    expect(nonce.body.c_nonce).toEqual(expect.any(String))
  })
})

describe('department sessions', () => {
  it('issues as the clerk: the audit trail names clerk:<username>', async () => {
    const issued = await clerk.call('/v1/credentials', { body: licence(10) })
    expect(issued.status).toBe(201)
    expect(await auditActors(issued.body.id)).toEqual([`issue clerk:${CLERK}`])
    const read = await clerk.call(`/v1/credentials/${encodeURIComponent(issued.body.id)}`)
    expect(read.status).toBe(200)
  })

  it('refuses a clerk a status change, the property transfer and the audit (403 ERR_ROLE_FORBIDDEN); a supervisor may', async () => {
    const issued = await clerk.call('/v1/credentials', { body: licence(11) })
    const path = `/v1/credentials/${encodeURIComponent(issued.body.id)}`
    for (const action of ['revoke', 'suspend', 'reinstate']) {
      const refused = await clerk.call(`${path}/${action}`, { method: 'POST' })
      expect(refused.status, action).toBe(403)
      expect(refused.body.error.code).toBe('ERR_ROLE_FORBIDDEN')
    }
    expect((await clerk.call('/v1/audit')).body.error.code).toBe('ERR_ROLE_FORBIDDEN')
    expect((await clerk.call('/v1/audit/verify')).body.error.code).toBe('ERR_ROLE_FORBIDDEN')
    // The registration centre's clerk (its department transfers property) may not either.
    const registrar = await signIn(service, demoAccount(service, 'real-estate-registration-clerk'))
    const transfer = await registrar.call('/v1/property/transfers', {
      body: { sellerCredentialId: 'urn:uuid:00000000-0000-4000-8000-000000000000' },
    })
    expect(transfer.body.error.code).toBe('ERR_ROLE_FORBIDDEN')
    expect((await clerk.call(`${path}/status`)).body.status).toBe('active')

    // Answered once mined (its audit entry is written then).
    const revoked = await supervisor.call(`${path}/revoke`, { method: 'POST' })
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200)
    expect(revoked.body.status).toBe('revoked')
    expect(await auditActors(issued.body.id)).toContain(`revoke clerk:${SUPERVISOR}`)
    const audit = await supervisor.call('/v1/audit?limit=5')
    expect(audit.status).toBe(200)
    expect((await supervisor.call('/v1/audit/verify')).status).toBe(200)
  })

  it("answers another department's session 404 for this department's credential, as that department's key is answered", async () => {
    const issued = await clerk.call('/v1/credentials', { body: licence(12) })
    const path = `/v1/credentials/${encodeURIComponent(issued.body.id)}`
    const otherClerk = await signIn(service, demoAccount(service, 'human-resources-social-security-clerk'))
    const otherSupervisor = await signIn(service, demoAccount(service, 'human-resources-social-security-supervisor'))
    const bySession = await otherClerk.call(path)
    const byKey = await service.api(path, { headers: bearer(demo.socialSecurity.apiKey) })
    expect(bySession.status).toBe(404)
    expect(bySession.body.error.code).toBe('ERR_CREDENTIAL_NOT_FOUND')
    expect(bySession.body.error.code).toBe(byKey.body.error.code)
    expect((await otherSupervisor.call(`${path}/revoke`, { method: 'POST' })).status).toBe(404)
    const list = await otherSupervisor.call('/v1/credentials?limit=200')
    expect(list.body.items.map((c: { id: string }) => c.id)).not.toContain(issued.body.id)
  })

  it("refuses a bank officer's and an operator's session on department routes (403 ERR_ROLE_FORBIDDEN)", async () => {
    const officer = await signIn(service, demoAccount(service, 'demo-bank-of-nanjing-officer'))
    expect((await officer.call('/v1/credentials')).body.error.code).toBe('ERR_ROLE_FORBIDDEN')
    const operator = await signIn(service, demoAccount(service, 'operator'))
    expect((await operator.call('/v1/credentials', { body: licence(13) })).body.error.code).toBe('ERR_ROLE_FORBIDDEN')
  })

  it("makes credential offers as the clerk, redeemed in the clerk's name; a disabled clerk's offers are refused", async () => {
    const { id: _id, ...claims } = businessLicenseClaims() as unknown as Record<string, unknown>
    const { password } = await service.accounts.create({
      kind: 'department',
      orgId: demo.market.id,
      username: 'offer.clerk',
      role: 'clerk',
    })
    const offerClerk = await signIn(service, { username: 'offer.clerk', password })
    const made = await offerClerk.call('/v1/credential-offers', { body: { type: 'BusinessLicenseCredential', claims } })
    expect(made.status, JSON.stringify(made.body)).toBe(201)
    const redeemed = await requestCredential(await redeemCode(made.body as CreatedOffer), await walletKey())
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200)
    const described = await offerClerk.call(`/v1/credential-offers/${made.body.id}`)
    expect(described.body).toMatchObject({ status: 'redeemed' })
    expect(await auditActors(described.body.credentialId)).toEqual(
      expect.arrayContaining(['issue clerk:offer.clerk', `offer-redeem wallet:offer:${made.body.id}`]),
    )

    const pending = await offerClerk.call('/v1/credential-offers', { body: { type: 'BusinessLicenseCredential', claims } })
    await service.accounts.disable('offer.clerk')
    const refused = await requestCredential(await redeemCode(pending.body as CreatedOffer), await walletKey())
    expect(refused.status).toBe(400)
    expect(refused.body).toMatchObject({ error: 'credential_request_denied', govcred_code: 'ERR_AUTH_INVALID' })
    expect((await offerClerk.call('/v1/session')).body.error.code).toBe('ERR_SESSION_EXPIRED')
  })
})

describe('relying-party and operator sessions', () => {
  it("makes its bank's OpenID4VP presentation requests with an officer's session, and reads their state", async () => {
    const officer = await signIn(service, demoAccount(service, 'demo-bank-of-nanjing-officer'))
    const created = await officer.call('/v1/presentation-requests', {
      body: {
        protocol: 'openid4vp',
        credentials: [{ id: 'licence', type: 'BusinessLicenseCredential', claims: ['enterpriseName', 'unifiedSocialCreditCode'] }],
        purpose: { 'zh-CN': '贷款审核', en: 'Loan check' },
      },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect(created.body.verifier).toMatchObject({ id: 'demo-bank-of-nanjing' })
    const path = `/v1/presentation-requests/${created.body.id}`
    expect((await officer.call(path)).status).toBe(200)
    expect((await service.api(path)).status).toBe(401)
    // Without the token an officer's session creates nothing.
    const forged = await officer.call('/v1/presentation-requests', { body: { protocol: 'openid4vp' }, csrf: false })
    expect(forged.body.error.code).toBe('ERR_CSRF')
  })

  it("lets a platform operator's session through requireOperator, and no other account's", async () => {
    const operator = await signIn(service, demoAccount(service, 'operator'))
    const parties = await operator.call('/v1/relying-parties')
    expect(parties.status, JSON.stringify(parties.body)).toBe(200)
    expect((await clerk.call('/v1/relying-parties')).body.error.code).toBe('ERR_ROLE_FORBIDDEN')
  })
})

describe('sign-out and password change', () => {
  it('ends the session at sign-out (which needs the token) and clears the cookie', async () => {
    const account = demoAccount(service, 'real-estate-registration-supervisor')
    const browser = await signIn(service, account)
    expect((await browser.call('/v1/session', { method: 'DELETE', csrf: false })).body.error.code).toBe('ERR_CSRF')
    const out = await browser.call('/v1/session', { method: 'DELETE' })
    expect(out.status).toBe(200)
    expect(out.body).toEqual({ signedIn: false })
    expect(out.headers.getSetCookie()[0]).toMatch(/^govcred_session=;.*Expires=Thu, 01 Jan 1970/)
    const after = await browser.call('/v1/session')
    expect(after.status).toBe(401)
    expect(after.body.error.code).toBe('ERR_SESSION_EXPIRED')
    expect((await browser.call('/v1/credentials')).body.error.code).toBe('ERR_SESSION_EXPIRED')
    expect((await service.api('/v1/session')).body.error.code).toBe('ERR_AUTH_REQUIRED')
  })

  it('changes the own password: the current one is checked, a weak one refused, the other sessions end', async () => {
    const { password } = await service.accounts.create({
      kind: 'department',
      orgId: demo.market.id,
      username: 'pw.clerk',
      role: 'clerk',
    })
    const here = await signIn(service, { username: 'pw.clerk', password })
    const elsewhere = await signIn(service, { username: 'pw.clerk', password })
    const change = (currentPassword: string, newPassword: string) =>
      here.call('/v1/session/password', { body: { currentPassword, newPassword } })
    expect((await change('not the current one', 'a brand new passphrase')).body.error.code).toBe('ERR_AUTH_INVALID')
    expect((await change(password, 'short')).body.error.code).toBe('ERR_PASSWORD_WEAK')
    expect((await change(password, 'my pw.clerk password!')).body.error.code).toBe('ERR_PASSWORD_WEAK')
    expect((await change(password, 'a brand new passphrase')).body).toEqual({ changed: true })
    expect((await here.call('/v1/session')).status).toBe(200)
    expect((await elsewhere.call('/v1/session')).body.error.code).toBe('ERR_SESSION_EXPIRED')
    expect((await postSignIn(service, 'pw.clerk', password)).status).toBe(401)
    expect((await postSignIn(service, 'pw.clerk', 'a brand new passphrase')).status).toBe(200)
  })
})

describe('GET /v1/credentials/stats', () => {
  it('counts issued, revoked and suspended per day and type, from queries that use indexes', async () => {
    const stats = async (query = '') => (await supervisor.call(`/v1/credentials/stats${query}`)).body.days as any[]
    const today = (days: any[]) =>
      days.find((d) => d.type === 'BusinessLicenseCredential' && d.date === new Date().toISOString().slice(0, 10))
    const before = today(await stats('?days=7'))
    const ids: string[] = []
    for (let n = 20; n < 23; n++) ids.push((await clerk.call('/v1/credentials', { body: licence(n) })).body.id)
    const status = (id: string, action: string) =>
      supervisor.call(`/v1/credentials/${encodeURIComponent(id)}/${action}`, { method: 'POST', headers: { prefer: 'respond-async' } })
    expect((await status(ids[0]!, 'revoke')).status).toBe(202)
    expect((await status(ids[1]!, 'suspend')).status).toBe(202)

    // Every SELECT the endpoint runs, captured on the way to SQLite.
    const db = service.ctx.db
    const original = db.query.bind(db)
    const selects: { sql: string; params: unknown[] }[] = []
    db.query = (async (sql: string, params?: unknown[]) => {
      if (/^\s*SELECT date\(/.test(sql)) selects.push({ sql, params: params ?? [] })
      return original(sql, params)
    }) as typeof db.query
    let days: any[]
    try {
      days = await stats('?days=7')
    } finally {
      db.query = original
    }
    expect(days).toHaveLength(7 * demo.market.credentialTypes.length)
    expect(days[0].date < days[days.length - 1].date).toBe(true)
    expect(today(days)).toEqual({
      ...before,
      issued: before.issued + 3,
      revoked: before.revoked + 1,
      suspended: before.suspended + 1,
    })
    expect(selects).toHaveLength(2)
    for (const { sql, params } of selects) {
      const plan = (await original(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r: { detail: string }) => r.detail).join('\n')
      expect(plan, sql).toMatch(
        /SEARCH govcred_(credentials|status_changes) USING INDEX idx_(credentials_department|status_changes_department_created)/,
      )
      expect(plan, sql).not.toMatch(/SCAN govcred_/)
    }

    // Days are local dates: at UTC+14 "today" may already be tomorrow; the window still has 7 days.
    expect(await stats('?days=7&utcOffset=840')).toHaveLength(7 * demo.market.credentialTypes.length)
    expect((await stats()).length).toBe(30 * demo.market.credentialTypes.length)
    for (const bad of ['?days=0', '?days=367', '?days=x', '?utcOffset=900', '?utcOffset=+60', '?other=1']) {
      const refused = await supervisor.call(`/v1/credentials/stats${bad}`)
      expect(refused.status, bad).toBe(400)
      expect(refused.body.error.code).toBe('ERR_INVALID_QUERY')
    }
    // A key scoped to one type counts that type only; another department counts its own.
    const scoped = (await service.issuance.keys.create(demo.market.id, ['PropertyCertificateCredential'], 'scoped')).key
    const scopedDays = (await service.api('/v1/credentials/stats?days=2', { headers: bearer(scoped) })).body.days
    expect(scopedDays.map((d: { type: string }) => d.type)).toEqual([])
    const other = (await service.api('/v1/credentials/stats?days=1', { headers: bearer(demo.socialSecurity.apiKey) })).body.days
    expect(other.map((d: { type: string }) => d.type)).toEqual(['SocialInsuranceRegistrationCredential', 'SocialSecurityStatusCredential'])
    expect(other.every((d: { issued: number }) => d.issued === 0)).toBe(true)
  })
})

describe('the CLI and the demo accounts', () => {
  it('creates, lists, disables, resets and unlocks accounts', async () => {
    const created = await cli(
      [
        'account',
        'create',
        '--kind',
        'department',
        '--org',
        demo.market.id,
        '--username',
        'cli.clerk',
        '--role',
        'clerk',
        '--name',
        '王小明',
      ],
      service.dataDir,
    )
    expect(created.code, created.stderr).toBe(0)
    expect(created.json).toMatchObject({ username: 'cli.clerk', displayName: '王小明', role: 'clerk', state: 'active' })
    expect(created.json.password).toMatch(/^[A-Za-z0-9]{24}$/)
    expect(created.json.passwordHash).toBeUndefined()
    const browser = await signIn(service, { username: 'cli.clerk', password: created.json.password })

    const fromStdin = await cli(
      [
        'account',
        'create',
        '--kind',
        'relying-party',
        '--org',
        'demo-bank-of-nanjing',
        '--username',
        'cli.officer',
        '--role',
        'officer',
        '--password-stdin',
      ],
      service.dataDir,
      { stdin: 'a password typed by the admin\n' },
    )
    expect(fromStdin.code, fromStdin.stderr).toBe(0)
    expect(fromStdin.json.password).toBeUndefined()
    expect((await postSignIn(service, 'cli.officer', 'a password typed by the admin')).status).toBe(200)

    const list = await cli(['account', 'list', '--org', demo.market.id], service.dataDir)
    expect(list.json.map((a: { username: string }) => a.username)).toEqual(expect.arrayContaining(['cli.clerk', CLERK, SUPERVISOR]))
    expect(JSON.stringify(list.json)).not.toContain('scrypt')

    const reset = await cli(['account', 'reset-password', 'cli.clerk'], service.dataDir)
    expect(reset.code, reset.stderr).toBe(0)
    expect((await browser.call('/v1/session')).body.error.code).toBe('ERR_SESSION_EXPIRED')
    expect((await postSignIn(service, 'cli.clerk', created.json.password)).status).toBe(401)
    const again = await signIn(service, { username: 'cli.clerk', password: reset.json.password })

    const disabled = await cli(['account', 'disable', 'cli.clerk'], service.dataDir)
    expect(disabled.json).toMatchObject({ username: 'cli.clerk', state: 'disabled' })
    expect((await again.call('/v1/session')).body.error.code).toBe('ERR_SESSION_EXPIRED')
    expect((await postSignIn(service, 'cli.clerk', reset.json.password)).status).toBe(401)

    for (const [args, message] of [
      [
        ['account', 'create', '--kind', 'department', '--org', 'no-such-department', '--username', 'x.clerk', '--role', 'clerk'],
        /no department/,
      ],
      [
        ['account', 'create', '--kind', 'department', '--org', demo.market.id, '--username', 'x.clerk', '--role', 'officer'],
        /role is one of/,
      ],
      [['account', 'create', '--kind', 'department', '--org', demo.market.id, '--username', CLERK, '--role', 'clerk'], /taken/],
      [['account', 'unlock', 'nobody'], /no account nobody/],
    ] as const) {
      const refused = await cli([...args], service.dataDir)
      expect(refused.code, args.join(' ')).toBe(1)
      expect(refused.stderr).toMatch(message)
    }
  }, 120_000)

  it('lists the demo accounts in demo.json (0600) and does not make or rotate them again', async () => {
    const file = join(service.dataDir, 'demo.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    const listed = demoAccount(service, 'demo-bank-of-nanjing-officer')
    expect(listed).toMatchObject({ kind: 'relying-party', orgId: 'demo-bank-of-nanjing', role: 'officer' })
    for (const d of [demo.market, demo.realEstate, demo.socialSecurity]) {
      expect(demoAccount(service, `${d.id}-clerk`).role).toBe('clerk')
      expect(demoAccount(service, `${d.id}-supervisor`).role).toBe('supervisor')
    }
    expect(demoAccount(service, 'operator')).toMatchObject({ kind: 'platform', role: 'operator' })
    const before = (await service.accounts.accounts.list()).length
    const departments = [demo.market, demo.realEstate, demo.socialSecurity].map((d) => ({ id: d.id, name: d.id }))
    const second = await demoAccounts(file, service.accounts, departments, { id: 'demo-bank-of-nanjing', name: 'bank' })
    expect((await service.accounts.accounts.list()).length).toBe(before)
    expect(second.find((a) => a.username === CLERK)!.password).toBe(demoAccount(service, CLERK).password)
  })
})
