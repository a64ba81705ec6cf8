import { ZeroHash } from 'ethers'
import type { DataSource } from 'typeorm'
import type { ChainWriter } from '../../chain/chain-writer.js'
import type { AnchorRegistryClient } from '../../chain/registries/anchor-registry.js'
import type { DepartmentStore } from '../departments/department-store.js'
import type { Logger } from '../../shared/logger.js'
import { latestUnitAnchors, propertyAnchorValue, propertyUnitKey, unitAnchor } from './property-anchor.js'

export interface CurrentCertificateCheck {
  unitNumber: string
  current: boolean
  /** When the anchor was last written (null if the unit was never anchored). */
  anchoredAt: string | null
  sequence: number | null
}

/**
 * Writes each unit's current-certificate anchor to the AnchorRegistry (from the issuing department's
 * account) and answers "is this the current certificate of this unit" from the chain alone.
 */
export class PropertyAnchoring {
  constructor(
    private readonly deps: {
      db: DataSource
      writer: Pick<ChainWriter, 'submit' | 'confirmedAmong'>
      anchors: AnchorRegistryClient
      departments: Pick<DepartmentStore, 'get'>
      logger: Logger
    },
  ) {}

  /** Sends the anchor of a recorded unit sequence (idempotent: its outbox id is fixed). */
  async send(unitNumber: string, sequence: number): Promise<string> {
    const row = await unitAnchor(this.deps.db, unitNumber, sequence)
    if (!row) throw new Error(`no recorded anchor for unit ${unitNumber} sequence ${sequence}`)
    const department = await this.deps.departments.get(row.departmentId)
    if (!department) throw new Error(`unit ${unitNumber} sequence ${sequence} names an unknown department ${row.departmentId}`)
    const result = await this.deps.writer.submit({
      id: row.outboxId,
      account: department.account,
      contract: 'AnchorRegistry',
      target: this.deps.anchors.address,
      method: 'setAnchors',
      args: [department.account, [propertyUnitKey(unitNumber)], [row.anchorValue]],
      label: `property unit ${unitNumber} certificate #${sequence}`,
    })
    return result.receipt.hash
  }

  /** Sends anchors recorded before a crash or an outage (only the latest sequence of each unit matters). */
  async recover(): Promise<number> {
    const latest = await latestUnitAnchors(this.deps.db)
    const confirmed = await this.deps.writer.confirmedAmong(latest.map((row) => row.outboxId))
    let sent = 0
    for (const row of latest.filter((r) => !confirmed.has(r.outboxId))) {
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
   * Checks a certificate against the chain: the anchor the issuer wrote for the unit must equal the
   * salted hash of this certificate's id. Needs only public data and the certificate itself.
   */
  async isCurrent(
    issuerAccount: string,
    unitNumber: string,
    credentialId: string,
    anchor: { salt: string; sequence?: number },
  ): Promise<CurrentCertificateCheck> {
    const [value, at] = await this.deps.anchors.anchorOf(issuerAccount, propertyUnitKey(unitNumber))
    const expected = propertyAnchorValue(unitNumber, credentialId, anchor.salt)
    return {
      unitNumber,
      current: value !== ZeroHash && value === expected,
      anchoredAt: value === ZeroHash ? null : new Date(Number(at) * 1000).toISOString(),
      sequence: anchor.sequence ?? null,
    }
  }
}
