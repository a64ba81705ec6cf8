/**
 * The bench's holder: a secp256k1 key and a did:ethr on the govcred network that needs no transaction,
 * its three credentials issued over HTTP by the demo departments, and VP-JWTs made with stock
 * did-jwt-vc for presentation requests.
 *
 * @example
 * const holder = createHolder('govcred')
 * const jwts = await issueBenchCredentials(client, demo, holder.did)
 * const vp = await holder.present(jwts, { challenge, domain })
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { bytesToMultibase, decodeJWT, EdDSASigner, ES256KSigner, type Signer } from 'did-jwt'
import { createVerifiablePresentationJwt } from 'did-jwt-vc'
import { SigningKey, computeAddress, hexlify } from 'ethers'
import { businessLicenseClaims, propertyCertificateClaims, socialSecurityStatusClaims } from '../test/fixtures/claims.js'
import type { JsonClient } from './load.js'

export interface Holder {
  did: string
  present(credentialJwts: string[], request: { challenge: string; domain: string }): Promise<string>
}

/**
 * `publicKey` (default): `did:ethr:<network>:0x02…`, the form govcred's wallet (Veramo's did:ethr
 * provider) creates; its document carries the key, so a signature is one ECDSA verify.
 * `address`: `did:ethr:<network>:0x<address>`; its document carries only the address, so a verifier
 * recovers the key from the signature (up to two recoveries for a 64-byte ES256K signature).
 */
export function createHolder(network: string, form: 'publicKey' | 'address' = 'publicKey'): Holder {
  const privateKey = randomBytes(32)
  const signingKey = new SigningKey(hexlify(privateKey))
  const id = form === 'publicKey' ? signingKey.compressedPublicKey : computeAddress(signingKey.publicKey)
  const did = `did:ethr:${network}:${id}`
  return presenter({ did, signer: ES256KSigner(privateKey), alg: 'ES256K' })
}

/**
 * An Ed25519 `did:key:z6Mk…` built with stock did-jwt only (multicodec ed25519-pub in base58btc, as any did:key
 * wallet makes it), signing its VP-JWTs with EdDSA; a verifier resolves it without the chain.
 */
export function createEd25519KeyHolder(): Holder {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })
  const did = `did:key:${bytesToMultibase(Buffer.from(jwk.x!, 'base64url'), 'base58btc', 'ed25519-pub')}`
  return presenter({ did, signer: EdDSASigner(new Uint8Array(Buffer.from(jwk.d!, 'base64url'))), alg: 'EdDSA' })
}

function presenter(issuer: { did: string; signer: Signer; alg: string }): Holder {
  return {
    did: issuer.did,
    present: (credentialJwts, request) =>
      createVerifiablePresentationJwt(
        {
          vp: {
            '@context': ['https://www.w3.org/2018/credentials/v1'],
            type: ['VerifiablePresentation'],
            verifiableCredential: credentialJwts,
          },
        },
        issuer,
        { challenge: request.challenge, domain: request.domain },
      ),
  }
}

export interface DemoDepartment {
  id: string
  did: string
  account: string
  apiKey: string
  credentialTypes: string[]
}

export function readDemoDepartments(dataDir: string): Record<'market' | 'realEstate' | 'socialSecurity', DemoDepartment> {
  const file = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { departments: DemoDepartment[] }
  const byId = (id: string) => {
    const found = file.departments.find((d) => d.id === id)
    if (!found) throw new Error(`demo.json has no department ${id}`)
    return found
  }
  return {
    market: byId('market-supervision'),
    realEstate: byId('real-estate-registration'),
    socialSecurity: byId('human-resources-social-security'),
  }
}

export const CREDENTIAL_TYPES = ['BusinessLicenseCredential', 'PropertyCertificateCredential', 'SocialSecurityStatusCredential'] as const

/**
 * Issues the holder a business licence, a property certificate and a social-security status, or those of
 * `types`; returns the VC-JWTs in that order. A property unit has one current certificate: issue it once per service.
 */
export async function issueBenchCredentials(
  client: JsonClient,
  departments: ReturnType<typeof readDemoDepartments>,
  holderDid: string,
  types: readonly (typeof CREDENTIAL_TYPES)[number][] = CREDENTIAL_TYPES,
): Promise<string[]> {
  const plan: [DemoDepartment, (typeof CREDENTIAL_TYPES)[number], Record<string, unknown>][] = [
    [departments.market, 'BusinessLicenseCredential', { ...businessLicenseClaims() }],
    [departments.realEstate, 'PropertyCertificateCredential', { ...propertyCertificateClaims() }],
    [departments.socialSecurity, 'SocialSecurityStatusCredential', { ...socialSecurityStatusClaims() }],
  ]
  const jwts: string[] = []
  for (const [department, type, claims] of plan.filter(([, type]) => types.includes(type))) {
    const { id: _id, ...rest } = claims
    const { status, body } = await client.post(
      '/v1/credentials',
      { type, holder: holderDid, claims: rest },
      { authorization: `Bearer ${department.apiKey}` },
    )
    if (status !== 201 || typeof body?.jwt !== 'string')
      throw new Error(`issuing ${type} failed: ${status} ${JSON.stringify(body).slice(0, 500)}`)
    const payload = decodeJWT(body.jwt).payload as Record<string, unknown>
    if (payload.sub !== holderDid && (payload.vc as any)?.credentialSubject?.id !== holderDid)
      throw new Error(`${type} was issued to ${String(payload.sub)}, not ${holderDid}`)
    jwts.push(body.jwt)
  }
  return jwts
}
