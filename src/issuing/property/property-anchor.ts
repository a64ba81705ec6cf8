import { randomBytes } from 'node:crypto'
import { keccak256, toUtf8Bytes, hexlify } from 'ethers'
import type { EntityManager } from 'typeorm'

// The only SQL on govcred_property_units: each unit's certificates by sequence, the latest being current.

type Queryable = Pick<EntityManager, 'query'>

/** Carried in a property certificate (signed), so its holder can recompute the on-chain anchor. */
export interface PropertyAnchorClaim {
  sequence: number
  salt: string
}

/** The anchor key of a unit: public, derived from the unit number (not personal data). */
export const propertyUnitKey = (unitNumber: string) => keccak256(toUtf8Bytes(`govcred:property-unit:${unitNumber}`))

/** The anchored value: the certificate's id hidden behind a random salt only holders of the certificate know. */
export const propertyAnchorValue = (unitNumber: string, credentialId: string, salt: string) =>
  keccak256(toUtf8Bytes(`${unitNumber}|${credentialId}|${salt}`))

export interface PreparedAnchor extends PropertyAnchorClaim {
  unitNumber: string
  unitKey: string
}

/** Next certificate sequence of a unit and a fresh salt. */
export async function prepareAnchor(q: Queryable, unitNumber: string): Promise<PreparedAnchor> {
  const rows = await q.query(`SELECT COALESCE(MAX(sequence), 0) AS n FROM govcred_property_units WHERE unitNumber = ?`, [unitNumber])
  return { unitNumber, unitKey: propertyUnitKey(unitNumber), sequence: Number(rows[0].n) + 1, salt: hexlify(randomBytes(16)) }
}

/** Records the unit's new current certificate; the primary key refuses two certificates at one sequence. */
export async function recordAnchor(m: EntityManager, departmentId: string, anchor: PreparedAnchor, credentialId: string): Promise<string> {
  const value = propertyAnchorValue(anchor.unitNumber, credentialId, anchor.salt)
  await m.query(
    `INSERT INTO govcred_property_units (unitNumber, departmentId, sequence, credentialId, salt, anchorValue, outboxId, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      anchor.unitNumber,
      departmentId,
      anchor.sequence,
      credentialId,
      anchor.salt,
      value,
      anchorOutboxId(anchor.unitNumber, anchor.sequence),
      new Date().toISOString(),
    ],
  )
  return value
}

export const anchorOutboxId = (unitNumber: string, sequence: number) => `property-anchor:${unitNumber}:${sequence}`

/** One recorded certificate of a unit. */
export interface UnitAnchorRow {
  unitNumber: string
  departmentId: string
  sequence: number
  credentialId: string
  salt: string
  anchorValue: string
  outboxId: string
}

export async function unitAnchor(q: Queryable, unitNumber: string, sequence: number): Promise<UnitAnchorRow | undefined> {
  const rows: UnitAnchorRow[] = await q.query(`SELECT * FROM govcred_property_units WHERE unitNumber = ? AND sequence = ?`, [
    unitNumber,
    sequence,
  ])
  return rows[0]
}

/** The current (latest) certificate of every unit. */
export function latestUnitAnchors(q: Queryable): Promise<UnitAnchorRow[]> {
  return q.query(
    `SELECT u.* FROM govcred_property_units u
     WHERE u.sequence = (SELECT MAX(sequence) FROM govcred_property_units WHERE unitNumber = u.unitNumber)`,
  )
}
