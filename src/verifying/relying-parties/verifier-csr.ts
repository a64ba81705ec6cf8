// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { ValidationError, isAppError } from '../../shared/errors/app-error.js'
import { normalizeDomain } from './relying-party-store.js'
import { createVerifierCertificate, verifierSubjectAltNames, type VerifierCertificateAuthority } from './verifier-certificate.js'

x509.cryptoProvider.set(globalThis.crypto)

const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const
const SUBJECT_ALT_NAME = '2.5.29.17'
const DAY_MS = 86_400_000
/** A certificate made from a CSR lasts this long unless the operator says otherwise. */
export const DEFAULT_CERTIFIED_DAYS = 365
/** The longest validity `certify --days` grants (the CA/Browser Forum's old ceiling); the root's end caps it too. */
export const MAX_CERTIFIED_DAYS = 825

/** What a relying party's certificate signing request asks the consortium to certify. */
export interface VerifierCsr {
  /** Its P-256 public key. */
  publicJwk: JsonWebKey
  /** Subject CN: the party's Chinese name (what a wallet shows). */
  nameZh: string
  /** Subject O: its English name. */
  nameEn: string
  /** The one DNS name of its subjectAltName: the OpenID4VP client identifier `x509_san_dns:<domain>`. */
  domain: string
}

/**
 * A PKCS#10 certificate signing request (PEM) for a relying party's verifier identity, signed with the key it
 * asks to have certified: subject CN = its Chinese name, O = its English name, subjectAltName DNS = its domain
 * (an IPv4 literal also as an IP address), as {@link createVerifierCertificate} will write them.
 *
 * @example
 * const pem = await createVerifierCsr({ keys, nameZh: '南京银行', nameEn: 'Bank of Nanjing', domain: 'verify.bank.example' })
 */
export async function createVerifierCsr(options: { keys: CryptoKeyPair; nameZh: string; nameEn: string; domain: string }): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [options.nameZh] }, { O: [options.nameEn] }],
    keys: options.keys,
    signingAlgorithm: ECDSA_SHA256,
    extensions: [new x509.SubjectAlternativeNameExtension(verifierSubjectAltNames(options.domain))],
  })
  return csr.toString('pem')
}

/**
 * Reads a relying party's CSR as the consortium operator must before certifying it: a PKCS#10 request whose
 * key is P-256, whose self-signature verifies (the requester holds the key), with one CN and one O, and a
 * subjectAltName of exactly one DNS name (plus that name as an IP address when it is an IPv4 literal).
 * Anything else is refused (ValidationError ERR_INVALID_REQUEST) with what is wrong, in Chinese and English.
 */
export async function readVerifierCsr(pem: string): Promise<VerifierCsr> {
  let csr: x509.Pkcs10CertificateRequest
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim())
  } catch {
    throw refused('不是 PKCS#10 证书签名请求 (PEM)', 'not a PKCS#10 certificate signing request (PEM)')
  }
  const curve = curveOf(csr.publicKey)
  if (curve !== 'P-256') throw refused(`密钥不是 P-256（${curve}）`, `the key is not a P-256 key (${curve})`)
  let signed = false
  try {
    signed = await csr.verify()
  } catch {
    signed = false
  }
  if (!signed)
    throw refused(
      '请求的自签名无效（已被篡改，或不是用该密钥签的）',
      "the request's self-signature does not verify (tampered, or not signed by its key)",
    )
  const [nameZh, nameEn] = (['CN', 'O'] as const).map((field) => {
    const values = csr.subjectName.getField(field)
    if (values.length !== 1 || values[0]!.trim() === '' || values[0]!.length > 200)
      throw refused(`主题须有且仅有一个 ${field}`, `the subject must have exactly one ${field} of at most 200 characters`)
    return values[0]!.trim()
  }) as [string, string]
  return { publicJwk: await publicJwkOf(csr.publicKey), nameZh, nameEn, domain: soleDnsName(csr) }
}

/**
 * Certifies a relying party's CSR with the consortium root CA (after {@link readVerifierCsr}'s checks): a leaf
 * certificate (base64 DER) valid from a minute ago for `days` (1 to 825, default 365; never past the root's
 * end), digitalSignature only. Nothing is recorded: the certificate is the answer.
 *
 * @example
 * const { certificate, csr } = await certifyVerifierCsr(rootCa, pem, { days: 90 })
 */
export async function certifyVerifierCsr(
  authority: VerifierCertificateAuthority,
  pem: string,
  options: { days?: number; now?: Date } = {},
): Promise<{ certificate: string; csr: VerifierCsr }> {
  const days = options.days ?? DEFAULT_CERTIFIED_DAYS
  if (!Number.isInteger(days) || days < 1 || days > MAX_CERTIFIED_DAYS)
    throw refused(`有效天数须为 1 到 ${MAX_CERTIFIED_DAYS} 的整数`, `--days must be a whole number from 1 to ${MAX_CERTIFIED_DAYS}`)
  const csr = await readVerifierCsr(pem)
  const now = options.now ?? new Date()
  const certificate = await createVerifierCertificate({
    authority,
    ...csr,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  })
  return { certificate, csr }
}

/** The curve of an EC public key ('P-256', 'P-384', …), or the algorithm of another kind of key. */
export function curveOf(publicKey: x509.PublicKey): string {
  try {
    const algorithm = publicKey.algorithm as { name?: string; namedCurve?: string }
    return algorithm.namedCurve ?? algorithm.name ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

/** A P-256 public key as its public JWK (kty, crv, x, y). */
export async function publicJwkOf(publicKey: x509.PublicKey): Promise<JsonWebKey> {
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', await publicKey.export())
  return { kty, crv, x, y }
}

function soleDnsName(csr: x509.Pkcs10CertificateRequest): string {
  const extension = csr.getExtension(SUBJECT_ALT_NAME) as x509.SubjectAlternativeNameExtension | null
  const names = extension?.names.toJSON() ?? []
  const dns = names.filter((n) => n.type === 'dns').map((n) => n.value)
  if (dns.length !== 1)
    throw refused(
      `subjectAltName 须有且仅有一个 DNS 名称（现有 ${dns.length} 个）`,
      `the subjectAltName must name exactly one DNS name (it names ${dns.length})`,
    )
  let domain: string
  try {
    domain = normalizeDomain(dns[0]!)
  } catch (error) {
    if (isAppError(error)) throw refused(`DNS 名称无效：${dns[0]}`, error.message)
    throw error
  }
  const others = names.filter((n) => n.type !== 'dns' && !(n.type === 'ip' && n.value === domain))
  if (others.length > 0)
    throw refused(
      `subjectAltName 只能有该 DNS 名称（IPv4 字面量时另可有同一 IP）`,
      `the subjectAltName may hold only the DNS name (and, for an IPv4 literal, the same IP address), not ${others.map((n) => `${n.type}:${n.value}`).join(', ')}`,
    )
  return domain
}

const refused = (zh: string, en: string) => new ValidationError('ERR_INVALID_REQUEST', `证书签名请求被拒绝：${zh} / CSR refused: ${en}`)
