// @peculiar/x509 (through tsyringe) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata'
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(globalThis.crypto)

export const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const
export const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const

/** The consortium root CA that certifies each department's issuing key. */
export interface RootCa {
  certificate: x509.X509Certificate
  /** PEM of the certificate (what wallets and verifiers are configured with). */
  pem: string
  /** The CA's signing key; certifies new department keys. */
  privateKey: CryptoKey
}

/** Where the root CA is kept in a data directory: the certificate, and its private key encrypted at rest. */
export function rootCaFiles(dataDir: string): { certificate: string; key: string } {
  return { certificate: join(dataDir, 'issuer-ca', 'root-ca.pem'), key: join(dataDir, 'issuer-ca', 'root-ca.key.enc') }
}

const ROOT_VALIDITY_YEARS = 20

/**
 * Loads the root CA from the data directory, or creates one (P-256, self-signed, CA:true, keyCertSign) when
 * there is none: the key is encrypted with a key derived from the KMS secret (AES-256-GCM), files 0600.
 */
export async function loadOrCreateRootCa(options: {
  dataDir: string
  kmsSecret: string
  /** Subject common name of a new root. */
  commonName: string
}): Promise<{ ca: RootCa; created: boolean }> {
  const files = rootCaFiles(options.dataDir)
  if (existsSync(files.certificate) || existsSync(files.key))
    return { ca: await loadRootCa(options.dataDir, options.kmsSecret), created: false }
  const keys = (await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as CryptoKeyPair
  const now = new Date()
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${escapeDn(options.commonName)}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + ROOT_VALIDITY_YEARS * 365 * 86_400_000),
    signingAlgorithm: ECDSA_SHA256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  })
  await writeRootCa(options.dataDir, options.kmsSecret, certificate, keys.privateKey)
  return { ca: { certificate, pem: certificate.toString('pem'), privateKey: keys.privateKey }, created: true }
}

/** The root CA kept in the data directory. */
export async function loadRootCa(dataDir: string, kmsSecret: string): Promise<RootCa> {
  const files = rootCaFiles(dataDir)
  if (!existsSync(files.certificate) || !existsSync(files.key)) {
    throw new Error(`the issuer root CA is incomplete: ${files.certificate} and ${files.key} must both exist`)
  }
  const certificate = new x509.X509Certificate(readFileSync(files.certificate, 'utf8'))
  const pkcs8 = decrypt(readFileSync(files.key, 'utf8'), kmsSecret, files.key)
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, EC_P256, false, ['sign'])
  await assertKeyMatches(certificate, privateKey)
  return { certificate, pem: certificate.toString('pem'), privateKey }
}

/**
 * Puts an operator-supplied consortium root (certificate PEM and unencrypted PKCS#8 private key PEM) into the
 * data directory, the key encrypted like a generated one. Refuses a key that does not match the certificate,
 * a certificate that is not a P-256 CA, or a data directory that already has a root.
 */
export async function importRootCa(options: {
  dataDir: string
  kmsSecret: string
  certificatePem: string
  privateKeyPem: string
}): Promise<RootCa> {
  const files = rootCaFiles(options.dataDir)
  if (existsSync(files.certificate) || existsSync(files.key)) throw new Error(`${files.certificate} already exists; remove it first`)
  const certificate = new x509.X509Certificate(options.certificatePem)
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension)
  if (!constraints?.ca) throw new Error('the certificate is not a CA certificate (basicConstraints CA:true)')
  const pkcs8 = x509.PemConverter.decodeFirst(options.privateKeyPem)
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, EC_P256, true, ['sign'])
  await assertKeyMatches(certificate, privateKey)
  await writeRootCa(options.dataDir, options.kmsSecret, certificate, privateKey)
  return { certificate, pem: certificate.toString('pem'), privateKey }
}

async function writeRootCa(dataDir: string, kmsSecret: string, certificate: x509.X509Certificate, privateKey: CryptoKey) {
  const files = rootCaFiles(dataDir)
  mkdirSync(dirname(files.key), { recursive: true, mode: 0o700 })
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', privateKey))
  // The key first: a certificate without its key is never left behind as if complete.
  writeAtomically(files.key, encrypt(pkcs8, kmsSecret))
  writeAtomically(files.certificate, certificate.toString('pem') + '\n')
}

function writeAtomically(file: string, text: string) {
  const temporary = `${file}.tmp`
  writeFileSync(temporary, text, { mode: 0o600 })
  renameSync(temporary, file)
}

async function assertKeyMatches(certificate: x509.X509Certificate, privateKey: CryptoKey) {
  const probe = randomBytes(32)
  let signature: ArrayBuffer
  try {
    signature = await crypto.subtle.sign(ECDSA_SHA256, privateKey, probe)
  } catch (cause) {
    throw new Error('the issuer root CA key is not a P-256 private key', { cause })
  }
  const publicKey = await certificate.publicKey.export(EC_P256, ['verify'])
  if (!(await crypto.subtle.verify(ECDSA_SHA256, publicKey, signature, probe))) {
    throw new Error("the issuer root CA key does not match the certificate's public key")
  }
}

function wrappingKey(kmsSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(kmsSecret, 'hex'), 'govcred', 'issuer-root-ca:v1', 32))
}

function encrypt(plain: Uint8Array, kmsSecret: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', wrappingKey(kmsSecret), iv)
  const data = Buffer.concat([cipher.update(plain), cipher.final()])
  const record = {
    alg: 'A256GCM',
    kdf: 'HKDF-SHA256(kms-secret, issuer-root-ca:v1)',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  }
  return `${JSON.stringify(record)}\n`
}

function decrypt(text: string, kmsSecret: string, file: string): Uint8Array<ArrayBuffer> {
  try {
    const record = JSON.parse(text) as { iv: string; tag: string; data: string }
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey(kmsSecret), Buffer.from(record.iv, 'base64'))
    decipher.setAuthTag(Buffer.from(record.tag, 'base64'))
    const plain = Buffer.concat([decipher.update(Buffer.from(record.data, 'base64')), decipher.final()])
    return new Uint8Array(plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength) as ArrayBuffer)
  } catch (cause) {
    throw new Error(`${file} cannot be decrypted with this node's KMS secret (GOVCRED_KMS_SECRET)`, { cause })
  }
}

/** A positive 128-bit serial number, hex. */
export function randomSerial(): string {
  const bytes = randomBytes(16)
  bytes[0] = bytes[0]! & 0x7f
  return bytes.toString('hex')
}

/** Escapes the characters RFC 4514 reserves in a distinguished name value. */
export function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])/, '\\$1')
}
