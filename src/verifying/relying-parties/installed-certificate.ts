// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { ValidationError } from '../../shared/errors/app-error.js'
import { p256PointOfJwk } from '../../shared/identity/p256-keys.js'
import { curveOf, publicJwkOf } from './verifier-csr.js'

x509.cryptoProvider.set(globalThis.crypto)

/** A verifier certificate handed to a verifier-only node, read but not yet judged. */
export interface OfferedCertificate {
  parsed: x509.X509Certificate
  /** base64 DER (the x5c entry a request object carries). */
  certificate: string
  /** Its P-256 key: uncompressed SEC1 point, hex. */
  publicKeyHex: string
}

/**
 * Reads the certificate a consortium operator returned (`govcred relying-party certify`): PEM, the leaf first
 * when the file holds a chain; its key must be P-256. Refused (ValidationError) otherwise.
 */
export async function readOfferedCertificate(pem: string): Promise<OfferedCertificate> {
  let parsed: x509.X509Certificate
  try {
    const [leaf] = x509.PemConverter.decode(pem)
    parsed = new x509.X509Certificate(leaf ?? pem.trim())
  } catch {
    throw refused('不是 X.509 证书 (PEM)', 'not an X.509 certificate (PEM)')
  }
  const curve = curveOf(parsed.publicKey)
  if (curve !== 'P-256') throw refused(`证书的密钥不是 P-256（${curve}）`, `its key is not a P-256 key (${curve})`)
  const publicKeyHex = p256PointOfJwk(await publicJwkOf(parsed.publicKey))!
  return { parsed, certificate: Buffer.from(parsed.rawData).toString('base64'), publicKeyHex }
}

/**
 * Judges a relying party's verifier certificate before a verifier-only node signs with it: its subjectAltName
 * names exactly the party's domain (DNS; the same IPv4 literal as an IP address allowed), it is valid now, it
 * is a leaf for digitalSignature only, and — given the consortium root (the PEM GET /v1/network of a full node
 * publishes as issuerTrust.x509RootCertificatePem) — the root issued and signed it. (That its key is the one the
 * node made is the caller's check: it holds the keys.) Refused (ValidationError) with what is wrong.
 *
 * @example
 * await checkVerifierCertificate(offered, { domain: 'verify.bank.example', rootPem })
 */
export async function checkVerifierCertificate(
  offered: OfferedCertificate,
  expected: { domain: string; rootPem?: string; now?: Date },
): Promise<void> {
  const { parsed } = offered
  const names = parsed.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? []
  const dns = names.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase())
  const others = names.filter((n) => n.type !== 'dns' && !(n.type === 'ip' && n.value === expected.domain))
  if (dns.length !== 1 || dns[0] !== expected.domain || others.length > 0)
    throw refused(
      `证书须只为 ${expected.domain} 签发（现为 ${names.map((n) => n.value).join(', ') || '无'}）`,
      `the certificate must name exactly ${expected.domain} (it names ${names.map((n) => `${n.type}:${n.value}`).join(', ') || 'nothing'})`,
    )
  const now = expected.now ?? new Date()
  if (parsed.notBefore.getTime() > now.getTime() || parsed.notAfter.getTime() <= now.getTime())
    throw refused(
      `证书不在有效期内（${parsed.notBefore.toISOString()} 至 ${parsed.notAfter.toISOString()}）`,
      `the certificate is not valid now (${parsed.notBefore.toISOString()} to ${parsed.notAfter.toISOString()})`,
    )
  const usage = parsed.getExtension(x509.KeyUsagesExtension)
  if (!usage || usage.usages !== x509.KeyUsageFlags.digitalSignature)
    throw refused('证书的密钥用途须仅为数字签名', 'its key usage must be digitalSignature only')
  if (parsed.getExtension(x509.BasicConstraintsExtension)?.ca)
    throw refused('证书是 CA 证书，不是验证方证书', 'it is a CA certificate, not a verifier certificate')
  if (expected.rootPem !== undefined) await assertIssuedByRoot(parsed, expected.rootPem, now)
}

async function assertIssuedByRoot(leaf: x509.X509Certificate, rootPem: string, now: Date): Promise<void> {
  let root: x509.X509Certificate
  try {
    root = new x509.X509Certificate(rootPem.trim())
  } catch {
    throw refused('--root 不是 X.509 证书 (PEM)', '--root is not an X.509 certificate (PEM)')
  }
  if (!root.getExtension(x509.BasicConstraintsExtension)?.ca)
    throw refused('--root 不是 CA 证书', '--root is not a CA certificate (basicConstraints CA:true)')
  if (root.notAfter.getTime() <= now.getTime()) throw refused('--root 已过期', '--root has expired')
  let signed = false
  try {
    signed = leaf.issuer === root.subject && (await leaf.verify({ publicKey: root.publicKey, signatureOnly: true }))
  } catch {
    signed = false
  }
  if (!signed)
    throw refused(
      '证书不是该根证书签发的',
      `the certificate was not issued by the given root (${root.subject}); it names ${leaf.issuer} as its issuer`,
    )
}

const refused = (zh: string, en: string) =>
  new ValidationError('ERR_INVALID_REQUEST', `证书未安装：${zh} / certificate not installed: ${en}`)
