import type { EntityManager } from 'typeorm'
import { AppError, NotFoundError } from '../../shared/errors/app-error.js'
import { writeTransaction } from '../../store/write-transaction.js'
import { actorOf, assertRecordScope, type DepartmentPrincipal } from '../departments/department-principal.js'
import type { CredentialRecord, CredentialState } from '../records/credential-store.js'
import { planStatusChange, queueStatusChange, type StatusAction, type StatusDeps } from './queue-status-change.js'
import type { AnchorRef, StatusChangeInput } from './status-batcher.js'

/** One department's request to change one credential's status. */
export interface StatusChangeRequest {
  principal: DepartmentPrincipal
  credentialId: string
  action: StatusAction
  reason?: string
}

/** What a recorded request leaves: its state, the changes it queued (none for a repeat), the anchors to send. */
export interface RecordedStatusChange {
  next: CredentialState
  changeIds: string[]
  anchors: AnchorRef[]
  /** The reason in force after it: this change's, or for a repeat the one of the change it repeats. */
  latestReason: string | null
}

interface Pending {
  request: StatusChangeRequest
  resolve(recorded: RecordedStatusChange): void
  reject(error: unknown): void
}

/** A request of a group, planned against the state the requests before it in the group left. */
interface Planned {
  pending: Pending
  record: CredentialRecord
  next: CredentialState
  changes: StatusChangeInput[]
  /** Undefined for a repeat whose reason in force is read from the database (no earlier change in the group). */
  latestReason: string | null | undefined
}

/** Most status changes in one transaction. */
const MAX_GROUP = 200

const commitsOf = new WeakMap<StatusDeps, StatusCommits>()

/** The one StatusCommits of `deps`, made on first use. */
export function statusCommitsOf(deps: StatusDeps): StatusCommits {
  let commits = commitsOf.get(deps)
  if (!commits) {
    commits = new StatusCommits(deps)
    commitsOf.set(deps, commits)
  }
  return commits
}

/**
 * Records status changes many per transaction: the requests that arrive while one transaction is being written
 * share the next. A group is decided as if its requests ran one after another in the order they came (a request
 * sees the state the ones before it left, so suspend, reinstate, suspend of one credential end suspended), but
 * written in a few rounds rather than one statement after another: all its records read together, then the changes
 * in one multi-row INSERT alongside each record's final status and the property anchors. A request refused (404, 409, out of scope) refuses before anything is written, so
 * it gets its own error and the others commit. When the transaction fails (a storage failure, a failed COMMIT),
 * each request is recorded again in a transaction of its own, in the same order; when it cannot even begin, all
 * waiting fail with its error.
 *
 * @example
 * const { next, changeIds } = await statusCommitsOf(deps).record({ principal, credentialId, action: 'revoke', reason })
 */
export class StatusCommits {
  private queue: Pending[] = []
  private scheduled = false

  constructor(private readonly deps: StatusDeps) {}

  /** Requests waiting for the next transaction (tests hold the write lock until a burst has arrived). */
  get waiting(): number {
    return this.queue.length
  }

  /** Resolves once the change is committed; rejects with the request's own refusal or the storage's error. */
  record(request: StatusChangeRequest): Promise<RecordedStatusChange> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject })
      this.schedule()
    })
  }

  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    let group: Pending[] | undefined
    let outcomes: Map<Pending, RecordedStatusChange | { refused: unknown }> | undefined
    writeTransaction(this.deps.db, async (manager) => {
      // From here on, new requests queue for the next transaction.
      this.scheduled = false
      group = this.queue.splice(0, MAX_GROUP)
      if (this.queue.length > 0) this.schedule()
      outcomes = await this.write(manager, group)
    }).then(
      () => {
        for (const [p, outcome] of outcomes!) {
          if ('refused' in outcome) p.reject(outcome.refused)
          else p.resolve(outcome)
        }
      },
      (error: unknown) => {
        if (!group) {
          // The transaction could not even begin (storage failure): everything waiting fails with it.
          this.scheduled = false
          this.queue.splice(0).forEach((p) => p.reject(error))
        } else if (group.length > 1) {
          // Queued on the write lock now, in this order: a second change of one credential still sees the first.
          for (const p of group) writeTransaction(this.deps.db, (m) => recordAlone(this.deps, m, p.request)).then(p.resolve, p.reject)
        } else {
          group.forEach((p) => p.reject(error))
        }
      },
    )
  }

  private async write(manager: EntityManager, group: Pending[]): Promise<Map<Pending, RecordedStatusChange | { refused: unknown }>> {
    const outcomes = new Map<Pending, RecordedStatusChange | { refused: unknown }>()
    const owned = await this.readOwned(manager, group)
    const planned: Planned[] = []
    // Per credential: the record as the group's requests so far left it, and the reason of its latest change.
    const current = new Map<string, { record: CredentialRecord; reason: string | null }>()
    for (const pending of group) {
      const { principal, credentialId, action, reason } = pending.request
      try {
        const stored = owned.get(ownedKey(principal.department.id, credentialId))
        if (!stored) throw notFound(principal, credentialId)
        assertRecordScope(principal, stored.type)
        const before = current.get(stored.id)
        const record = before?.record ?? stored
        const { next, changes } = await planStatusChange(this.deps, manager, record, action, actorOf(principal), action, reason)
        if (changes.length > 0) current.set(record.id, { record: { ...record, status: next }, reason: reason ?? null })
        planned.push({ pending, record, next, changes, latestReason: changes.length > 0 ? (reason ?? null) : before?.reason })
      } catch (error) {
        // A refusal answers only its own request; anything else (the storage) fails the group, redone one by one.
        if (!(error instanceof AppError)) throw error
        outcomes.set(pending, { refused: error })
      }
    }
    // A repeat shows the reason of the change in force before the group (nothing of the group changed it yet).
    const repeats = planned.filter((p) => p.latestReason === undefined)
    const reasons = await settledAll(repeats.map((p) => this.deps.batcher.latestReason(p.record.id, manager)))
    repeats.forEach((p, i) => (p.latestReason = reasons[i] ?? null))

    // The writes touch different rows (the queue, each changed record once, each certificate's anchor), so they go at
    // once; the record is written with the state the group's last change of it left.
    const [changeIds, , anchors] = await settledAll3(
      this.deps.batcher.queueMany(
        manager,
        planned.flatMap((p) => p.changes),
      ),
      settledAll([...current.values()].map(({ record }) => this.deps.credentials.setStatus(record.id, record.status, manager))),
      this.anchorsOf(manager, planned),
    )
    let next = 0
    for (const p of planned) {
      const ids = changeIds.slice(next, (next += p.changes.length))
      outcomes.set(p.pending, { next: p.next, changeIds: ids, anchors: anchors.get(p) ?? [], latestReason: p.latestReason ?? null })
    }
    return outcomes
  }

  /** Each distinct (department, credential) of the group, read at once, before the group writes anything. */
  private async readOwned(manager: EntityManager, group: Pending[]): Promise<Map<string, CredentialRecord>> {
    const keys = new Map<string, { departmentId: string; credentialId: string }>()
    for (const { request } of group) {
      const departmentId = request.principal.department.id
      keys.set(ownedKey(departmentId, request.credentialId), { departmentId, credentialId: request.credentialId })
    }
    const entries = [...keys]
    const records = await settledAll(entries.map(([, k]) => this.deps.credentials.getOwned(k.departmentId, k.credentialId, manager)))
    const owned = new Map<string, CredentialRecord>()
    entries.forEach(([key], i) => records[i] && owned.set(key, records[i]))
    return owned
  }

  /**
   * The property anchor of each change (propertyAnchors.statusChanged, inside the transaction): the changes of one
   * credential one after another in the group's order, different credentials at once.
   */
  private async anchorsOf(manager: EntityManager, planned: Planned[]): Promise<Map<Planned, AnchorRef[]>> {
    const hook = this.deps.propertyAnchors
    const anchors = new Map<Planned, AnchorRef[]>()
    if (!hook) return anchors
    const byCredential = new Map<string, Planned[]>()
    for (const p of planned) {
      if (p.changes.length === 0) continue
      const changes = byCredential.get(p.record.id)
      if (changes) changes.push(p)
      else byCredential.set(p.record.id, [p])
    }
    await settledAll(
      [...byCredential.values()].map(async (changes) => {
        for (const p of changes) {
          const anchor = await hook.statusChanged(manager, p.record.id, p.next)
          if (anchor) anchors.set(p, [anchor])
        }
      }),
    )
    return anchors
  }
}

/**
 * One request in its own transaction (`manager`'s): what each request of a failed group is recorded with again.
 */
async function recordAlone(deps: StatusDeps, manager: EntityManager, request: StatusChangeRequest): Promise<RecordedStatusChange> {
  const { principal, credentialId, action, reason } = request
  const record = await deps.credentials.getOwned(principal.department.id, credentialId, manager)
  if (!record) throw notFound(principal, credentialId)
  assertRecordScope(principal, record.type)
  const queued = await queueStatusChange(deps, manager, record, action, actorOf(principal), action, undefined, reason)
  // A repeat records nothing: its answer shows the reason of the change that is in force.
  return { ...queued, latestReason: queued.changeIds.length > 0 ? (reason ?? null) : await deps.batcher.latestReason(record.id, manager) }
}

/**
 * Promise.all that waits for every statement before it rejects: the transaction must not end (ROLLBACK) while a
 * statement of it is still to run, which would then run outside it.
 */
async function settledAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value)
}

/** settledAll of three different promises. */
async function settledAll3<A, B, C>(a: Promise<A>, b: Promise<B>, c: Promise<C>): Promise<[A, B, C]> {
  const [x, y, z] = await settledAll<unknown>([a, b, c])
  return [x as A, y as B, z as C]
}

const ownedKey = (departmentId: string, credentialId: string) => `${departmentId}\n${credentialId}`

const notFound = (principal: DepartmentPrincipal, credentialId: string) =>
  new NotFoundError('ERR_CREDENTIAL_NOT_FOUND', `no credential ${credentialId} issued by ${principal.department.id}`)
