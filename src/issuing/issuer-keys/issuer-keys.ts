import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { encodeBytes32String } from 'ethers'
import type { IKeyManager, TAgent } from '@veramo/core-types'
import type { ChainWriter } from '../../chain/chain-writer.js'
import type { Logger } from '../../shared/logger.js'
import type { DepartmentStore } from '../departments/department-store.js'
import { certificateDnsNames, certificateUris, createLeafCertificate } from './leaf-certificate.js'
import type { IssuerKeyRecord, IssuerKeyStore } from './issuer-key-store.js'
import { jwkThumbprint, p256PublicJwk, uncompressedP256 } from '../../shared/identity/p256-keys.js'
import type { RootCa } from './root-ca.js'

/**
 * The ES256 issuing identity of each department for SD-JWT VC (and its status list tokens): a P-256 key in
 * this node's KMS, a leaf certificate signed by the consortium root CA, and the key registered on chain in
 * the department's ERC-1056 DID document (`did/pub/Secp256r1/veriKey/hex`).
 */
export interface IssuerSigningKey {
  departmentId: string
  /** The key's id (its RFC 7638 JWK thumbprint). */
  kid: string
  /** The public key as a JWK (kty EC, crv P-256, x, y). */
  publicJwk: JsonWebKey
  /** The certificate chain, base64 DER: [leaf, root]. */
  x5c: string[]
  /** ES256 over `data` (SHA-256 inside): the raw r||s signature, 64 bytes. */
  sign(data: Uint8Array): Promise<Uint8Array>
}

export interface IssuerKeys {
  /** The department's current issuing key; created, certified and registered on chain on first use. */
  current(departmentId: string): Promise<IssuerSigningKey>
  /** The consortium root CA certificate (PEM) a wallet or verifier trusts. */
  rootCertificatePem(): string
}

/** The ERC-1056 attribute under which a department's ES256 issuing key is registered in its DID document. */
export const ISSUING_KEY_ATTRIBUTE = 'did/pub/Secp256r1/veriKey/hex'
/** A leaf certificate (and its on-chain attribute) is valid this long. */
export const LEAF_VALIDITY_DAYS = 730
/** A new key is made (in the background) this long before the current one's certificate ends. */
export const ROTATE_BEFORE_DAYS = 30

const DAY_MS = 86_400_000

export interface IssuerKeysDeps {
  agent: TAgent<Pick<IKeyManager, 'keyManagerCreate' | 'keyManagerSign'>>
  store: IssuerKeyStore
  writer: Pick<ChainWriter, 'submit'>
  departments: Pick<DepartmentStore, 'get'>
  /** The ERC-1056 registry (deployments.contracts.didRegistry). */
  didRegistry: string
  /** config.publicUrl: the departments' credential_issuer URLs are under it. */
  publicUrl: UrlSource
  rootCa: RootCa
  logger: Logger
  /**
   * The KMS's private keys (Veramo's PrivateKeyStore, decrypting): with it, a key is read and decrypted once and
   * signs as a node:crypto KeyObject held in memory; without it, every signature goes through the agent.
   */
  privateKeys?: { getKey(args: { alias: string }): Promise<{ privateKeyHex: string }> }
}

/** A URL, or a function answering it (the node's public URL is known only once it listens when it names port 0). */
export type UrlSource = string | (() => string)

export const urlOf = (source: UrlSource): string => (typeof source === 'function' ? source() : source).replace(/\/+$/, '')

/** A department's credential_issuer URL (also the SD-JWT `iss` and the leaf certificate's SAN URI). */
export function credentialIssuerUrl(publicUrl: string, departmentId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/oid4vci/${departmentId}`
}

/**
 * The departments' issuing keys: each a Secp256r1 key in the Veramo KMS (encrypted at rest), certified by the
 * root CA and registered on chain (setAttribute on the department's own did:ethr, through the ChainWriter)
 * before it signs anything. Keys, certificates and registrations survive restarts (IssuerKeyStore).
 */
export class DepartmentIssuerKeys implements IssuerKeys {
  private readonly pending = new Map<string, Promise<IssuerSigningKey>>()
  private readonly cache = new Map<string, { key: IssuerSigningKey; notAfter: number }>()
  private readonly rotating = new Set<string>()

  constructor(private readonly deps: IssuerKeysDeps) {}

  rootCertificatePem(): string {
    return this.deps.rootCa.pem
  }

  async current(departmentId: string): Promise<IssuerSigningKey> {
    const cached = this.cache.get(departmentId)
    if (cached && cached.notAfter - Date.now() > ROTATE_BEFORE_DAYS * DAY_MS) return cached.key
    if (cached && cached.notAfter > Date.now() + DAY_MS) {
      this.rotateInBackground(departmentId)
      return cached.key
    }
    return this.serialized(departmentId, () => this.ensure(departmentId))
  }

  /** Makes, certifies and registers a new key for the department; it becomes current once registered. */
  rotate(departmentId: string): Promise<IssuerSigningKey> {
    return this.serialized(departmentId, () => this.createAndRegister(departmentId))
  }

  /** Every key the department has had (the old ones still verify while their on-chain attribute is valid). */
  async keys(departmentId: string): Promise<IssuerKeyRecord[]> {
    return this.deps.store.list(departmentId)
  }

  private serialized(departmentId: string, work: () => Promise<IssuerSigningKey>): Promise<IssuerSigningKey> {
    const previous = this.pending.get(departmentId) ?? Promise.resolve(undefined)
    const next = previous.catch(() => undefined).then(work)
    this.pending.set(departmentId, next)
    void next
      .catch(() => undefined)
      .finally(() => {
        if (this.pending.get(departmentId) === next) this.pending.delete(departmentId)
      })
    return next
  }

  private rotateInBackground(departmentId: string): void {
    if (this.rotating.has(departmentId)) return
    this.rotating.add(departmentId)
    this.rotate(departmentId)
      .then((key) => this.deps.logger.info(`rotated the SD-JWT issuing key of ${departmentId}`, { kid: key.kid }))
      .catch((error) => this.deps.logger.warn(`rotating the issuing key of ${departmentId} failed: ${(error as Error).message}`))
      .finally(() => this.rotating.delete(departmentId))
  }

  private async ensure(departmentId: string): Promise<IssuerSigningKey> {
    // A key certified for another host (GOVCRED_PUBLIC_URL changed) would not match the credentials' `iss`.
    const host = new URL(urlOf(this.deps.publicUrl)).hostname.replace(/^\[|\]$/g, '')
    // A certificate that does not name the department's DID (made before it did) cannot be verified from the chain.
    const did = (await this.deps.departments.get(departmentId))?.did
    const records = (await this.deps.store.list(departmentId)).filter(
      (r) => certificateDnsNames(r.certificate).includes(host) && !!did && certificateUris(r.certificate).includes(did),
    )
    const usable = records.filter((r) => r.registeredAt && Date.parse(r.notAfter) > Date.now() + DAY_MS).pop()
    if (usable) return this.remember(usable)
    // A key made before but not registered yet (the chain did not answer): register it now, same outbox id.
    const unregistered = records.filter((r) => !r.registeredAt && Date.parse(r.notAfter) > Date.now() + DAY_MS).pop()
    if (unregistered) return this.register(unregistered)
    return this.createAndRegister(departmentId)
  }

  private async createAndRegister(departmentId: string): Promise<IssuerSigningKey> {
    const department = await this.deps.departments.get(departmentId)
    if (!department) throw new Error(`unknown department ${departmentId}`)
    const managed = await this.deps.agent.keyManagerCreate({
      kms: 'local',
      type: 'Secp256r1',
      meta: { purpose: 'sd-jwt-vc issuing key', departmentId },
    })
    const publicKeyHex = uncompressedP256(managed.publicKeyHex)
    const publicJwk = p256PublicJwk(publicKeyHex)
    const kid = jwkThumbprint(publicJwk)
    const now = new Date()
    const notAfter = new Date(now.getTime() + LEAF_VALIDITY_DAYS * DAY_MS)
    const certificate = await createLeafCertificate({
      rootCa: this.deps.rootCa,
      publicJwk,
      commonName: department.name,
      organization: department.nameEn,
      issuerUrl: credentialIssuerUrl(urlOf(this.deps.publicUrl), departmentId),
      did: department.did,
      host: new URL(urlOf(this.deps.publicUrl)).hostname,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter,
    })
    const record: IssuerKeyRecord = {
      kid,
      departmentId,
      kmsKeyId: managed.kid,
      publicKeyHex,
      certificate,
      notAfter: notAfter.toISOString(),
      outboxId: `issuer-key:${departmentId}:${kid}`,
      registeredAt: null,
      createdAt: now.toISOString(),
    }
    await this.deps.store.insert(record)
    return this.register(record)
  }

  /** setAttribute(identity, did/pub/Secp256r1/veriKey/hex, point, validity) from the department's own account. */
  private async register(record: IssuerKeyRecord): Promise<IssuerSigningKey> {
    const department = await this.deps.departments.get(record.departmentId)
    if (!department) throw new Error(`unknown department ${record.departmentId}`)
    const validity = Math.max(1, Math.floor((Date.parse(record.notAfter) - Date.now()) / 1000))
    await this.deps.writer.submit({
      id: record.outboxId,
      account: department.account,
      contract: 'EthereumDIDRegistry',
      target: this.deps.didRegistry,
      method: 'setAttribute',
      args: [department.account, encodeBytes32String(ISSUING_KEY_ATTRIBUTE), `0x${record.publicKeyHex}`, validity],
      label: `${record.departmentId}: register SD-JWT issuing key ${record.kid} in its DID document`,
    })
    const registeredAt = new Date().toISOString()
    await this.deps.store.markRegistered(record.kid, registeredAt)
    this.deps.logger.info(`registered the SD-JWT issuing key of ${record.departmentId} on chain`, { kid: record.kid })
    return this.remember({ ...record, registeredAt })
  }

  private remember(record: IssuerKeyRecord): IssuerSigningKey {
    const { agent, privateKeys } = this.deps
    const publicJwk = p256PublicJwk(record.publicKeyHex)
    let privateKey: Promise<KeyObject> | undefined
    const key: IssuerSigningKey = {
      departmentId: record.departmentId,
      kid: record.kid,
      publicJwk,
      x5c: [record.certificate],
      async sign(data: Uint8Array): Promise<Uint8Array> {
        if (privateKeys) {
          if (!privateKey) {
            privateKey = privateKeys
              .getKey({ alias: record.kmsKeyId })
              .then(({ privateKeyHex }) => p256PrivateKey(publicJwk, privateKeyHex))
            // A failed read is tried again by the next signature.
            privateKey.catch(() => (privateKey = undefined))
          }
          return es256(await privateKey, data)
        }
        const signature = await agent.keyManagerSign({
          keyRef: record.kmsKeyId,
          algorithm: 'ES256',
          data: Buffer.from(data).toString('hex'),
          encoding: 'base16',
        })
        return new Uint8Array(Buffer.from(signature, 'base64url'))
      },
    }
    this.cache.set(record.departmentId, { key, notAfter: Date.parse(record.notAfter) })
    return key
  }
}

/** A P-256 private key as a KeyObject, from its public JWK and the KMS's private scalar (hex). */
function p256PrivateKey(publicJwk: JsonWebKey, privateKeyHex: string): KeyObject {
  const d = Buffer.from(privateKeyHex.replace(/^0x/, ''), 'hex').toString('base64url')
  return createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: publicJwk.x!, y: publicJwk.y!, d }, format: 'jwk' })
}

/** ES256 (raw r||s) on libuv's thread pool, off the event loop. */
function es256(key: KeyObject, data: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, (error, signature) =>
      error ? reject(error) : resolve(new Uint8Array(signature)),
    )
  })
}
