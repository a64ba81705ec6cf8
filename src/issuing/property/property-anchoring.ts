import { ZeroHash } from 'ethers'
import type { DataSource, EntityManager } from 'typeorm'
import type { ChainWriter } from '../../chain/chain-writer.js'
import type { AnchorRegistryClient } from '../../chain/registries/anchor-registry.js'
import type { DepartmentStore } from '../departments/department-store.js'
import type { CredentialState } from '../records/credential-store.js'
import type { AnchorRef, StatusAnchorHook } from '../status/status-batcher.js'
import type { Logger } from '../../shared/logger.js'
import {
  anchorOutboxId,
  anchorsOwningAKey,
  propertyAnchorKey,
  propertyAnchorValue,
  rowAnchorKey,
  setAnchorState,
  unitAnchor,
  unitAnchorOfCredential,
  type PropertyAnchorClaim,
} from './property-anchor.js'

export interface AnchorMatch {
  unitNumber: string
  /** The certificate's anchor is on chain, written by its issuer, under its key, with its value. */
  current: boolean
  /** When that anchor was written (null unless current). */
  anchoredAt: string | null
  sequence: number | null
}

/**
 * Writes each certificate's anchor to the AnchorRegistry (from the issuing department's account): its value
 * while the certificate is its unit's current, active one, zero once it is suspended, revoked or transferred.
 * Answers "does the chain hold this certificate's anchor" from the chain and the certificate alone.
 */
export class PropertyAnchoring implements StatusAnchorHook {
  /** One write at a time per unit, so the last state recorded is the last one sent. */
  private readonly sending = new Map<string, Promise<unknown>>()

  constructor(
    private readonly deps: {
      db: DataSource
      writer: Pick<ChainWriter, 'submit' | 'confirmedAmong'>
      anchors: AnchorRegistryClient
      departments: Pick<DepartmentStore, 'get'>
      logger: Logger
    },
  ) {}

  /**
   * Sends the recorded state of a certificate's anchor (idempotent: each state has a fixed outbox id); the
   * value is zero when the anchor is cleared.
   */
  send(unitNumber: string, sequence: number): Promise<string> {
    const previous = this.sending.get(unitNumber) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(() => this.sendNow(unitNumber, sequence))
    this.sending.set(unitNumber, next)
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.sending.get(unitNumber) === next) this.sending.delete(unitNumber)
      })
    return next
  }

  private async sendNow(unitNumber: string, sequence: number): Promise<string> {
    const row = await unitAnchor(this.deps.db, unitNumber, sequence)
    if (!row) throw new Error(`no recorded anchor for unit ${unitNumber} sequence ${sequence}`)
    const department = await this.deps.departments.get(row.departmentId)
    if (!department) throw new Error(`unit ${unitNumber} sequence ${sequence} names an unknown department ${row.departmentId}`)
    const set = row.anchorState === 'set'
    const result = await this.deps.writer.submit({
      id: row.outboxId ?? anchorOutboxId(unitNumber, sequence, row.anchorVersion),
      account: department.account,
      contract: 'AnchorRegistry',
      target: this.deps.anchors.address,
      method: 'setAnchors',
      args: [department.account, [rowAnchorKey(row)], [set ? row.anchorValue : ZeroHash]],
      label: `property unit ${unitNumber} certificate #${sequence}: ${set ? 'anchor' : 'clear anchor'} (v${row.anchorVersion})`,
    })
    return result.receipt.hash
  }

  /** Sends anchor states recorded before a crash or an outage and not confirmed on chain. */
  async recover(): Promise<number> {
    const rows = await anchorsOwningAKey(this.deps.db)
    const ids = rows.map((row) => row.outboxId ?? anchorOutboxId(row.unitNumber, row.sequence, row.anchorVersion))
    const confirmed = new Set<string>()
    for (let i = 0; i < ids.length; i += 500)
      for (const id of await this.deps.writer.confirmedAmong(ids.slice(i, i + 500))) confirmed.add(id)
    let sent = 0
    for (const [i, row] of rows.entries()) {
      if (confirmed.has(ids[i]!)) continue
      try {
        await this.send(row.unitNumber, row.sequence)
        sent++
      } catch (error) {
        this.deps.logger.warn(`property anchor ${row.unitNumber} #${row.sequence} not sent: ${(error as Error).message}`)
      }
    }
    return sent
  }

  /**
   * Inside a status change's transaction: a property certificate's anchor is set only while it is active and
   * its unit's latest certificate. Records the new anchor state when it changes; returns what to send after
   * the commit (null for other credentials or when nothing changes).
   */
  async statusChanged(m: EntityManager, credentialId: string, next: CredentialState): Promise<AnchorRef | null> {
    const row = await unitAnchorOfCredential(m, credentialId)
    if (!row) return null
    const desired = next === 'active' && row.latest ? 'set' : 'cleared'
    if (row.anchorState === desired) return null
    await setAnchorState(m, row, desired)
    return { unitNumber: row.unitNumber, sequence: row.sequence }
  }

  /**
   * Checks a certificate's anchor on chain: the value its issuer wrote under the certificate's key must equal
   * the salted hash of its id. Needs only public data and the certificate itself; the caller verifies the
   * certificate first.
   */
  async anchorMatches(issuerAccount: string, unitNumber: string, credentialId: string, anchor: PropertyAnchorClaim): Promise<AnchorMatch> {
    const [value, at] = await this.deps.anchors.anchorOf(issuerAccount, propertyAnchorKey(unitNumber, anchor.keySalt))
    const current = value !== ZeroHash && value === propertyAnchorValue(unitNumber, credentialId, anchor.salt)
    return {
      unitNumber,
      current,
      anchoredAt: current ? new Date(Number(at) * 1000).toISOString() : null,
      sequence: anchor.sequence,
    }
  }
}
