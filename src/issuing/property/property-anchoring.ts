import { Contract, ZeroHash, type JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { ChainWriter } from '../../chain/chain-writer.js'
import { loadArtifact } from '../../chain/contract-artifacts.js'
import type { Logger } from '../../shared/logger.js'
import { propertyAnchorValue, propertyUnitKey } from './property-anchor.js'

interface UnitRow {
  unitNumber: string
  departmentId: string
  sequence: number
  credentialId: string
  salt: string
  anchorValue: string
  outboxId: string
}

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
  private readonly registry: Contract

  constructor(private readonly deps: { db: DataSource; writer: ChainWriter; provider: JsonRpcProvider; anchorsAddress: string; logger: Logger }) {
    this.registry = new Contract(deps.anchorsAddress, loadArtifact('AnchorRegistry').abi, deps.provider)
  }

  /** Sends the anchor of a recorded unit sequence (idempotent: its outbox id is fixed). */
  async send(unitNumber: string, sequence: number): Promise<string> {
    const rows: (UnitRow & { account: string })[] = await this.deps.db.query(
      `SELECT u.*, d.account FROM govcred_property_units u JOIN govcred_departments d ON d.id = u.departmentId WHERE u.unitNumber = ? AND u.sequence = ?`,
      [unitNumber, sequence],
    )
    const row = rows[0]
    if (!row) throw new Error(`no recorded anchor for unit ${unitNumber} sequence ${sequence}`)
    const result = await this.deps.writer.submit({
      id: row.outboxId,
      account: row.account,
      contract: 'AnchorRegistry',
      target: this.deps.anchorsAddress,
      method: 'setAnchors',
      args: [row.account, [propertyUnitKey(unitNumber)], [row.anchorValue]],
      label: `property unit ${unitNumber} certificate #${sequence}`,
    })
    return result.receipt.hash
  }

  /** Sends anchors recorded before a crash or an outage (only the latest sequence of each unit matters). */
  async recover(): Promise<number> {
    const rows: UnitRow[] = await this.deps.db.query(
      `SELECT u.* FROM govcred_property_units u
       LEFT JOIN govcred_chain_outbox o ON o.id = u.outboxId
       WHERE (o.id IS NULL OR o.status != 'confirmed')
         AND u.sequence = (SELECT MAX(sequence) FROM govcred_property_units WHERE unitNumber = u.unitNumber)`,
    )
    let sent = 0
    for (const row of rows) {
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
  async isCurrent(issuerAccount: string, unitNumber: string, credentialId: string, anchor: { salt: string; sequence?: number }): Promise<CurrentCertificateCheck> {
    const [value, at] = await this.registry.anchorOf(issuerAccount, propertyUnitKey(unitNumber))
    const expected = propertyAnchorValue(unitNumber, credentialId, anchor.salt)
    return {
      unitNumber,
      current: value !== ZeroHash && value === expected,
      anchoredAt: value === ZeroHash ? null : new Date(Number(at) * 1000).toISOString(),
      sequence: anchor.sequence ?? null,
    }
  }
}
