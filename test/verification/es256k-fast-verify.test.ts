// The OpenSSL fast path accepts exactly the ES256K signatures did-jwt accepts, and hands every doubtful
// case back to did-jwt.
import { randomBytes } from 'node:crypto'
import { createJWT, ES256KSigner, verifyJWS } from 'did-jwt'
import { SigningKey } from 'ethers'
import { describe, expect, it } from 'vitest'
import { verifyWithNodeCrypto } from '../../src/verifying/node-crypto-verify.js'

// The ES256K part of the node:crypto fast path (node-crypto-verify.test.ts covers EdDSA and ES256).
const verifyEs256kFast = (jwt: string, methods: object[]) => verifyWithNodeCrypto(jwt, 'ES256K', methods as never)

const ORDER = BigInt('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')

function keyPair() {
  const privateKey = randomBytes(32)
  const publicKeyHex = SigningKey.computePublicKey(`0x${privateKey.toString('hex')}`, true).slice(2)
  const method = { id: 'did:example:1#key', type: 'EcdsaSecp256k1VerificationKey2019', controller: 'did:example:1', publicKeyHex }
  return { signer: ES256KSigner(privateKey), method }
}

async function jwtOf(signer: ReturnType<typeof ES256KSigner>, payload: Record<string, unknown> = { sub: 'x', n: Math.random() }) {
  return createJWT(payload, { issuer: 'did:example:1', signer }, { alg: 'ES256K' })
}

const didJwtAccepts = (jwt: string, methods: object[]) => {
  try {
    verifyJWS(jwt, methods as never)
    return true
  } catch {
    return false
  }
}

describe('verifyEs256kFast', () => {
  it('accepts a valid signature, like did-jwt', async () => {
    const { signer, method } = keyPair()
    const jwt = await jwtOf(signer)
    expect(await verifyEs256kFast(jwt, [method])).toBe(true)
    expect(didJwtAccepts(jwt, [method])).toBe(true)
  })

  it('refuses a tampered payload, another key, and a truncated signature', async () => {
    const { signer, method } = keyPair()
    const other = keyPair().method
    const jwt = await jwtOf(signer, { sub: 'alice' })
    const [h, , s] = jwt.split('.')
    const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'mallory', iss: 'did:example:1' })).toString('base64url')}.${s}`
    const table = [
      { name: 'tampered payload', jwt: tampered, methods: [method] },
      { name: 'other key', jwt, methods: [other] },
      { name: 'truncated signature', jwt: jwt.slice(0, -4), methods: [method] },
      {
        name: 'no usable key',
        jwt,
        methods: [
          {
            id: 'x',
            type: 'EcdsaSecp256k1RecoveryMethod2020',
            controller: 'x',
            blockchainAccountId: 'eip155:1:0x0000000000000000000000000000000000000001',
          },
        ],
      },
    ]
    for (const { name, jwt: candidate, methods } of table) {
      expect(await verifyEs256kFast(candidate, methods as never), name).toBe(false)
    }
  })

  it('hands a high-S signature back to did-jwt instead of deciding', async () => {
    const { signer, method } = keyPair()
    const jwt = await jwtOf(signer)
    const [h, p, s] = jwt.split('.')
    const sig = Buffer.from(s, 'base64url')
    const highS = ORDER - BigInt(`0x${sig.subarray(32).toString('hex')}`)
    const flipped = Buffer.concat([sig.subarray(0, 32), Buffer.from(highS.toString(16).padStart(64, '0'), 'hex')])
    expect(await verifyEs256kFast(`${h}.${p}.${flipped.toString('base64url')}`, [method])).toBe(false)
  })
})
