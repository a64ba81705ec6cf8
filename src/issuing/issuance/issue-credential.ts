import { randomInt } from 'node:crypto'
import { newCredentialId } from './credential-id.js'
import type { DataSource, EntityManager } from 'typeorm'
import type { CredentialPayload, ICredentialIssuer, TAgent } from '@veramo/core-types'
import type { ISchemaRegistry } from '../../agent/plugins/schema-registry-plugin.js'
import type { IStatusRegistry } from '../../agent/plugins/status-registry-plugin.js'
import type { ITrustRegistry } from '../../agent/plugins/trust-registry-plugin.js'
import type { Deployments } from '../../config/deployments-file.js'
import type { AuditLog } from '../audit/audit-log.js'
import { ConflictError, ForbiddenError } from '../../shared/errors/app-error.js'
import { actorOf, assertScope, type DepartmentPrincipal } from '../departments/department-principal.js'
import { loadSchema } from '../../catalog/schemas/load-schemas.js'
import { writeTransaction } from '../../store/write-transaction.js'
import { CREDENTIAL_TYPES, type CredentialTypeName } from '../../catalog/credential-types.js'
import { statusEntries, STATUS_LIST_SIZE } from '../../catalog/status-entries.js'
import { CredentialStore, type CredentialFormat, type CredentialRecord } from '../records/credential-store.js'
import type { Department } from '../departments/department-store.js'
import { GENERIC_TYPE, type IssueRequest } from './issuance-request.js'
import type { IssuanceChainView } from './issuance-chain-view.js'
import type { IssuedCommits } from './issued-commits.js'

/** The slice of the agent issuance uses: signing, and reads of the registries. */
export type IssuerAgent = TAgent<
  Pick<ICredentialIssuer, 'createVerifiableCredential'> &
    Pick<ITrustRegistry, 'trustRegistryGetIssuer' | 'trustRegistryIsAccredited'> &
    Pick<ISchemaRegistry, 'schemaRegistryGet'> &
    Pick<IStatusRegistry, 'statusRegistryRead'>
>

export interface IssuerDeps {
  agent: IssuerAgent
  db: DataSource
  credentials: CredentialStore
  audit: AuditLog
  deployments: Deployments
  /** Accreditation and schema anchors from a cache kept fresh by chain events; without it, read through the agent. */
  chain?: IssuanceChainView
  /** Signs VC-JWTs with keys held in memory; without it, through the agent's key manager. */
  signer?: VcJwtSigner
  /** Batches the commits of issuances that need no transaction of their own; without it, one transaction each. */
  commits?: IssuedCommits
}

/** Signs a VC-JWT as Veramo's createVerifiableCredential (proofFormat jwt) would, with the issuer DID's key. */
export interface VcJwtSigner {
  sign(issuerDid: string, credential: Record<string, unknown>, options: { removeOriginalFields: boolean }): Promise<string>
}

export interface IssuedCredential {
  id: string
  jwt: string
  /** The decoded credential (what the JWT signs), with a JwtProof2020 proof carrying the JWT. */
  credential: Record<string, unknown>
  record: CredentialRecord
}

/** Refuse allocation well before the list is full so random picks stay cheap and herd privacy holds. */
const MAX_FILL = 0.9
const INDEX_ATTEMPTS = 8
/** Random draws per attempt: at the 90 % fill limit, 64 taken draws in a row happen about once in 850. */
const DRAWS_PER_ATTEMPT = 64

/**
 * Checks that the department may issue the type (key scope, and accreditation on chain right now),
 * signs a VC-JWT with the department's did:ethr key, allocates a random unused status index, and stores
 * the record with its audit entry in one transaction. Sends no transaction to the chain.
 */
export interface IssueOptions {
  /** Run inside the caller's transaction. */
  manager?: EntityManager
  /** Extra top-level credential properties covered by the signature (e.g. the property anchor salt). */
  extraFields?: Record<string, unknown>
  /** Runs in the same transaction right after the record is stored; a throw undoes the issuance. */
  onStored?: (manager: EntityManager, record: CredentialRecord) => Promise<void>
  /** A fixed credential id (when it must be known before signing). */
  id?: string
  /** Signs in another format than VC-JWT (SD-JWT VC); the checks, status index and record are the same. */
  encoder?: CredentialEncoder
}

/** What a credential in another format is made of: what the VC-JWT path would sign. */
export interface EncodeInput {
  id: string
  department: Department
  request: IssueRequest
  statusIndex: number
  issuedAt: Date
  /** Extra top-level properties covered by the signature (e.g. the property anchor salt). */
  extraFields?: Record<string, unknown>
}

/** Signs a credential in a format other than VC-JWT. */
export interface CredentialEncoder {
  format: Exclude<CredentialFormat, 'jwt_vc_json'>
  /** `jwt`: the compact encoded credential (kept in the record's jwt column); `credential`: what it states. */
  encode(input: EncodeInput): Promise<{ jwt: string; credential: Record<string, unknown> }>
}

export async function issueCredential(
  deps: IssuerDeps,
  principal: DepartmentPrincipal,
  request: IssueRequest,
  options: IssueOptions = {},
): Promise<IssuedCredential> {
  const { department } = principal
  if (request.type === GENERIC_TYPE) {
    await assertActiveIssuer(deps, department.account)
  } else {
    assertScope(principal, request.type)
    if (!department.credentialTypes.includes(request.type)) {
      throw new ForbiddenError('ERR_NOT_ACCREDITED', `${department.id} is not set up to issue ${request.type}`)
    }
    await assertIssuable(deps, department.account, request.type, request.validFrom)
  }
  const taken = await deps.credentials.takenIndices(department.did, STATUS_LIST_SIZE)
  if (taken.count >= STATUS_LIST_SIZE * MAX_FILL) {
    throw new ConflictError('ERR_STATUS_LIST_FULL', `the status list of ${department.id} is full; a new issuer list is needed`)
  }

  const schemaRef = request.type === GENERIC_TYPE ? undefined : schemaReference(request.type)
  const id = request.id ?? options.id ?? newCredentialId()
  if (request.id && (await deps.credentials.get(request.id, options.manager))) {
    throw new ConflictError('ERR_DUPLICATE_CREDENTIAL_ID', `a credential with id ${request.id} was already issued`)
  }
  const issuedAt = new Date()
  for (let attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
    const index = taken.drawFree((size) => randomInt(0, size), DRAWS_PER_ATTEMPT)
    if (index === undefined) continue
    // Reserved at once, so that no concurrent issuance draws it while this one signs; unused if this one fails.
    taken.mark(index)
    if (options.encoder) {
      const encoded = await options.encoder.encode({
        id,
        department,
        request,
        statusIndex: index,
        issuedAt,
        extraFields: options.extraFields,
      })
      const record = recordOf(department, request, id, index, encoded.jwt, issuedAt, options.encoder.format)
      if (!(await storeIssued(deps, principal, record, options))) continue
      return { id, jwt: encoded.jwt, credential: encoded.credential, record }
    }
    const credential = {
      '@context': ['https://www.w3.org/2018/credentials/v1', ...(request.extraContexts ?? [])],
      id,
      type: request.type === GENERIC_TYPE ? [GENERIC_TYPE] : [GENERIC_TYPE, request.type],
      issuer: { id: department.did, name: department.name },
      issuanceDate: iso(request.validFrom),
      ...(request.validUntil ? { expirationDate: iso(request.validUntil) } : {}),
      credentialSubject: { id: request.holder, ...request.claims },
      ...(schemaRef ? { credentialSchema: schemaRef } : {}),
      credentialStatus: statusEntries(deps.deployments.contracts.status, deps.deployments.chainId, department.account, index),
      ...options.extraFields,
    }
    // did-jwt-vc moves id, issuer, subject id and dates into jti/iss/sub/nbf/exp; a subject that is only an id
    // would then be empty (refused), so such a credential keeps its original fields.
    const removeOriginalFields = Object.keys(request.claims).length > 0
    const jwt = deps.signer
      ? await deps.signer.sign(department.did, credential, { removeOriginalFields })
      : await signWithAgent(deps.agent, credential, removeOriginalFields)
    const record = recordOf(department, request, id, index, jwt, issuedAt, 'jwt_vc_json')
    const stored = await storeIssued(deps, principal, record, options)
    if (!stored) continue
    // The credential as built (what the JWT states), not Veramo's re-normalised form of the JWT.
    return { id, jwt, credential: { ...credential, proof: { type: 'JwtProof2020', jwt } }, record }
  }
  throw new ConflictError('ERR_STATUS_INDEX_EXHAUSTED', 'could not allocate a free status index; try again')
}

async function signWithAgent(agent: IssuerAgent, credential: Record<string, unknown>, removeOriginalFields: boolean): Promise<string> {
  const signed = await agent.createVerifiableCredential({
    credential: credential as unknown as CredentialPayload,
    proofFormat: 'jwt',
    removeOriginalFields,
  })
  return (signed.proof as { jwt: string }).jwt
}

function recordOf(
  department: Department,
  request: IssueRequest,
  id: string,
  statusIndex: number,
  jwt: string,
  issuedAt: Date,
  format: CredentialFormat,
): CredentialRecord {
  return {
    id,
    departmentId: department.id,
    issuerDid: department.did,
    type: request.type,
    holder: request.holder,
    subjectKey: subjectKeyOf(request),
    statusIndex,
    status: 'active',
    format,
    jwt,
    issuedAt: issuedAt.toISOString(),
    validFrom: request.validFrom.toISOString(),
    validUntil: request.validUntil?.toISOString() ?? null,
    supersededBy: null,
    updatedAt: issuedAt.toISOString(),
  }
}

/** The record key a later credential of the same subject supersedes or looks up. */
export function subjectKeyOf(request: Pick<IssueRequest, 'type' | 'holder' | 'claims'>): string | null {
  if (request.type === GENERIC_TYPE) return null
  const value = request.claims[CREDENTIAL_TYPES[request.type].subjectKey]
  if (typeof value !== 'string') return null
  // A masked ID number is shared by many people, so a person is their holder DID plus the masked number.
  return request.type === 'SocialSecurityStatusCredential' ? `${request.holder}|${value}` : value
}

async function storeIssued(
  deps: IssuerDeps,
  principal: DepartmentPrincipal,
  record: CredentialRecord,
  options: IssueOptions,
): Promise<boolean> {
  const manager = options.manager
  const entry = {
    departmentId: record.departmentId,
    actor: actorOf(principal),
    action: 'issue' as const,
    credentialId: record.id,
    details: { type: record.type, statusIndex: record.statusIndex, validUntil: record.validUntil },
  }
  if (!manager && deps.commits) return (await deps.commits.commit(record, entry, options.onStored)) === 'stored'
  const write = async (m: EntityManager) => {
    await deps.credentials.insert(record, m)
    await deps.audit.append(entry, m)
    await options.onStored?.(m, record)
  }
  try {
    if (manager) await write(manager)
    else await writeTransaction(deps.db, write)
    return true
  } catch (error) {
    // Two concurrent issuances drew the same index: the UNIQUE constraint keeps one; draw again.
    if (CredentialStore.isStatusIndexConflict(error)) return false
    if (CredentialStore.isIdConflict(error))
      throw new ConflictError('ERR_DUPLICATE_CREDENTIAL_ID', `a credential with id ${record.id} was already issued`)
    throw error
  }
}

function schemaReference(type: CredentialTypeName) {
  const definition = CREDENTIAL_TYPES[type]
  return { id: loadSchema(type).uri, type: 'JsonSchema', name: definition.schemaId, version: definition.schemaVersion }
}

/** A generic credential needs an issuer whose accreditation is active on chain (for whatever types). */
async function assertActiveIssuer(deps: Pick<IssuerDeps, 'agent' | 'chain'>, account: string): Promise<void> {
  if (!(await (deps.chain ?? agentChainView(deps.agent)).isActiveIssuer(account)))
    throw new ForbiddenError('ERR_NOT_ACCREDITED', 'the issuer is not an active accredited issuer on chain')
}

/**
 * On chain: is the department accredited for the type now, and also at the credential's validFrom (the
 * time verifiers check accreditation at), and is the type's schema anchored unchanged?
 */
export async function assertIssuable(
  deps: Pick<IssuerDeps, 'agent' | 'chain'>,
  account: string,
  type: keyof typeof CREDENTIAL_TYPES,
  validFrom?: Date,
): Promise<void> {
  const definition = CREDENTIAL_TYPES[type]
  const now = Math.floor(Date.now() / 1000)
  const from = validFrom ? Math.floor(validFrom.getTime() / 1000) : now
  const chain = deps.chain ?? agentChainView(deps.agent)
  const [accredited, accreditedAtValidFrom, anchored] = await Promise.all([
    chain.isAccredited(account, type, now),
    Math.abs(from - now) <= 1 ? Promise.resolve(true) : chain.isAccredited(account, type, from),
    chain.schemaAnchor(definition.schemaId, definition.schemaVersion),
  ])
  if (!accredited) throw new ForbiddenError('ERR_NOT_ACCREDITED', `the issuer is not accredited on chain for ${type}`)
  if (!accreditedAtValidFrom) {
    throw new ForbiddenError(
      'ERR_NOT_ACCREDITED',
      `the issuer was not accredited for ${type} at validFrom; verifiers would refuse the credential`,
    )
  }
  if (!anchored || anchored.deprecated) {
    throw new ConflictError(
      'ERR_SCHEMA_NOT_ANCHORED',
      `schema ${definition.schemaId} ${definition.schemaVersion} is not anchored (or deprecated) on chain`,
    )
  }
  if (anchored.contentHash !== loadSchema(type).contentHash) {
    throw new ConflictError(
      'ERR_SCHEMA_HASH_MISMATCH',
      `schema ${definition.schemaId} ${definition.schemaVersion} on chain differs from the local file`,
    )
  }
}

/** The chain read directly (JSON-RPC per question), for issuers built without a cached view. */
function agentChainView(agent: IssuerAgent): IssuanceChainView {
  return {
    isAccredited: (issuer, credentialType, at) => agent.trustRegistryIsAccredited({ issuer, credentialType, at }),
    isActiveIssuer: async (issuer) => (await agent.trustRegistryGetIssuer({ issuer }))?.status === 'active',
    schemaAnchor: (schemaId, version) => agent.schemaRegistryGet({ schemaId, version }),
  }
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')
