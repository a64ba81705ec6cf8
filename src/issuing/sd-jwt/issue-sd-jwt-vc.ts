import { SDJwtVcInstance, type SdJwtVcPayload } from '@sd-jwt/sd-jwt-vc'
import { digest, generateSalt } from '@sd-jwt/crypto-nodejs'
import { ValidationError } from '../../shared/errors/app-error.js'
import { disclosureFrame, vctUrl } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { isCredentialTypeName } from '../../catalog/credential-types.js'
import type { DepartmentPrincipal } from '../departments/department-principal.js'
import type { IssueRequest } from '../issuance/issuance-request.js'
import type { CredentialEncoder } from '../issuance/issue-credential.js'
import type { CredentialRecord } from '../records/credential-store.js'
import { issueWithPolicies, type PolicyDeps, type PolicyOptions } from '../policies/issue-with-policies.js'
import { credentialIssuerUrl, urlOf, type IssuerKeys, type IssuerSigningKey, type UrlSource } from '../issuer-keys/issuer-keys.js'

export interface SdJwtIssuerDeps {
  policies: PolicyDeps
  issuerKeys: IssuerKeys
  /** config.publicUrl, or a function answering it (known once listening when it names port 0). */
  publicUrl: UrlSource
}

export interface IssuedSdJwtVc {
  id: string
  /** The compact SD-JWT VC: issuer-signed JWT~disclosure~…~ */
  sdJwt: string
  record: CredentialRecord
  /** Earlier credentials this one superseded (social-security status). */
  superseded: string[]
  /** With `options.manager`: call once the caller's transaction committed (property anchor, superseded revocations). */
  afterCommit?: () => Promise<void>
}

/** The status list token URL of a department (`status.status_list.uri`). */
export function statusListUrl(publicUrl: string, departmentId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/status-lists/${departmentId}`
}

/** The public members of a JWK; a private key (`d`) or a key that is not EC/OKP/RSA is refused. */
function publicHolderJwk(jwk: JsonWebKey): JsonWebKey {
  if (!jwk || typeof jwk !== 'object' || 'd' in jwk || !['EC', 'OKP', 'RSA'].includes(String(jwk.kty))) {
    throw new ValidationError('ERR_INVALID_HOLDER', 'the holder key must be a public JWK (EC, OKP or RSA)')
  }
  const members = jwk.kty === 'RSA' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y']
  return Object.fromEntries(
    members.filter((m) => typeof (jwk as Record<string, unknown>)[m] === 'string').map((m) => [m, (jwk as Record<string, unknown>)[m]]),
  )
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

/**
 * Issues an SD-JWT VC (typ dc+sd-jwt, ES256, x5c = the department's leaf certificate) bound to the holder's key
 * (`cnf.jwk`), through the same checks and record path as a VC-JWT (scope, accreditation and schema on chain,
 * the type's policy, a random status index, record and audit entry in one write transaction). Each claim the
 * catalogue declares selectively disclosable is a digest with its disclosure appended; the `status` names the
 * record's index in the department's status list token.
 *
 * With `options.onStored`, extra writes join the issuance's transaction (for a type without a policy, signing comes before it). With
 * `options.manager`, the department's key must exist already (it is made at start, see
 * `DepartmentIssuerKeys.current`), since creating it writes outside the caller's transaction.
 */
export async function issueSdJwtVc(
  deps: SdJwtIssuerDeps,
  principal: DepartmentPrincipal,
  request: IssueRequest,
  holder: { jwk: JsonWebKey },
  options: Pick<PolicyOptions, 'manager' | 'onStored'> = {},
): Promise<IssuedSdJwtVc> {
  if (!isCredentialTypeName(request.type)) {
    throw new ValidationError('ERR_UNKNOWN_TYPE', 'an SD-JWT VC is issued for a govcred credential type only')
  }
  const type = request.type
  const jwk = publicHolderJwk(holder.jwk)
  const key = await deps.issuerKeys.current(principal.department.id)
  const encoder: CredentialEncoder = {
    format: 'dc+sd-jwt',
    async encode(input) {
      const base = urlOf(deps.publicUrl)
      const payload: SdJwtVcPayload = {
        iss: credentialIssuerUrl(base, input.department.id),
        vct: vctUrl(base, type),
        iat: seconds(input.issuedAt),
        nbf: seconds(input.request.validFrom),
        ...(input.request.validUntil ? { exp: seconds(input.request.validUntil) } : {}),
        cnf: { jwk },
        status: { status_list: { idx: input.statusIndex, uri: statusListUrl(base, input.department.id) } },
        ...input.request.claims,
        ...input.extraFields,
      }
      const sdJwt = await signSdJwtVc(key, payload, disclosureFrame(type, input.request.claims))
      return { jwt: sdJwt, credential: payload as unknown as Record<string, unknown> }
    },
  }
  const issued = await issueWithPolicies(deps.policies, principal, request, {
    encoder,
    manager: options.manager,
    onStored: options.onStored,
  })
  return {
    id: issued.id,
    sdJwt: issued.jwt,
    record: issued.record,
    superseded: issued.superseded,
    ...(issued.afterCommit ? { afterCommit: issued.afterCommit } : {}),
  }
}

async function signSdJwtVc(key: IssuerSigningKey, payload: SdJwtVcPayload, frame: ReturnType<typeof disclosureFrame>): Promise<string> {
  const sdjwt = new SDJwtVcInstance({
    signer: async (data: string) => Buffer.from(await key.sign(new TextEncoder().encode(data))).toString('base64url'),
    signAlg: 'ES256',
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
  })
  // typ dc+sd-jwt is the instance's default; the x5c chain identifies the issuer to stock wallets.
  return sdjwt.issue(payload, frame as never, { header: { typ: 'dc+sd-jwt', x5c: key.x5c } })
}
