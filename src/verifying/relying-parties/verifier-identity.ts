import { ValidationError } from '../../shared/errors/app-error.js'
import { jwkThumbprint, p256PublicJwk, uncompressedP256 } from '../../shared/identity/p256-keys.js'
import type { RelyingParty, RelyingPartyStore } from './relying-party-store.js'
import {
  certificateFingerprint,
  certificateNotAfter,
  certificateNotBefore,
  createVerifierCertificate,
  issuedBy,
  type VerifierCertificateAuthority,
} from './verifier-certificate.js'
import type { VerifierIdentityRecord, VerifierIdentityStore } from './verifier-identity-store.js'

/** The OpenID4VP 1.0 client identifier prefix of a relying party's identity (HAIP): its certificate's SAN DNS name. */
export const CLIENT_ID_PREFIX = 'x509_san_dns'
/** The JWT `typ` of an OpenID4VP request object (RFC 9101). */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt'
/** A verifier certificate is valid this long (at most as long as the root). */
export const VERIFIER_CERTIFICATE_DAYS = 365

const DAY_MS = 86_400_000

/**
 * The OpenID4VP client identifier of a relying party (`x509_san_dns:<domain>`); null while it has no domain
 * (a party registered before domains existed gets the node's host on first use).
 */
export function clientIdOf(party: Pick<RelyingParty, 'domain'>): string | null {
  return party.domain ? `${CLIENT_ID_PREFIX}:${party.domain}` : null
}

/** P-256 keys held encrypted at rest by the node's key manager (wired in src/app to the Veramo KMS). */
export interface VerifierKeyManager {
  createP256Key(meta: Record<string, string>): Promise<{ kmsKeyId: string; publicKeyHex: string }>
  /** ES256 over `data` (SHA-256 inside): the raw r||s signature, 64 bytes. */
  signEs256(kmsKeyId: string, data: Uint8Array): Promise<Uint8Array>
}

/** A relying party's current verifier identity: what signs its request objects. */
export interface VerifierSigningIdentity {
  relyingPartyId: string
  domain: string
  /** `x509_san_dns:<domain>`. */
  clientId: string
  /** RFC 7638 thumbprint of the public JWK. */
  kid: string
  publicJwk: JsonWebKey
  /** The certificate chain a request object carries, base64 DER: [leaf] (the root is the wallet's trust anchor). */
  x5c: string[]
  /** SHA-256 of the leaf certificate's DER, hex. */
  certificateSha256: string
  notAfter: string
}

/** How a full node makes its relying parties' identities itself. */
export interface SelfCertification {
  /** The consortium root CA (the one that certifies the departments' issuing keys). */
  authority: VerifierCertificateAuthority
  /** The domain of a relying party that has none: the host of the node's public URL (GOVCRED_PUBLIC_URL). */
  defaultDomain: () => string
}

export interface RelyingPartyIdentitiesDeps {
  parties: Pick<RelyingPartyStore, 'get' | 'assignDomainIfUnset'>
  store: Pick<VerifierIdentityStore, 'list' | 'insert'>
  keys: VerifierKeyManager
  /**
   * A full node's: identities are made on first use (a key in its KMS, a certificate from the root CA) and
   * renewed a day before they end. Absent on a verifier-only node, which holds no root CA: there the operator
   * installs each party's certificate (`govcred relying-party csr` → `certify` on a full node →
   * `install-certificate`), nothing is made, and a party without a valid installed certificate is refused
   * (422 ERR_OPENID4VP_UNAVAILABLE, naming those commands).
   */
  selfCertification?: SelfCertification
}

/**
 * The relying parties' verifier identities: each a P-256 key held encrypted at rest with a certificate from the
 * consortium root CA naming the party's domain (SAN DNS), so that a stock wallet accepts its signed OpenID4VP
 * request objects under the client identifier `x509_san_dns:<domain>`. On a full node (`selfCertification`)
 * made on first use, kept across restarts, and made anew when the certificate is about to end, names another
 * domain, or was not signed by the current root. On a verifier-only node, the newest installed certificate for
 * the party's domain that is valid now signs, until its end.
 *
 * @example
 * const jwt = await identities.signRequestObject('demo-bank-of-nanjing', { response_type: 'vp_token', nonce })
 */
export class RelyingPartyIdentities {
  private readonly pending = new Map<string, Promise<VerifierSigningIdentity>>()
  private readonly cache = new Map<string, { identity: VerifierSigningIdentity; kmsKeyId: string }>()

  constructor(private readonly deps: RelyingPartyIdentitiesDeps) {}

  /** The relying party's identity; on a full node created (key and certificate) on first use. */
  async current(relyingPartyId: string): Promise<VerifierSigningIdentity> {
    return (await this.currentWithKey(relyingPartyId)).identity
  }

  /**
   * A signed OpenID4VP request object: a JWT with header {alg: ES256, typ: oauth-authz-req+jwt, x5c: [leaf]}
   * over `payload`, whose `client_id` is set to the party's client identifier (a different one is refused).
   */
  async signRequestObject(relyingPartyId: string, payload: Record<string, unknown>): Promise<string> {
    const { identity, kmsKeyId } = await this.currentWithKey(relyingPartyId)
    if (payload.client_id !== undefined && payload.client_id !== identity.clientId) {
      throw new ValidationError('ERR_INVALID_REQUEST', `the request object's client_id must be ${identity.clientId}`)
    }
    const header = { alg: 'ES256', typ: REQUEST_OBJECT_TYP, x5c: identity.x5c }
    const body = { ...payload, client_id: identity.clientId }
    const signingInput = `${base64url(header)}.${base64url(body)}`
    const signature = await this.deps.keys.signEs256(kmsKeyId, new TextEncoder().encode(signingInput))
    return `${signingInput}.${Buffer.from(signature).toString('base64url')}`
  }

  private async currentWithKey(relyingPartyId: string): Promise<{ identity: VerifierSigningIdentity; kmsKeyId: string }> {
    const cached = this.cache.get(relyingPartyId)
    if (cached && Date.parse(cached.identity.notAfter) > Date.now() + this.renewalMarginMs()) return cached
    await this.serialized(relyingPartyId, () => this.ensure(relyingPartyId))
    return this.cache.get(relyingPartyId)!
  }

  private serialized(relyingPartyId: string, work: () => Promise<VerifierSigningIdentity>): Promise<VerifierSigningIdentity> {
    const previous = this.pending.get(relyingPartyId) ?? Promise.resolve(undefined)
    const next = previous.catch(() => undefined).then(work)
    this.pending.set(relyingPartyId, next)
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.pending.get(relyingPartyId) === next) this.pending.delete(relyingPartyId)
      })
    return next
  }

  /** A full node renews a day before the end; an installed certificate signs until its end. */
  private renewalMarginMs(): number {
    return this.deps.selfCertification ? DAY_MS : 0
  }

  private async ensure(relyingPartyId: string): Promise<VerifierSigningIdentity> {
    let party = await this.deps.parties.get(relyingPartyId)
    if (!party) throw new ValidationError('ERR_INVALID_REQUEST', `no relying party ${relyingPartyId}`)
    const self = this.deps.selfCertification
    if (!self) return this.installed(party)
    if (!party.domain) party = (await this.deps.parties.assignDomainIfUnset(relyingPartyId, self.defaultDomain()))!
    const domain = party.domain!
    const candidates = (await this.deps.store.list(relyingPartyId)).filter(
      (r) => r.domain === domain && Date.parse(r.notAfter) > Date.now() + DAY_MS,
    )
    for (const record of candidates.reverse()) {
      if (await issuedBy(record.certificate, self.authority)) return this.remember(record)
    }
    return this.create(party, domain, self)
  }

  /** A verifier-only node's: the newest installed certificate for the party's domain valid now, or the refusal that says how to get one. */
  private async installed(party: RelyingParty): Promise<VerifierSigningIdentity> {
    const now = Date.now()
    const forDomain = party.domain ? (await this.deps.store.list(party.id)).filter((r) => r.domain === party.domain) : []
    const valid = forDomain.filter((r) => Date.parse(r.notAfter) > now && Date.parse(certificateNotBefore(r.certificate)) <= now)
    if (valid.length > 0) return this.remember(valid[valid.length - 1]!)
    throw noInstalledCertificate(party, forDomain.length > 0)
  }

  private async create(party: RelyingParty, domain: string, self: SelfCertification): Promise<VerifierSigningIdentity> {
    const managed = await this.deps.keys.createP256Key({ purpose: 'openid4vp request object signing key', relyingPartyId: party.id })
    const publicKeyHex = uncompressedP256(managed.publicKeyHex)
    const publicJwk = p256PublicJwk(publicKeyHex)
    const now = new Date()
    const certificate = await createVerifierCertificate({
      authority: self.authority,
      publicJwk,
      nameZh: party.nameZh,
      nameEn: party.nameEn,
      domain,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + VERIFIER_CERTIFICATE_DAYS * DAY_MS),
    })
    const record: VerifierIdentityRecord = {
      kid: jwkThumbprint(publicJwk),
      relyingPartyId: party.id,
      domain,
      kmsKeyId: managed.kmsKeyId,
      publicKeyHex,
      certificate,
      notAfter: certificateNotAfter(certificate),
      createdAt: now.toISOString(),
    }
    await this.deps.store.insert(record)
    return this.remember(record)
  }

  private async remember(record: VerifierIdentityRecord): Promise<VerifierSigningIdentity> {
    const identity: VerifierSigningIdentity = {
      relyingPartyId: record.relyingPartyId,
      domain: record.domain,
      clientId: clientIdOf(record)!,
      kid: record.kid,
      publicJwk: p256PublicJwk(record.publicKeyHex),
      x5c: [record.certificate],
      certificateSha256: await certificateFingerprint(record.certificate),
      notAfter: record.notAfter,
    }
    this.cache.set(record.relyingPartyId, { identity, kmsKeyId: record.kmsKeyId })
    return identity
  }
}

/**
 * 422 ERR_OPENID4VP_UNAVAILABLE for a verifier-only node's party without a valid installed certificate: the
 * three commands that give it one.
 */
function noInstalledCertificate(party: RelyingParty, expired: boolean): ValidationError {
  const id = party.id
  const domain = party.domain ?? 'DNS'
  const steps =
    `(1) on this node: govcred relying-party csr --id ${id} --verifier${party.domain ? '' : ' --domain DNS'} > ${id}.csr; ` +
    `(2) on a full node of the consortium: govcred relying-party certify --csr ${id}.csr > ${id}.pem; ` +
    `(3) on this node: govcred relying-party install-certificate --id ${id} --certificate ${id}.pem --verifier --root consortium-root.pem`
  const why = expired
    ? {
        zh: `验证方 ${id} 的证书（${domain}）已过期或尚未生效`,
        en: `the verifier certificate of ${id} (${domain}) has expired or is not valid yet`,
      }
    : { zh: `验证方 ${id} 尚未在本节点安装验证方证书`, en: `relying party ${id} has no verifier certificate installed on this node` }
  return new ValidationError(
    'ERR_OPENID4VP_UNAVAILABLE',
    `${why.zh}，无法签署 OpenID4VP 请求 / ${why.en}, so it cannot sign OpenID4VP requests: ${steps}`,
  )
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
