/**
 * An in-memory credo-ts 0.6 StorageService (Askar cannot install here), after credo's own test helper
 * tests/InMemoryStorageService.ts: records per agent context, kept as JSON with their tags; a new context's
 * store is stamped with the current framework `StorageVersionRecord`, so the agent starts without an upgrade.
 */
import type { AgentContext, BaseRecord, BaseRecordConstructor, Query, StorageService, TagsBase } from '@credo-ts/core'
import { JsonTransformer, RecordDuplicateError, RecordNotFoundError, StorageVersionRecord } from '@credo-ts/core'

interface StoredRecord {
  value: Record<string, unknown>
  tags: TagsBase
  type: string
}

type AnyRecord = BaseRecord<any, any, any>

export class InMemoryStorageService implements StorageService<AnyRecord> {
  readonly supportsCursorPagination = false
  readonly #contexts = new Map<string, Map<string, StoredRecord>>()

  #records(agentContext: AgentContext): Map<string, StoredRecord> {
    let records = this.#contexts.get(agentContext.contextCorrelationId)
    if (!records) {
      records = new Map()
      this.#contexts.set(agentContext.contextCorrelationId, records)
      const version = new StorageVersionRecord({ storageVersion: StorageVersionRecord.frameworkStorageVersion })
      records.set(version.id, this.#serialise(version))
    }
    return records
  }

  #serialise(record: AnyRecord): StoredRecord {
    record.updatedAt = new Date()
    const value = JsonTransformer.toJSON(record)
    delete value._tags
    return { value, tags: record.getTags() as TagsBase, type: record.type }
  }

  #instance<T extends AnyRecord>(id: string, stored: StoredRecord, recordClass: BaseRecordConstructor<T>): T {
    const instance = JsonTransformer.fromJSON<T>(stored.value, recordClass)
    instance.id = id
    instance.replaceTags(stored.tags)
    return instance
  }

  #existing(agentContext: AgentContext, type: string, id: string): Map<string, StoredRecord> {
    const records = this.#records(agentContext)
    if (records.get(id)?.type !== type) throw new RecordNotFoundError(`record with id ${id} not found.`, { recordType: type })
    return records
  }

  async save(agentContext: AgentContext, record: AnyRecord): Promise<void> {
    const records = this.#records(agentContext)
    if (records.has(record.id)) {
      throw new RecordDuplicateError(`Record with id ${record.id} already exists`, { recordType: record.type })
    }
    records.set(record.id, this.#serialise(record))
  }

  async update(agentContext: AgentContext, record: AnyRecord): Promise<void> {
    this.#existing(agentContext, record.type, record.id).set(record.id, this.#serialise(record))
  }

  async delete(agentContext: AgentContext, record: AnyRecord): Promise<void> {
    this.#existing(agentContext, record.type, record.id).delete(record.id)
  }

  async deleteById(agentContext: AgentContext, recordClass: BaseRecordConstructor<AnyRecord>, id: string): Promise<void> {
    this.#existing(agentContext, recordClass.type, id).delete(id)
  }

  async getById<T extends AnyRecord>(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>, id: string): Promise<T> {
    return this.#instance(id, this.#existing(agentContext, recordClass.type, id).get(id)!, recordClass)
  }

  async getAll<T extends AnyRecord>(agentContext: AgentContext, recordClass: BaseRecordConstructor<T>): Promise<T[]> {
    return this.findByQuery(agentContext, recordClass, {})
  }

  async findByQuery<T extends AnyRecord>(
    agentContext: AgentContext,
    recordClass: BaseRecordConstructor<T>,
    query: Query<T>,
    queryOptions?: { offset?: number; limit?: number },
  ): Promise<T[]> {
    const offset = queryOptions?.offset ?? 0
    const matching = [...this.#records(agentContext)]
      .filter(([, stored]) => stored.type === recordClass.type && matches(stored.tags, query as Query<AnyRecord>))
      .slice(offset, queryOptions?.limit === undefined ? undefined : offset + queryOptions.limit)
    return matching.map(([id, stored]) => this.#instance(id, stored, recordClass))
  }
}

/** credo's tag query: plain keys must equal (an array value: all of them in the tag's array), $and all, $or one, $not none. */
function matches(tags: TagsBase, query: Query<AnyRecord>): boolean {
  const { $and, $or, $not, ...simple } = query as Record<string, unknown> & {
    $and?: Query<AnyRecord>[]
    $or?: Query<AnyRecord>[]
    $not?: Query<AnyRecord>
  }
  for (const [key, value] of Object.entries(simple)) {
    if (value === undefined) continue
    const tag = tags[key]
    if (Array.isArray(value) ? !Array.isArray(tag) || !value.every((v) => tag.includes(v)) : tag !== value) return false
  }
  if ($and && !$and.every((q) => matches(tags, q))) return false
  if ($or && !$or.some((q) => matches(tags, q))) return false
  if ($not && matches(tags, $not)) return false
  return true
}
