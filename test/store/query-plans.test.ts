/**
 * Every list and search query of the stores is indexed (issue 15: flat at a million credentials). The stores'
 * own methods run against a migrated SQLite file; each statement they send is captured and its
 * `EXPLAIN QUERY PLAN` must show no full scan of a table (a SCAN … USING [COVERING] INDEX is fine) and no temporary
 * b-tree for an ORDER BY (a list sorted after reading every match is a scan by another name).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Entities } from '@veramo/data-store'
import { DataSource, type Logger } from 'typeorm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AccountStore } from '../../src/accounts/account-store.js'
import { OperatorKeyStore } from '../../src/accounts/operator-keys.js'
import { SessionStore } from '../../src/accounts/session-store.js'
import { CaseStore } from '../../src/cases/case-store.js'
import { ChainWriter } from '../../src/chain/chain-writer.js'
import { FeedbackStore } from '../../src/feedback/feedback-store.js'
import { AuditAnchorStore } from '../../src/issuing/audit/audit-anchor-store.js'
import { AuditLog } from '../../src/issuing/audit/audit-log.js'
import { ApiKeyStore } from '../../src/issuing/departments/api-keys/api-key-store.js'
import { DepartmentStore } from '../../src/issuing/departments/department-store.js'
import { IssuerKeyStore } from '../../src/issuing/issuer-keys/issuer-key-store.js'
import { OfferStore } from '../../src/issuing/offers/offer-store.js'
import { RuleStore } from '../../src/issuing/onestop/rule-store.js'
import { anchorsOwningAKey, prepareAnchor, unitAnchor, unitAnchorOfCredential } from '../../src/issuing/property/property-anchor.js'
import { CredentialStore, type CredentialQuery } from '../../src/issuing/records/credential-store.js'
import { StatusBatcher } from '../../src/issuing/status/status-batcher.js'
import { silentLogger } from '../../src/shared/logger.js'
import { allMigrations, verifierMigrations } from '../../src/store/migrations/index.js'
import { quietSqlite3 } from '../../src/store/sqlite-driver.js'
import { PresentationRequestStore } from '../../src/verifying/presentation-requests.js'
import { LocalVerifierKeys } from '../../src/verifying/relying-parties/local-verifier-keys.js'
import { RelyingPartyStore } from '../../src/verifying/relying-parties/relying-party-store.js'
import { VerifierIdentityStore } from '../../src/verifying/relying-parties/verifier-identity-store.js'
import { WebhookOutbox } from '../../src/verifying/relying-parties/webhook-outbox.js'

interface Statement {
  sql: string
  params: unknown[]
}

/** Statements sent while `recording` is on (not the migrations'). */
const captured: Statement[] = []
let recording = false

const recorder: Logger = {
  logQuery(query, parameters) {
    if (recording) captured.push({ sql: query, params: parameters ?? [] })
  },
  logQueryError() {},
  logQuerySlow() {},
  logSchemaBuild() {},
  logMigration() {},
  log() {},
}

/**
 * Statements that sort what an index found, on purpose: reconciliation reads only the open writes (pending or sent,
 * through idx_outbox_status) and orders those few; no index gives two status values in createdAt order.
 */
const SORTS_A_BOUNDED_SET = new Set([`SELECT * FROM govcred_chain_outbox WHERE status IN ('pending', 'sent') ORDER BY createdAt`])

/** Plan lines that read a whole table, or sort a list after reading it. */
export function unindexed(planDetails: string[]): string[] {
  return planDetails.filter((detail) => {
    const scan = /^SCAN (\S+)(?: AS \S+)?(.*)$/.exec(detail)
    if (scan) {
      if (scan[1] === 'CONSTANT' || scan[1]!.startsWith('sqlite_')) return false
      return !/USING (?:COVERING |INTEGER PRIMARY KEY |ROWID )?(?:INDEX|KEY)/.test(scan[2] ?? '')
    }
    return detail === 'USE TEMP B-TREE FOR ORDER BY'
  })
}

let dir: string
let db: DataSource
let verifierDb: DataSource

/** A SQLite file migrated as a full node (with Veramo's entities, as agent.yml opens it) or a verifier-only node opens it. */
async function openRecorded(file: string, kind: 'full' | 'verifier'): Promise<DataSource> {
  const source = new DataSource({
    type: 'sqlite',
    driver: quietSqlite3,
    database: join(dir, file),
    ...(kind === 'full' ? { entities: Entities, migrations: allMigrations } : { migrations: verifierMigrations }),
    migrationsRun: true,
    synchronize: false,
    logging: true,
    logger: recorder,
    enableWAL: true,
  })
  return source.initialize()
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'govcred-plans-'))
  db = await openRecorded('govcred.sqlite', 'full')
  verifierDb = await openRecorded('verifier.sqlite', 'verifier')
})

afterAll(async () => {
  await db?.destroy()
  await verifierDb?.destroy()
  rmSync(dir, { recursive: true, force: true })
})

interface Plan {
  sql: string
  details: string[]
  unindexed: string[]
}

/** Runs `exercise` and answers the plan of each distinct statement it sent, with the plan lines that are not indexed. */
async function plansOf(exercise: () => Promise<unknown>, source: DataSource = db): Promise<Plan[]> {
  captured.length = 0
  recording = true
  try {
    await exercise()
  } finally {
    recording = false
  }
  // `WHERE 0` statements read nothing: they only take the write lock (write-transaction.ts).
  const statements = captured.filter(
    (s) => /^\s*(SELECT|UPDATE|DELETE|INSERT[\s\S]*\bSELECT\b|WITH)\b/i.test(s.sql) && !/\bWHERE 0$/.test(s.sql.trim()),
  )
  const seen = new Set<string>()
  const plans: Plan[] = []
  for (const statement of statements) {
    const sql = statement.sql.replace(/\s+/g, ' ').trim()
    if (seen.has(sql)) continue
    seen.add(sql)
    const rows: { detail: string }[] = await source.query(`EXPLAIN QUERY PLAN ${statement.sql}`, statement.params)
    const details = rows.map((r) => r.detail)
    const bounded = SORTS_A_BOUNDED_SET.has(sql) && details.some((d) => /^SEARCH \S+ USING INDEX/.test(d))
    plans.push({ sql, details, unindexed: unindexed(details).filter((d) => !(bounded && d === 'USE TEMP B-TREE FOR ORDER BY')) })
  }
  return plans
}

async function expectIndexed(exercise: () => Promise<unknown>, atLeast = 1, source: DataSource = db): Promise<Plan[]> {
  const plans = await plansOf(exercise, source)
  expect(plans.length).toBeGreaterThanOrEqual(atLeast)
  expect(plans.filter((p) => p.unindexed.length > 0).map(({ sql, unindexed }) => ({ sql, unindexed }))).toEqual([])
  return plans
}

const DEPT = 'market-supervision'
const DID = 'did:ethr:govcred:0x0000000000000000000000000000000000000001'
const T0 = '2026-01-01T00:00:00.000Z'

/** Every combination of the search filters, with and without a cursor. */
function searchQueries(): CredentialQuery[] {
  const filters: Partial<CredentialQuery>[] = [
    { type: 'BusinessLicenseCredential' },
    { types: ['BusinessLicenseCredential', 'PropertyCertificateCredential'] },
    { status: 'revoked' },
    { holder: 'did:ethr:0x01' },
    { subjectKey: 'k' },
    { issuedFrom: T0 },
    { issuedUntil: '2027-01-01T00:00:00.000Z' },
    { cursor: `${T0}|urn:uuid:1` },
  ]
  const queries: CredentialQuery[] = []
  for (let mask = 0; mask < 1 << filters.length; mask++) {
    const query: CredentialQuery = { limit: 50 }
    filters.forEach((f, i) => {
      if (mask & (1 << i)) Object.assign(query, f)
    })
    queries.push(query)
  }
  return queries
}

describe('the plan check', () => {
  it('refuses a full scan and a sort of a whole list, and accepts an index', () => {
    expect(unindexed(['SCAN govcred_credentials'])).toHaveLength(1)
    expect(unindexed(['SCAN u'])).toHaveLength(1)
    expect(unindexed(['USE TEMP B-TREE FOR ORDER BY'])).toHaveLength(1)
    expect(unindexed(['SCAN govcred_credentials USING INDEX idx_credentials_department'])).toEqual([])
    expect(unindexed(['SCAN govcred_sessions USING COVERING INDEX idx_govcred_sessions_account'])).toEqual([])
    expect(unindexed(['SEARCH govcred_credentials USING INDEX idx_credentials_department (departmentId=?)'])).toEqual([])
    expect(unindexed(['SCAN CONSTANT ROW', 'SCAN sqlite_sequence'])).toEqual([])
  })

  it('finds the scans of a query that has no index', async () => {
    const plans = await plansOf(() => db.query(`SELECT * FROM govcred_credentials WHERE jwt = ? ORDER BY validUntil`, ['x']))
    expect(plans[0]!.unindexed).toEqual(['SCAN govcred_credentials', 'USE TEMP B-TREE FOR ORDER BY'])
  })
})

describe('issuing stores', () => {
  it('credential records: lookups, counts, daily figures and every search', async () => {
    const credentials = new CredentialStore(db)
    await expectIndexed(async () => {
      await credentials.get('urn:uuid:1')
      await credentials.getOwned(DEPT, 'urn:uuid:1')
      await credentials.isIndexTaken(DID, 7)
      const maybeCount = (credentials as unknown as { countForIssuer?: (did: string) => Promise<number> }).countForIssuer
      if (maybeCount) await maybeCount.call(credentials, DID)
      await credentials.typesOf(DEPT, ['urn:uuid:1', 'urn:uuid:2'])
      await credentials.issuedPerDay(DEPT, { since: T0, utcOffsetMinutes: 480 })
      await credentials.issuedPerDay(DEPT, { since: T0, utcOffsetMinutes: 480, types: ['BusinessLicenseCredential'] })
      await credentials.currentForSubject(DEPT, 'SocialSecurityStatusCredential', 'k')
    }, 6)
  })

  it('credential search: every filter combination, and a rare holder or status is found through its own index', async () => {
    const credentials = new CredentialStore(db)
    const queries = searchQueries()
    for (const query of queries) {
      const [plan] = await expectIndexed(() => credentials.search(DEPT, query))
      // Walking the department's index newest first until a page of a rare holder (or of suspended ones) is full
      // reads every credential of the department: the search must be constrained on the holder (or the status).
      const constrained = plan!.details.join(' ')
      if (query.holder) expect(constrained, plan!.sql).toMatch(/\bholder=\?/)
      else if (query.status && !query.subjectKey) expect(constrained, plan!.sql).toMatch(/\bstatus=\?/)
    }
    expect(queries).toHaveLength(256)
  })

  it('audit log and its anchors', async () => {
    const audit = new AuditLog(db)
    const anchors = new AuditAnchorStore(db)
    await expectIndexed(async () => {
      await audit.append({ departmentId: DEPT, actor: 'bench', action: 'issue', credentialId: 'urn:uuid:1', details: {} })
      await audit.append({ departmentId: DEPT, actor: 'bench', action: 'revoke', credentialId: 'urn:uuid:1', details: {} })
      for (const action of [undefined, 'revoke' as const])
        for (const credentialId of [undefined, 'urn:uuid:1'])
          for (const before of [undefined, 2]) await audit.list(DEPT, { action, credentialId, before, limit: 1 })
      await audit.list(DEPT, { limit: 1 }, async (entries) => entries)
      const head = await audit.head(DEPT)
      await audit.findByHash(DEPT, head!.hash)
      await audit.verify(DEPT)
      await anchors.latest(DEPT)
      await anchors.list(DEPT)
    }, 5)
  })

  it('status changes: daily figures, latest reason, and the batcher’s queue', async () => {
    const writer = { get: async () => undefined, submit: async () => Promise.reject(new Error('no chain here')) } as unknown as ChainWriter
    const batcher = new StatusBatcher({
      db,
      writer,
      audit: new AuditLog(db),
      credentials: new CredentialStore(db),
      statusRegistry: '0x0000000000000000000000000000000000000002',
      logger: silentLogger,
    })
    await expectIndexed(async () => {
      await batcher.statusChangesPerDay(DEPT, { since: T0, utcOffsetMinutes: 480 })
      await batcher.statusChangesPerDay(DEPT, { since: T0, utcOffsetMinutes: 480, types: ['BusinessLicenseCredential'] })
      await batcher.latestReason('urn:uuid:1')
      await batcher.flush()
      await batcher.start()
      await batcher.stop()
    }, 4)
  })

  it('chain outbox', async () => {
    const writer = new ChainWriter(db, {} as never)
    await expectIndexed(async () => {
      await writer.get('x')
      await writer.confirmedAmong(['x', 'y'])
      await writer.list('pending')
      await writer.list()
      await writer.reconcile()
      await writer.lostConfirmed()
    }, 4)
  })

  it('departments, API keys, issuer keys', async () => {
    const departments = new DepartmentStore(db)
    const keys = new ApiKeyStore(db)
    const issuerKeys = new IssuerKeyStore(db)
    await expectIndexed(async () => {
      await departments.get(DEPT)
      await departments.byDid(DID)
      await departments.list()
      await keys.authenticate('gck_not-a-key')
      await keys.list(DEPT)
      await keys.list()
      await issuerKeys.list(DEPT)
    }, 4)
  })

  it('offers, one-stop rules and cases, property anchors', async () => {
    const offers = new OfferStore(db)
    const rules = new RuleStore(db)
    const cases = new CaseStore(db)
    await expectIndexed(async () => {
      await offers.get('x')
      await offers.byRefHash('x')
      await offers.byCodeHash('x')
      await offers.useNonce('n', '2030-01-01T00:00:00.000Z', T0)
      await offers.forgetClaimsOfDeadOffers(T0)
      await rules.get('r', '1')
      await rules.listPublished()
      await cases.get('c')
      await cases.byPresentationRequest('p')
      await cases.unfinished(50)
      await cases.getReview('v')
      await cases.listReviews(DEPT, 'open', 50)
      await cases.openCases(T0)
      await cases.purge(T0, T0)
      await prepareAnchor(db, '320106003005GB00123F00010203')
      await unitAnchor(db, '320106003005GB00123F00010203', 1)
      await unitAnchorOfCredential(db, 'urn:uuid:1')
      await anchorsOwningAKey(db)
    }, 10)
  })
})

describe('verifier stores', () => {
  it('presentation requests and used challenges', async () => {
    const requests = new PresentationRequestStore(db, 'verifier.example')
    await expectIndexed(async () => {
      const request = await requests.create({ credentialTypes: ['BusinessLicenseCredential'], purpose: 'plan check' })
      await requests.get(request.id)
      await requests.openAnonymousCount()
      await requests.isRequestChallenge('c')
      await requests.isExternalUsed('c')
      await requests.consumeExternal('c-12345678', 'verifier.example')
      await requests.purgeExpired()
      await requests.purgeResults(60_000)
      await requests.purgeUsedChallenges()
    }, 5)
  })

  it('relying parties, their keys, identities, local keys and webhooks', async () => {
    const parties = new RelyingPartyStore(db)
    const identities = new VerifierIdentityStore(db)
    const webhooks = new WebhookOutbox(db)
    await expectIndexed(async () => {
      await parties.get('bank')
      await parties.list()
      await parties.webhookOf('bank')
      await parties.authenticate('gcrp_not-a-key')
      await parties.keysOf('bank')
      await identities.list('bank')
      await webhooks.claimDue(10, 30_000)
      await webhooks.nextDueAt()
      await webhooks.list('bank')
      await webhooks.purgeFinished(Date.now())
    }, 8)
  })
})

describe('a verifier-only node', () => {
  it('its own request-signing keys, requests, relying parties, accounts and operator keys', async () => {
    const localKeys = new LocalVerifierKeys(verifierDb, '00'.repeat(32))
    const requests = new PresentationRequestStore(verifierDb, 'verifier.example')
    await expectIndexed(
      async () => {
        await localKeys.findByPublicKey('bank', '02ab')
        await localKeys.list('bank')
        await requests.openAnonymousCount()
        await requests.purgeExpired()
        await requests.purgeResults(60_000)
        await new RelyingPartyStore(verifierDb).list()
        await new AccountStore(verifierDb).list()
        await new OperatorKeyStore(verifierDb).list()
      },
      6,
      verifierDb,
    )
  })
})

describe('accounts and feedback', () => {
  it('accounts, sessions, operator keys, feedback', async () => {
    const accounts = new AccountStore(db)
    const sessions = new SessionStore(db)
    const operators = new OperatorKeyStore(db)
    const feedback = new FeedbackStore(db, { maxStored: 1000 })
    await expectIndexed(async () => {
      await accounts.withSecret('clerk')
      await accounts.get('a')
      await accounts.byUsername('clerk')
      await accounts.list()
      await accounts.list({ kind: 'department' })
      await accounts.list({ orgId: DEPT })
      await accounts.list({ kind: 'department', orgId: DEPT })
      await sessions.get('s')
      await sessions.countForAccount('a')
      await sessions.deleteForAccount('a')
      await sessions.deleteForAccount('a', 's')
      await sessions.purgeExpired(T0, T0)
      await operators.authenticate('gcop_not-a-key')
      await operators.list()
      await feedback.add({ page: '/', message: 'plan check' })
      await feedback.list({})
      await feedback.list({ before: 10, limit: 5 })
      await feedback.count()
    }, 10)
  })
})
