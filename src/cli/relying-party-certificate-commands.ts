import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { verify as verifySignature, createPublicKey, randomBytes } from 'node:crypto'
import type { DataSource } from 'typeorm'
import type { RelyingPartyDatabase } from '../config/verifier-access-settings.js'
import { resolveKmsSecret } from '../config/kms-secret.js'
import { loadRootCa } from '../issuing/issuer-keys/root-ca.js'
import { jwkThumbprint, p256PublicJwk } from '../shared/identity/p256-keys.js'
import { isAppError } from '../shared/errors/app-error.js'
import { checkVerifierCertificate, readOfferedCertificate } from '../verifying/relying-parties/installed-certificate.js'
import { LocalVerifierKeys } from '../verifying/relying-parties/local-verifier-keys.js'
import { normalizeDomain, RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import { certificateFingerprint, certificatePem } from '../verifying/relying-parties/verifier-certificate.js'
import { certifyVerifierCsr, createVerifierCsr } from '../verifying/relying-parties/verifier-csr.js'
import { VerifierIdentityStore } from '../verifying/relying-parties/verifier-identity-store.js'
import { clientIdOf } from '../verifying/relying-parties/verifier-identity.js'
import { CliError } from './governance-commands.js'

/** Most bytes read from a --csr, --certificate or --root file (a PEM of a few certificates is a few kB). */
const MAX_PEM_FILE_BYTES = 64 * 1024

export interface CertificateFlags {
  id?: string
  /** The DNS name the CSR asks for, when the party has none yet. */
  domain?: string
  /** A PKCS#10 CSR (PEM) to certify. */
  csr?: string
  /** The certificate (PEM) a full node's `certify` returned. */
  certificate?: string
  /** The consortium root certificate (PEM) the certificate must chain to. */
  root?: string
  /** How long a certificate made by `certify` lasts. */
  days?: string
}

/**
 * `govcred relying-party csr --id ID --verifier [--domain DNS]` (verifier-only node): makes the party a P-256
 * request-signing key, sealed in `verifier.sqlite` under DATA_DIR/kms-secret (created 0600 when missing), and
 * answers a PKCS#10 CSR (PEM) for it naming the party (CN = Chinese name, O = English name) and its domain (SAN
 * DNS). The private key never leaves the node; the CSR goes to the consortium operator (`certify`).
 */
export async function makeCsr(db: DataSource, database: RelyingPartyDatabase, flags: CertificateFlags): Promise<string> {
  requireVerifierNode(database, 'csr')
  if (!flags.id) throw new CliError('relying-party csr needs --id')
  const parties = new RelyingPartyStore(db)
  let party = await parties.get(flags.id)
  if (!party) throw new CliError(`没有验证方 ${flags.id} / no relying party ${flags.id}`)
  const wanted = flags.domain === undefined ? undefined : await cliValue(() => normalizeDomain(flags.domain!))
  if (party.domain && wanted && wanted !== party.domain)
    throw new CliError(
      `${party.id} 的域名已是 ${party.domain} / the domain of ${party.id} is ${party.domain}, not ${wanted}: leave out --domain`,
    )
  if (!party.domain) {
    if (!wanted)
      throw new CliError(
        `${party.id} 还没有域名，请用 --domain 指定 / ${party.id} has no domain yet: give --domain DNS (the host wallets reach this node at)`,
      )
    party = (await parties.assignDomainIfUnset(party.id, wanted))!
  }
  const keys = new LocalVerifierKeys(db, resolveKmsSecret(undefined, dirname(database.file)).secret)
  const made = await keys.generate(party.id, party.domain!)
  const pem = await createVerifierCsr({ keys: made.keys, nameZh: party.nameZh, nameEn: party.nameEn, domain: party.domain! })
  process.stderr.write(
    `证书签名请求已生成（私钥留在本节点，已加密保存）：请交给联盟运营方签发 / CSR made for ${clientIdOf(party)} ` +
      `(the private key stays on this node, sealed). Send it to the consortium operator, who runs on a full node:\n` +
      `  govcred relying-party certify --csr ${party.id}.csr > ${party.id}.pem\n` +
      `then install the certificate here:\n` +
      `  govcred relying-party install-certificate --id ${party.id} --certificate ${party.id}.pem --verifier --root consortium-root.pem\n`,
  )
  return pem.trim()
}

/**
 * `govcred relying-party certify --csr FILE [--days N]` (full node, the consortium operator): checks the CSR
 * (self-signature, P-256, exactly one DNS name) and answers the leaf certificate (PEM) signed by the
 * consortium root CA of DATA_DIR/issuer-ca; its SHA-256 fingerprint and what it names go to stderr. Nothing
 * is recorded.
 */
export async function certifyCsr(database: RelyingPartyDatabase, flags: CertificateFlags): Promise<string> {
  if (database.kind !== 'full')
    throw new CliError('certify 须在全节点上运行（它持有联盟根证书）/ certify runs on a full node: it holds the consortium root CA')
  if (!flags.csr) throw new CliError('relying-party certify needs --csr FILE')
  const pem = readPemFile(flags.csr, '--csr')
  const dataDir = dirname(database.file)
  let authority
  try {
    authority = await loadRootCa(dataDir, nodeKmsSecret(database))
  } catch (error) {
    if (error instanceof CliError) throw error
    throw new CliError(`无法载入联盟根证书 / cannot load the consortium root CA: ${(error as Error).message}`)
  }
  const days = flags.days === undefined ? undefined : Number(flags.days)
  const { certificate, csr } = await cliValue(() => certifyVerifierCsr(authority, pem, days === undefined ? {} : { days }))
  const fingerprint = await certificateFingerprint(certificate)
  process.stderr.write(
    `已签发验证方证书 / certified: CN=${csr.nameZh}, O=${csr.nameEn}, DNS=${csr.domain}\n` + `SHA-256 fingerprint: ${fingerprint}\n`,
  )
  return certificatePem(certificate).trim()
}

/**
 * `govcred relying-party install-certificate --id ID --certificate FILE --verifier [--root FILE]`
 * (verifier-only node): installs the certificate `certify` returned once it certifies a key this node made
 * for the party, names exactly its domain, is valid now, is for digitalSignature only and (with --root)
 * chains to the consortium root; a probe signature shows the sealed key opens. The party's OpenID4VP
 * requests are signed with it from then on (a running node reads it on its next request).
 */
export async function installCertificate(db: DataSource, database: RelyingPartyDatabase, flags: CertificateFlags) {
  requireVerifierNode(database, 'install-certificate')
  if (!flags.id || !flags.certificate) throw new CliError('relying-party install-certificate needs --id and --certificate FILE')
  const party = await new RelyingPartyStore(db).get(flags.id)
  if (!party) throw new CliError(`没有验证方 ${flags.id} / no relying party ${flags.id}`)
  if (!party.domain)
    throw new CliError(`${party.id} 还没有域名：请先运行 relying-party csr / ${party.id} has no domain: run relying-party csr first`)
  const offered = await cliValue(() => readOfferedCertificate(readPemFile(flags.certificate!, '--certificate')))
  const keys = new LocalVerifierKeys(db, () => resolveKmsSecret(undefined, dirname(database.file)).secret)
  const key = await keys.findByPublicKey(party.id, offered.publicKeyHex)
  if (!key)
    throw new CliError(
      `证书未安装：证书中的公钥不是本节点为 ${party.id} 生成的密钥 / certificate not installed: it certifies another key, ` +
        `not one this node made for ${party.id} (relying-party csr)`,
    )
  const rootPem = flags.root === undefined ? undefined : readPemFile(flags.root, '--root')
  await cliValue(() => checkVerifierCertificate(offered, { domain: party.domain!, ...(rootPem !== undefined ? { rootPem } : {}) }))
  const identities = new VerifierIdentityStore(db)
  const kid = jwkThumbprint(p256PublicJwk(offered.publicKeyHex))
  if ((await identities.list(party.id)).some((record) => record.kid === kid))
    throw new CliError(
      `该密钥的证书已安装；续期请重新生成 CSR / a certificate for this key is installed already: for a new one, make a new CSR`,
    )
  await assertKeyOpens(keys, key.kmsKeyId, offered.publicKeyHex)
  const record = {
    kid,
    relyingPartyId: party.id,
    domain: party.domain,
    kmsKeyId: key.kmsKeyId,
    publicKeyHex: offered.publicKeyHex,
    certificate: offered.certificate,
    notAfter: offered.parsed.notAfter.toISOString(),
    createdAt: new Date().toISOString(),
  }
  await identities.insert(record)
  if (rootPem === undefined)
    process.stderr.write(
      '注意：未用 --root 核对根证书 / note: not checked against the consortium root; pass --root (issuerTrust.x509RootCertificatePem of GET /v1/network)\n',
    )
  return {
    id: party.id,
    clientId: clientIdOf(party),
    verifierCertificate: {
      sha256: await certificateFingerprint(record.certificate),
      kid,
      notAfter: record.notAfter,
      createdAt: record.createdAt,
    },
    rootChecked: rootPem !== undefined,
  }
}

/**
 * The node's KMS secret as the full node has it: GOVCRED_KMS_SECRET, or the data directory's `kms-secret` file
 * (which a verifier-only node creates when it first seals something); never a new one beside a full node's
 * database.
 */
export function nodeKmsSecret(database: RelyingPartyDatabase): string {
  const dataDir = dirname(database.file)
  const fromEnv = database.kind === 'full' ? process.env.GOVCRED_KMS_SECRET || undefined : undefined
  if (fromEnv !== undefined && !/^[0-9a-fA-F]{64}$/.test(fromEnv)) throw new CliError('GOVCRED_KMS_SECRET must be 64 hex digits')
  if (fromEnv === undefined && database.kind === 'full' && !existsSync(join(dataDir, 'kms-secret'))) {
    throw new CliError("set GOVCRED_KMS_SECRET as the node has it: the node's secrets and keys are sealed with it")
  }
  return resolveKmsSecret(fromEnv, dataDir).secret
}

function requireVerifierNode(database: RelyingPartyDatabase, command: string): void {
  if (database.kind !== 'verifier')
    throw new CliError(
      `${command} 用于仅验证节点 (--verifier)；全节点自行签发验证方证书 / ${command} is for a verifier-only node (--verifier): ` +
        "a full node makes its relying parties' certificates itself",
    )
}

function readPemFile(file: string, flag: string): string {
  let size: number
  try {
    size = statSync(file).size
  } catch {
    throw new CliError(`${flag}: 文件不存在 / no such file ${file}`)
  }
  if (size > MAX_PEM_FILE_BYTES) throw new CliError(`${flag}: 文件过大 / ${file} is larger than ${MAX_PEM_FILE_BYTES} bytes`)
  return readFileSync(file, 'utf8')
}

/** Signs a probe with the sealed key and checks it with the certificate's key: the key opens here and is that one. */
async function assertKeyOpens(keys: LocalVerifierKeys, kmsKeyId: string, publicKeyHex: string): Promise<void> {
  const probe = randomBytes(32)
  const signature = await cliValue(() => keys.signEs256(kmsKeyId, probe))
  const publicKey = createPublicKey({ key: p256PublicJwk(publicKeyHex) as import('node:crypto').JsonWebKey, format: 'jwk' })
  if (!verifySignature('sha256', probe, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
    throw new CliError('证书未安装：本节点的密钥与证书不符 / certificate not installed: the key on this node does not match it')
}

/** Runs `work`, turning a refusal from below (AppError) into the CLI's. */
async function cliValue<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isAppError(error)) throw new CliError(error.message)
    throw error
  }
}
