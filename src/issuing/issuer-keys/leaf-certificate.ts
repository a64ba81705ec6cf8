// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { EC_P256, ECDSA_SHA256, escapeDn, randomSerial, type RootCa } from './root-ca.js'

/**
 * A department's leaf certificate, signed by the root CA: subject CN = the department's name, SAN URIs = its
 * credential_issuer URL (the SD-JWT `iss` a wallet matches) and its did:ethr DID (so that a verifier with only
 * the chain finds the DID document that must list this key), SAN DNS = the node's host; digitalSignature only.
 * Returns base64 DER (an x5c entry).
 */
export async function createLeafCertificate(options: {
  rootCa: RootCa
  publicJwk: JsonWebKey
  commonName: string
  organization?: string
  issuerUrl: string
  /** The department's did:ethr DID, whose on-chain document registers the key. */
  did: string
  host: string
  notBefore: Date
  notAfter: Date
}): Promise<string> {
  const publicKey = await crypto.subtle.importKey('jwk', { ...options.publicJwk, ext: true }, EC_P256, true, ['verify'])
  const subject = [`CN=${escapeDn(options.commonName)}`, ...(options.organization ? [`O=${escapeDn(options.organization)}`] : [])]
  // SAN DNS = the host even when it is an IP literal (a loopback demo): wallets match the `iss` URL's host
  // against the DNS names (e.g. credo-ts); an IP literal is also given as an IP address name.
  const host = options.host.replace(/^\[|\]$/g, '')
  const names: x509.JsonGeneralName[] = [
    { type: 'url', value: options.issuerUrl },
    { type: 'url', value: options.did },
    { type: 'dns', value: host },
  ]
  if (/^[\d.]+$/.test(host) || host.includes(':')) names.push({ type: 'ip', value: host })
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subject.join(', '),
    issuer: options.rootCa.certificate.subject,
    notBefore: options.notBefore,
    notAfter: notAfterWithin(options.notAfter, options.rootCa.certificate.notAfter),
    signingAlgorithm: ECDSA_SHA256,
    publicKey,
    signingKey: options.rootCa.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(options.rootCa.certificate),
    ],
  })
  return Buffer.from(certificate.rawData).toString('base64')
}

const notAfterWithin = (wanted: Date, rootEnd: Date) => (wanted.getTime() > rootEnd.getTime() ? rootEnd : wanted)

/** The DNS names of a leaf certificate (base64 DER) in its subjectAltName. */
export function certificateDnsNames(certificate: string): string[] {
  return sanNames(certificate, 'dns')
}

/** The URIs of a leaf certificate (base64 DER) in its subjectAltName: its credential_issuer URL and DID. */
export function certificateUris(certificate: string): string[] {
  return sanNames(certificate, 'url')
}

function sanNames(certificate: string, type: 'dns' | 'url'): string[] {
  const parsed = new x509.X509Certificate(Buffer.from(certificate, 'base64'))
  const san = parsed.getExtension(x509.SubjectAlternativeNameExtension)
  return (san?.names.toJSON() ?? []).filter((n) => n.type === type).map((n) => n.value)
}
