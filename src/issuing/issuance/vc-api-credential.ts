import { isPlainDid } from '../../shared/identity/did.js'
import { BadRequestError } from '../../shared/errors/app-error.js'
import type { ApiErrorCode } from '../../shared/errors/error-codes.js'
import { isCredentialTypeName } from '../../catalog/credential-types.js'
import { GENERIC_TYPE, parseGenericIssueRequest, parseIssueRequest, type IssueRequest } from './issuance-request.js'

/** The base context every VCDM 1.1 credential starts with. */
export const VCDM_1_1_CONTEXT = 'https://www.w3.org/2018/credentials/v1'

/** Properties of a VC-API `credential` that govcred signs; it sets status, schema, proof and the rest itself. */
const SIGNED_PROPERTIES = [
  '@context',
  'id',
  'type',
  'issuer',
  'issuanceDate',
  'validFrom',
  'expirationDate',
  'validUntil',
  'credentialSubject',
]
const MAX_CONTEXTS = 8
const MAX_URL_LENGTH = 512
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/
/** VCDM 1.1 dates are XML Schema dateTimes: a date, a time and (for govcred) a zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

const refuse = (code: ApiErrorCode, message: string): never => {
  throw new BadRequestError(code, message)
}

/**
 * Reads a W3C VC-API issue request (`{credential, options}`) as VCDM 1.1 requires: `@context` a list of
 * URLs starting with the base context, `type` a list of strings with VerifiableCredential and at most one
 * govcred type, `issuer` the calling department's DID (as a string or an object's `id`), `credentialSubject`
 * an object naming the holder, dates as XML Schema dateTimes. Each malformed case is a 400 with its own code;
 * a govcred type's claims are then judged against its schema as for POST /v1/credentials (422).
 */
export function parseVcApiIssue(body: unknown, departmentDid: string, now = new Date()): IssueRequest {
  if (!isObject(body)) refuse('ERR_INVALID_REQUEST', 'the body must be a JSON object {credential, options}')
  const { credential, options, ...rest } = body as Record<string, unknown>
  const extraBody = Object.keys(rest)
  if (extraBody.length > 0) refuse('ERR_INVALID_REQUEST', `unknown body properties: ${extraBody.join(', ')} (expected credential, options)`)
  if (!isObject(credential)) refuse('ERR_INVALID_REQUEST', 'body.credential must be an object')
  if (options !== undefined && options !== null) {
    if (!isObject(options)) refuse('ERR_INVALID_REQUEST', 'body.options must be an object')
    const names = Object.keys(options as object)
    if (names.length > 0) refuse('ERR_UNSUPPORTED_OPTION', `issuance options are not supported: ${names.join(', ')}`)
  }
  const vc = credential as Record<string, unknown>
  const unsigned = Object.keys(vc).filter((name) => !SIGNED_PROPERTIES.includes(name))
  if (unsigned.length > 0) {
    refuse(
      'ERR_UNSUPPORTED_PROPERTY',
      `credential.${unsigned[0]} is not signed by this issuer (it sets credentialStatus, credentialSchema and proof itself); supported: ${SIGNED_PROPERTIES.join(', ')}`,
    )
  }

  const extraContexts = readContexts(vc['@context'])
  const govcredType = readType(vc.type)
  readIssuer(vc.issuer, departmentDid)
  const id = readId(vc.id)
  const subject = vc.credentialSubject
  if (!isObject(subject)) refuse('ERR_INVALID_HOLDER', 'credential.credentialSubject must be an object with the holder DID as id')
  const { id: holder, ...claims } = subject as Record<string, unknown>
  if (!isPlainDid(holder)) refuse('ERR_INVALID_HOLDER', 'credential.credentialSubject.id must be the holder DID')
  const validFrom = readDate(vc, 'issuanceDate', 'validFrom')
  const validUntil = readDate(vc, 'expirationDate', 'validUntil')

  const request =
    govcredType === undefined
      ? parseGenericIssueRequest({ holder, claims, validFrom, validUntil }, now)
      : parseIssueRequest({ type: govcredType, holder, claims, validFrom, validUntil }, now)
  return { ...request, ...(extraContexts.length > 0 ? { extraContexts } : {}), ...(id === undefined ? {} : { id }) }
}

/** Whether the body asks for a generic credential (type VerifiableCredential only), judged before the rest. */
export function asksForGenericCredential(body: unknown): boolean {
  const type = isObject(body) && isObject(body.credential) ? body.credential.type : undefined
  return Array.isArray(type) && type.length > 0 && type.every((t) => t === GENERIC_TYPE)
}

function readContexts(raw: unknown): string[] {
  const expected = `a list of URLs starting with ${VCDM_1_1_CONTEXT}`
  if (raw === undefined) refuse('ERR_CONTEXT_INVALID', `credential['@context'] is required: ${expected}`)
  if (!Array.isArray(raw) || raw.length === 0) refuse('ERR_CONTEXT_INVALID', `credential['@context'] must be ${expected}`)
  const contexts = raw as unknown[]
  if (contexts.length > MAX_CONTEXTS) refuse('ERR_CONTEXT_INVALID', `credential['@context'] may list at most ${MAX_CONTEXTS} contexts`)
  for (const item of contexts) {
    if (typeof item !== 'string' || item.length > MAX_URL_LENGTH || !URI.test(item)) {
      refuse('ERR_CONTEXT_INVALID', `credential['@context'] items must be URL strings (this issuer does not sign inline contexts)`)
    }
  }
  if (contexts[0] !== VCDM_1_1_CONTEXT) refuse('ERR_CONTEXT_INVALID', `credential['@context'] must start with ${VCDM_1_1_CONTEXT}`)
  const rest = contexts.slice(1) as string[]
  if (new Set(rest).size !== rest.length || rest.includes(VCDM_1_1_CONTEXT))
    refuse('ERR_CONTEXT_INVALID', "credential['@context'] repeats a context")
  return rest
}

function readType(raw: unknown): string | undefined {
  const expected = 'a list of strings including VerifiableCredential'
  if (raw === undefined) refuse('ERR_TYPE_INVALID', `credential.type is required: ${expected}`)
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((t) => typeof t !== 'string')) {
    refuse('ERR_TYPE_INVALID', `credential.type must be ${expected}`)
  }
  const types = raw as string[]
  if (!types.includes(GENERIC_TYPE)) refuse('ERR_TYPE_INVALID', 'credential.type must include VerifiableCredential')
  const specific = [...new Set(types.filter((t) => t !== GENERIC_TYPE))]
  if (specific.length > 1 || (specific.length === 1 && !isCredentialTypeName(specific[0]))) {
    refuse('ERR_UNKNOWN_TYPE', 'credential.type must be VerifiableCredential plus at most one govcred type')
  }
  return specific[0]
}

function readIssuer(raw: unknown, departmentDid: string): void {
  if (raw === undefined) refuse('ERR_INVALID_ISSUER', `credential.issuer is required: ${departmentDid} (the authenticated department)`)
  const id = typeof raw === 'string' ? raw : isObject(raw) ? raw.id : undefined
  if (typeof id !== 'string') refuse('ERR_INVALID_ISSUER', 'credential.issuer must be a DID string or an object with that DID as id')
  if (isObject(raw) && Object.keys(raw).some((k) => k !== 'id')) {
    refuse('ERR_UNSUPPORTED_PROPERTY', "credential.issuer may carry only id: the issuer's name is the department's registered name")
  }
  if (id !== departmentDid) refuse('ERR_INVALID_ISSUER', `credential.issuer must be ${departmentDid} (the authenticated department)`)
}

function readId(raw: unknown): string | undefined {
  if (raw === undefined) return undefined
  if (
    typeof raw !== 'string' ||
    raw.length > MAX_URL_LENGTH ||
    !/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw)
  ) {
    refuse('ERR_INVALID_REQUEST', 'credential.id, when given, must be a urn:uuid: URI')
  }
  return (raw as string).toLowerCase()
}

function readDate(vc: Record<string, unknown>, v1Name: string, v2Name: string): string | undefined {
  const v1 = vc[v1Name]
  const v2 = vc[v2Name]
  for (const [name, value] of [
    [v1Name, v1],
    [v2Name, v2],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || !DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
      refuse('ERR_VALIDITY', `credential.${name} must be an XML Schema dateTime with a time zone, e.g. 2026-01-01T00:00:00Z`)
    }
  }
  if (v1 !== undefined && v2 !== undefined && Date.parse(v1 as string) !== Date.parse(v2 as string)) {
    refuse('ERR_VALIDITY', `credential.${v1Name} and credential.${v2Name} disagree`)
  }
  return (v1 ?? v2) as string | undefined
}

const isObject = (value: unknown): value is Record<string, any> => !!value && typeof value === 'object' && !Array.isArray(value)
