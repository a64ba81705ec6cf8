// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { fromBase64 } from './encoding.js'

x509.cryptoProvider.set(globalThis.crypto)

/** Why a certificate chain is not accepted. */
export type TrustFailureReason = 'x5c' | 'chain' | 'root' | 'validity' | 'key'

/** A certificate chain refused, with why; callers turn it into ISSUER_UNTRUSTED or VERIFIER_UNTRUSTED. */
export class TrustFailure extends Error {
  constructor(
    readonly reason: TrustFailureReason,
    message: string,
  ) {
    super(message)
  }
}

/** What a certificate names: subject CN and O, and its subjectAltName DNS names and URIs. */
export interface CertificateNames {
  commonName?: string
  organization?: string
  sanDns: string[]
  sanUris: string[]
}

/** The certificates of a JOSE `x5c` header (base64 DER, leaf first). */
export function parseX5c(x5c: unknown): x509.X509Certificate[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > 5 || !x5c.every((c) => typeof c === 'string')) {
    throw new TrustFailure('x5c', 'x5c is not a list of one to five base64 certificates')
  }
  try {
    return x5c.map((c) => new x509.X509Certificate(fromBase64(c)))
  } catch {
    throw new TrustFailure('x5c', 'an x5c certificate cannot be read')
  }
}

/** A root certificate given as PEM (GET /v1/network's `issuerTrust.x509RootCertificatePem`). */
export function parseRootPem(pem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(pem)
  } catch {
    throw new TrustFailure('root', 'the trusted root certificate cannot be read')
  }
}

/**
 * Checks that a chain (leaf first) ends at the trusted root: each certificate signed by the next, the last
 * one by the root (or being the root), every certificate above the leaf a CA, and all of them within their
 * validity at `now`. Throws {@link TrustFailure} with why not.
 */
export async function checkChainToRoot(chain: x509.X509Certificate[], root: x509.X509Certificate, now: Date): Promise<void> {
  const path = sameCertificate(chain[chain.length - 1]!, root) ? chain : [...chain, root]
  for (let i = 0; i < path.length; i++) {
    const cert = path[i]!
    if (cert.notBefore.getTime() > now.getTime() || cert.notAfter.getTime() < now.getTime()) {
      throw new TrustFailure('validity', `certificate "${cert.subject}" is outside its validity`)
    }
    const issuer = path[i + 1]
    if (!issuer) break
    if (!isCa(issuer)) throw new TrustFailure('chain', `certificate "${issuer.subject}" is not a CA`)
    const signed = cert.issuer === issuer.subject && (await verifiedBy(cert, issuer))
    if (!signed) {
      throw new TrustFailure(
        issuer === root ? 'root' : 'chain',
        issuer === root ? 'the chain does not end at the trusted root' : `certificate "${cert.subject}" is not signed by the next one`,
      )
    }
  }
  if (!sameCertificate(path[path.length - 1]!, root)) throw new TrustFailure('root', 'the chain does not end at the trusted root')
}

/** The CN, O and subjectAltName entries of a certificate. */
export function certificateNames(cert: x509.X509Certificate): CertificateNames {
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension)
  const names = san?.names.toJSON() ?? []
  return {
    ...(cert.subjectName.getField('CN')[0] ? { commonName: cert.subjectName.getField('CN')[0] } : {}),
    ...(cert.subjectName.getField('O')[0] ? { organization: cert.subjectName.getField('O')[0] } : {}),
    sanDns: names.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
    sanUris: names.filter((n) => n.type === 'url').map((n) => n.value),
  }
}

/** The leaf's P-256 public key as a WebCrypto verification key (TrustFailure 'key' for any other key type). */
export async function p256VerifyKey(cert: x509.X509Certificate): Promise<CryptoKey> {
  const algorithm = cert.publicKey.algorithm as EcKeyAlgorithm
  if (algorithm.name !== 'ECDSA' || algorithm.namedCurve !== 'P-256') throw new TrustFailure('key', 'the certificate key is not P-256')
  try {
    return await cert.publicKey.export({ name: 'ECDSA', namedCurve: 'P-256' }, ['verify'])
  } catch {
    throw new TrustFailure('key', 'the certificate key cannot be used')
  }
}

function isCa(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true
}

async function verifiedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    return await cert.verify({ publicKey: issuer.publicKey, signatureOnly: true })
  } catch {
    return false
  }
}

function sameCertificate(a: x509.X509Certificate, b: x509.X509Certificate): boolean {
  const x = new Uint8Array(a.rawData)
  const y = new Uint8Array(b.rawData)
  return x.length === y.length && x.every((byte, i) => byte === y[i])
}
