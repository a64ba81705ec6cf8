// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import { randomBytes } from 'node:crypto'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(globalThis.crypto)

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/**
 * The consortium root CA as the verifying side needs it to certify relying parties' keys: the composition root
 * hands in the one that certifies the departments' issuing keys (src/app), so wallets trust one root for both.
 */
export interface VerifierCertificateAuthority {
  certificate: x509.X509Certificate
  /** PEM of the root certificate (GET /v1/network publishes it). */
  pem: string
  privateKey: CryptoKey
}

/**
 * A relying party's verifier certificate, signed by the root CA: subject CN = its Chinese name, O = its English
 * name, SAN DNS = its domain (the OpenID4VP `x509_san_dns` client identifier; an IPv4 literal is given as an IP
 * address name too), digitalSignature only. Returns base64 DER (an x5c entry).
 */
export async function createVerifierCertificate(options: {
  authority: VerifierCertificateAuthority
  publicJwk: JsonWebKey
  nameZh: string
  nameEn: string
  domain: string
  notBefore: Date
  notAfter: Date
}): Promise<string> {
  const publicKey = await crypto.subtle.importKey('jwk', { ...options.publicJwk, ext: true }, EC_P256, true, ['verify'])
  const rootEnd = options.authority.certificate.notAfter
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: [{ CN: [options.nameZh] }, { O: [options.nameEn] }],
    issuer: options.authority.certificate.subject,
    notBefore: options.notBefore,
    notAfter: options.notAfter.getTime() > rootEnd.getTime() ? rootEnd : options.notAfter,
    signingAlgorithm: ECDSA_SHA256,
    publicKey,
    signingKey: options.authority.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension(verifierSubjectAltNames(options.domain)),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(options.authority.certificate),
    ],
  })
  return Buffer.from(certificate.rawData).toString('base64')
}

/**
 * The subjectAltName of a relying party's verifier identity (certificate and CSR alike): its domain as a DNS
 * name, and an IPv4 literal also as an IP address name (a loopback demo).
 */
export function verifierSubjectAltNames(domain: string): x509.JsonGeneralName[] {
  const names: x509.JsonGeneralName[] = [{ type: 'dns', value: domain }]
  if (/^[\d.]+$/.test(domain)) names.push({ type: 'ip', value: domain })
  return names
}

/** Whether a certificate (base64 DER) was signed by the root CA (false after the operator replaced the root). */
export async function issuedBy(certificate: string, authority: VerifierCertificateAuthority): Promise<boolean> {
  try {
    return await new x509.X509Certificate(Buffer.from(certificate, 'base64')).verify({
      publicKey: authority.certificate.publicKey,
      signatureOnly: true,
    })
  } catch {
    return false
  }
}

/** SHA-256 of a certificate's DER (base64), lowercase hex: what `relying-party list` shows. */
export async function certificateFingerprint(certificate: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', Buffer.from(certificate, 'base64'))
  return Buffer.from(digest).toString('hex')
}

/** The start of a certificate's validity (base64 DER), ISO 8601. */
export function certificateNotBefore(certificate: string): string {
  return new x509.X509Certificate(Buffer.from(certificate, 'base64')).notBefore.toISOString()
}

/** The end of a certificate's validity (base64 DER), ISO 8601. */
export function certificateNotAfter(certificate: string): string {
  return new x509.X509Certificate(Buffer.from(certificate, 'base64')).notAfter.toISOString()
}

/** A positive 128-bit serial number, hex. */
function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = bytes[0]! & 0x7f
  return bytes.toString('hex')
}

/** A certificate (base64 DER) as PEM, what an operator hands over and installs. */
export function certificatePem(certificate: string): string {
  return new x509.X509Certificate(Buffer.from(certificate, 'base64')).toString('pem')
}
