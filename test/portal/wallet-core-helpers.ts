/**
 * Helpers of the wallet-core test: request objects signed by certificates that must not be trusted (another
 * root; the consortium root but another DNS name), and small readers.
 *
 * @example
 * const jwt = await foreignRootRequest(decodedPayload(realRequestObject))
 */
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'
import { CompactSign } from 'jose'
import { createVerifierCertificate, type VerifierCertificateAuthority } from '../../src/verifying/relying-parties/verifier-certificate.js'
import { WalletCoreError, type WalletCoreErrorCode } from '../../portal/src/wallet-core/index.js'

export interface BankRequest {
  id: string
  deepLink: string
  requestUri: string
}

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/** The payload of a compact JWT, unverified. */
export function decodedPayload(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8'))
}

/** The wallet-core code a call is refused with (undefined when it is not refused by the wallet core). */
export async function codeOf(run: Promise<unknown>): Promise<WalletCoreErrorCode | undefined> {
  const outcome = await run.then(
    () => undefined,
    (error: unknown) => error,
  )
  return outcome instanceof WalletCoreError ? outcome.code : undefined
}

/** A request object (the given payload) signed by a verifier certificate for 127.0.0.1 from a root nobody trusts. */
export async function foreignRootRequest(payload: Record<string, unknown>): Promise<string> {
  const keys = (await crypto.subtle.generateKey(EC_P256, false, ['sign', 'verify'])) as CryptoKeyPair
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Another root',
    keys,
    signingAlgorithm: ECDSA_SHA256,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  })
  return signedBy({ certificate, pem: certificate.toString('pem'), privateKey: keys.privateKey }, '127.0.0.1', payload)
}

/** A request object signed by a verifier certificate from the consortium root, but for another DNS name. */
export async function otherHostCertificateRequest(
  authority: VerifierCertificateAuthority,
  payload: Record<string, unknown>,
): Promise<string> {
  return signedBy(authority, 'other.example', payload)
}

async function signedBy(authority: VerifierCertificateAuthority, domain: string, payload: Record<string, unknown>): Promise<string> {
  const keys = (await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair
  const leaf = await createVerifierCertificate({
    authority,
    publicJwk: await crypto.subtle.exportKey('jwk', keys.publicKey),
    nameZh: '南京银行（演示）',
    nameEn: 'Demo Bank of Nanjing',
    domain,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
  })
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', typ: 'oauth-authz-req+jwt', x5c: [leaf] })
    .sign(keys.privateKey)
}
