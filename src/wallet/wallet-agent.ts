import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { createAgent, type TAgent, type IKeyManager, type IDIDManager, type ICredentialPlugin, type IDataStore, type IDataStoreORM, type IResolver } from '@veramo/core'
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

export type WalletAgent = TAgent<IKeyManager & IDIDManager & IResolver & ICredentialPlugin & IDataStore & IDataStoreORM>

export interface WalletNetwork {
  name: string
  chainId: number
}

/**
 * The holder's own Veramo agent: keys encrypted at rest with the wallet secret, did:key and did:ethr
 * (created without any transaction), credentials in the wallet's SQLite file. It needs no chain access.
 */
export async function createWalletAgent(dir: string, secret: string, network: WalletNetwork): Promise<{ agent: WalletAgent; db: DataSource }> {
  mkdirSync(dir, { recursive: true })
  const db = new DataSource({
    type: 'sqlite',
    database: join(dir, 'wallet.sqlite'),
    synchronize: false,
    migrations,
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
          'did:ethr': new EthrDIDProvider({ defaultKms: 'local', networks: [{ name: network.name, chainId: network.chainId, rpcUrl: 'http://127.0.0.1:1' }] }),
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
