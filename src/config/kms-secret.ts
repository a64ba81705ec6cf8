import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { Wallet, concat, keccak256, toUtf8Bytes } from 'ethers'

export interface KmsSecret {
  secret: string
  /** Where it came from, to tell the operator. */
  source: 'environment' | 'generated' | 'data-directory'
  file?: string
}

/**
 * The secret that encrypts private keys at rest: from GOVCRED_KMS_SECRET, or (embedded default only)
 * generated once into DATA_DIR/kms-secret with mode 0600.
 */
export function resolveKmsSecret(fromEnv: string | undefined, dataDir: string): KmsSecret {
  if (fromEnv) return { secret: fromEnv.toLowerCase(), source: 'environment' }
  const file = join(dataDir, 'kms-secret')
  if (existsSync(file)) {
    const secret = readFileSync(file, 'utf8').trim()
    if (!/^[0-9a-f]{64}$/i.test(secret)) throw new Error(`${file} does not hold a 64-hex-digit secret`)
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
    return { secret, source: 'data-directory', file }
  }
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' })
  return { secret, source: 'generated', file }
}

/**
 * The embedded deployer account, derived from the KMS secret so it needs no storage of its own and
 * the registries' addresses are known before they are deployed.
 */
export function deployerWallet(kmsSecret: string): Wallet {
  return new Wallet(keccak256(concat([toUtf8Bytes('govcred:deployer:v1:'), `0x${kmsSecret}`])))
}
