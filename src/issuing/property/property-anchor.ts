import { randomBytes } from 'node:crypto'
import { keccak256, toUtf8Bytes, hexlify } from 'ethers'
import type { EntityManager } from 'typeorm'

// The only SQL on govcred_property_units: each unit's certificates by sequence, the latest being current, and
// the state of each certificate's on-chain anchor.

type Queryable = Pick<EntityManager, 'query'>

/**
 * Carried in a property certificate (signed), so its holder can recompute the on-chain anchor: the anchor key
 * from the unit number and `keySalt`, the anchored value from the unit number, the certificate's id and `salt`.
 * Certificates issued before anchor keys were salted carry no `keySalt` and use the legacy key.
 */
export interface PropertyAnchorClaim {
  sequence: number
  salt: string
  keySalt?: string
}

/** The legacy anchor key of a unit, derived from the unit number alone (anyone knowing it could follow the unit). */
export const propertyUnitKey = (unitNumber: string) => keccak256(toUtf8Bytes(`govcred:property-unit:${unitNumber}`))

/**
 * The anchor key of one certificate: derived with a random key salt the registration centre holds and the
 * certificate carries, so neither the unit number nor an earlier certificate of the unit leads to it. Without a
 * key salt (certificates issued before), the legacy key.
 */
export const propertyAnchorKey = (unitNumber: string, keySalt?: string | null) =>
  keySalt ? keccak256(toUtf8Bytes(`govcred:property-anchor-key:${unitNumber}|${keySalt}`)) : propertyUnitKey(unitNumber)

/** The anchored value: the certificate's id hidden behind a random salt only holders of the certificate know. */
export const propertyAnchorValue = (unitNumber: string, credentialId: string, salt: string) =>
  keccak256(toUtf8Bytes(`${unitNumber}|${credentialId}|${salt}`))

export interface PreparedAnchor extends Required<PropertyAnchorClaim> {
  unitNumber: string
  unitKey: string
}

/** What a certificate signs into its `propertyAnchor` claim. */
export const anchorClaim = (anchor: PreparedAnchor): Required<PropertyAnchorClaim> => ({
  sequence: anchor.sequence,
  salt: anchor.salt,
  keySalt: anchor.keySalt,
})

/** Next certificate sequence of a unit, a fresh salt and a fresh key salt. */
export async function prepareAnchor(q: Queryable, unitNumber: string): Promise<PreparedAnchor> {
  const rows = await q.query(`SELECT COALESCE(MAX(sequence), 0) AS n FROM govcred_property_units WHERE unitNumber = ?`, [unitNumber])
  const keySalt = hexlify(randomBytes(16))
  return {
    unitNumber,
    unitKey: propertyAnchorKey(unitNumber, keySalt),
    sequence: Number(rows[0].n) + 1,
    salt: hexlify(randomBytes(16)),
    keySalt,
  }
}

/** Records the unit's new current certificate; the primary key refuses two certificates at one sequence. */
export async function recordAnchor(m: EntityManager, departmentId: string, anchor: PreparedAnchor, credentialId: string): Promise<string> {
  const value = propertyAnchorValue(anchor.unitNumber, credentialId, anchor.salt)
  await m.query(
    `INSERT INTO govcred_property_units (unitNumber, departmentId, sequence, credentialId, salt, keySalt, anchorValue, anchorState, anchorVersion, outboxId, createdAt)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'set', 0, ?, ?)`,
    [
      anchor.unitNumber,
      departmentId,
      anchor.sequence,
      credentialId,
      anchor.salt,
      anchor.keySalt,
      value,
      anchorOutboxId(anchor.unitNumber, anchor.sequence, 0),
      new Date().toISOString(),
    ],
  )
  return value
}

/** The outbox id of one state of a certificate's anchor (version 0: its first write). */
export const anchorOutboxId = (unitNumber: string, sequence: number, version = 0) =>
  version === 0 ? `property-anchor:${unitNumber}:${sequence}` : `property-anchor:${unitNumber}:${sequence}:${version}`

/** Set while the certificate is its unit's current, active one; cleared (zero on chain) otherwise. */
export type AnchorState = 'set' | 'cleared'

/** One recorded certificate of a unit. */
export interface UnitAnchorRow {
  unitNumber: string
  departmentId: string
  sequence: number
  credentialId: string
  salt: string
  /** Null for certificates issued before anchor keys were salted (legacy key). */
  keySalt: string | null
  anchorValue: string
  anchorState: AnchorState
  anchorVersion: number
  outboxId: string | null
}

/** The key a row's anchor is written under. */
export const rowAnchorKey = (row: Pick<UnitAnchorRow, 'unitNumber' | 'keySalt'>) => propertyAnchorKey(row.unitNumber, row.keySalt)

export async function unitAnchor(q: Queryable, unitNumber: string, sequence: number): Promise<UnitAnchorRow | undefined> {
  const rows: UnitAnchorRow[] = await q.query(`SELECT * FROM govcred_property_units WHERE unitNumber = ? AND sequence = ?`, [
    unitNumber,
    sequence,
  ])
  return rows[0]
}

/** The unit row of a property certificate, with whether it is still the unit's latest certificate. */
export async function unitAnchorOfCredential(
  q: Queryable,
  credentialId: string,
): Promise<(UnitAnchorRow & { latest: boolean }) | undefined> {
  const rows: (UnitAnchorRow & { latest: number })[] = await q.query(
    `SELECT u.*, (u.sequence = (SELECT MAX(sequence) FROM govcred_property_units WHERE unitNumber = u.unitNumber)) AS latest
     FROM govcred_property_units u WHERE u.credentialId = ?`,
    [credentialId],
  )
  const row = rows[0]
  return row ? { ...row, latest: Boolean(row.latest) } : undefined
}

/** Moves a certificate's anchor to `state` under a new version (a new outbox write); returns that version. */
export async function setAnchorState(m: EntityManager, row: UnitAnchorRow, state: AnchorState): Promise<number> {
  const version = row.anchorVersion + 1
  await m.query(
    `UPDATE govcred_property_units SET anchorState = ?, anchorVersion = ?, outboxId = ? WHERE unitNumber = ? AND sequence = ?`,
    [state, version, anchorOutboxId(row.unitNumber, row.sequence, version), row.unitNumber, row.sequence],
  )
  return version
}

/**
 * The rows whose anchor write decides an on-chain key: every certificate with a key of its own, and for the
 * legacy key (shared by a unit's certificates from before), the latest such certificate of each unit.
 */
export function anchorsOwningAKey(q: Queryable): Promise<UnitAnchorRow[]> {
  return q.query(
    `SELECT u.* FROM govcred_property_units u
     WHERE u.keySalt IS NOT NULL
        OR u.sequence = (SELECT MAX(sequence) FROM govcred_property_units WHERE unitNumber = u.unitNumber AND keySalt IS NULL)
     ORDER BY u.unitNumber, u.sequence`,
  )
}
