import { chmodSync, closeSync, lstatSync, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import {
  createAgent,
  type TAgent,
  type IKeyManager,
  type IDIDManager,
  type ICredentialPlugin,
  type IDataStore,
  type IDataStoreORM,
  type IResolver,
} from '@veramo/core'
import { KeyManager } from '@veramo/key-manager'
import { KeyManagementSystem, SecretBox } from '@veramo/kms-local'
import { DIDManager } from '@veramo/did-manager'
import { KeyDIDProvider, getDidKeyResolver } from '@veramo/did-provider-key'
import { EthrDIDProvider } from '@veramo/did-provider-ethr'
import { DIDResolverPlugin } from '@veramo/did-resolver'
import { CredentialPlugin } from '@veramo/credential-w3c'
import { CredentialProviderJWT } from '@veramo/credential-jwt'
import { DataStore, DataStoreORM, DIDStore, Entities, KeyStore, PrivateKeyStore, migrations } from '@veramo/data-store'
import { Resolver } from 'did-resolver'
import { DataSource } from 'typeorm'
import { WalletCredentials1765100000000 } from './wallet-credential-store.js'
import { WalletPresentationHistory1765200000000 } from './wallet-history-store.js'

export type WalletAgent = TAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin & IDataStore & IDataStoreORM>

export interface WalletNetwork {
  name: string
  chainId: number
}

/**
 * The holder's own Veramo agent: keys encrypted at rest with the wallet secret, did:key and did:ethr
 * (created without any transaction), P-256 holder keys for OpenID4VCI, credentials in the wallet's SQLite file.
 * It needs no chain access.
 */
export async function createWalletAgent(
  dir: string,
  secret: string,
  network: WalletNetwork,
): Promise<{ agent: WalletAgent; db: DataSource }> {
  const database = makeWalletPrivate(dir)
  const db = new DataSource({
    type: 'sqlite',
    database,
    synchronize: false,
    // Veramo's tables, then the wallet's own tables: credentials received by OpenID4VCI, the presentation history.
    migrations: [...migrations, WalletCredentials1765100000000, WalletPresentationHistory1765200000000],
    migrationsRun: true,
    logging: false,
    entities: Entities,
  })
  await db.initialize()
  const agent = createAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin & IDataStore & IDataStoreORM>({
    plugins: [
      new KeyManager({ store: new KeyStore(db), kms: { local: new KeyManagementSystem(new PrivateKeyStore(db, new SecretBox(secret))) } }),
      new DIDManager({
        store: new DIDStore(db),
        defaultProvider: 'did:key',
        providers: {
          'did:key': new KeyDIDProvider({ defaultKms: 'local' }),
          // Holders never send transactions: the network entry only names the DID prefix.
          'did:ethr': new EthrDIDProvider({
            defaultKms: 'local',
            networks: [{ name: network.name, chainId: network.chainId, rpcUrl: 'http://127.0.0.1:1' }],
          }),
        },
      }),
      new DIDResolverPlugin({ resolver: new Resolver({ ...getDidKeyResolver() } as never) as never }),
      new CredentialPlugin([new CredentialProviderJWT()]),
      new DataStore(db),
      new DataStoreORM(db),
    ],
  })
  return { agent, db }
}

/**
 * The wallet's directory 0700 and its database 0600 (created so before SQLite opens it, so that its journal
 * takes the same mode); a looser one from before is tightened. Returns the database file.
 */
function makeWalletPrivate(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const database = join(dir, 'wallet.sqlite')
  closeSync(openSync(database, 'a', 0o600))
  for (const [path, mode] of [
    [dir, 0o700],
    [database, 0o600],
  ] as const) {
    const stat = lstatSync(path)
    if (!stat.isSymbolicLink() && (stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & mode)
  }
  return database
}
