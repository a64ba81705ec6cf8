import { WalletCoreError } from './errors.js'
import type { HistoryEntry, HolderKeyRecord, StoredCredential, WalletStorage } from './storage.js'

/** The wallet's IndexedDB database and its version (bump it with an upgrade step when the stores change). */
export const WALLET_DB_NAME = 'govcred-wallet'
export const WALLET_DB_VERSION = 1

const CREDENTIALS = 'credentials'
const KEYS = 'keys'
const HISTORY = 'history'
const SETTINGS = 'settings'

/**
 * Opens the wallet's IndexedDB database (`govcred-wallet`: stores credentials, keys, history, settings).
 * Keys are stored as CryptoKey objects, which IndexedDB keeps by structured clone without ever exposing a
 * non-extractable key's bytes. STORAGE when the browser refuses (private mode, no IndexedDB, quota).
 *
 * @example
 * const storage = await openIndexedDbStorage()
 */
export async function openIndexedDbStorage(options: { name?: string; indexedDB?: IDBFactory } = {}): Promise<WalletStorage> {
  const factory = options.indexedDB ?? globalThis.indexedDB
  if (!factory) throw new WalletCoreError('STORAGE', { reason: 'no-indexeddb', detail: 'this browser has no IndexedDB' })
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    let request: IDBOpenDBRequest
    try {
      request = factory.open(options.name ?? WALLET_DB_NAME, WALLET_DB_VERSION)
    } catch (error) {
      reject(storageError('open', error))
      return
    }
    request.onupgradeneeded = () => {
      const upgrading = request.result
      if (!upgrading.objectStoreNames.contains(CREDENTIALS)) upgrading.createObjectStore(CREDENTIALS, { keyPath: 'id' })
      if (!upgrading.objectStoreNames.contains(KEYS)) upgrading.createObjectStore(KEYS, { keyPath: 'id' })
      if (!upgrading.objectStoreNames.contains(HISTORY)) upgrading.createObjectStore(HISTORY, { keyPath: 'id' }).createIndex('at', 'at')
      if (!upgrading.objectStoreNames.contains(SETTINGS)) upgrading.createObjectStore(SETTINGS, { keyPath: 'name' })
    }
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(storageError('open', request.error))
    request.onblocked = () =>
      reject(new WalletCoreError('STORAGE', { reason: 'blocked', detail: 'another tab holds an older version open' }))
  })
  return new IndexedDbWalletStorage(db)
}

class IndexedDbWalletStorage implements WalletStorage {
  constructor(private readonly db: IDBDatabase) {}

  listCredentials(): Promise<StoredCredential[]> {
    return this.run(CREDENTIALS, 'readonly', (s) => s.getAll() as IDBRequest<StoredCredential[]>)
  }

  getCredential(id: string): Promise<StoredCredential | undefined> {
    return this.run(CREDENTIALS, 'readonly', (s) => s.get(id) as IDBRequest<StoredCredential | undefined>)
  }

  async putCredential(credential: StoredCredential): Promise<void> {
    await this.run(CREDENTIALS, 'readwrite', (s) => s.put(credential))
  }

  async deleteCredential(id: string): Promise<void> {
    await this.transaction([CREDENTIALS, KEYS], 'readwrite', (tx) => {
      const credentials = tx.objectStore(CREDENTIALS)
      const read = credentials.get(id) as IDBRequest<StoredCredential | undefined>
      read.onsuccess = () => {
        if (read.result) tx.objectStore(KEYS).delete(read.result.keyId)
        credentials.delete(id)
      }
    })
  }

  getKey(id: string): Promise<HolderKeyRecord | undefined> {
    return this.run(KEYS, 'readonly', (s) => s.get(id) as IDBRequest<HolderKeyRecord | undefined>)
  }

  async putKey(key: HolderKeyRecord): Promise<void> {
    await this.run(KEYS, 'readwrite', (s) => s.put(key))
  }

  async deleteKey(id: string): Promise<void> {
    await this.run(KEYS, 'readwrite', (s) => s.delete(id))
  }

  async addHistory(entry: HistoryEntry): Promise<void> {
    await this.run(HISTORY, 'readwrite', (s) => s.put(entry))
  }

  async listHistory(): Promise<HistoryEntry[]> {
    const entries = await this.run(HISTORY, 'readonly', (s) => s.index('at').getAll() as IDBRequest<HistoryEntry[]>)
    return entries.reverse()
  }

  async clearHistory(): Promise<void> {
    await this.run(HISTORY, 'readwrite', (s) => s.clear())
  }

  async clearAll(): Promise<void> {
    const stores = [CREDENTIALS, KEYS, HISTORY, SETTINGS]
    await this.transaction(stores, 'readwrite', (tx) => {
      for (const store of stores) tx.objectStore(store).clear()
    })
  }

  async getSetting<T>(name: string): Promise<T | undefined> {
    const row = await this.run(SETTINGS, 'readonly', (s) => s.get(name) as IDBRequest<{ name: string; value: T } | undefined>)
    return row?.value
  }

  async putSetting(name: string, value: unknown): Promise<void> {
    await this.run(SETTINGS, 'readwrite', (s) => s.put({ name, value }))
  }

  close(): void {
    this.db.close()
  }

  /** One request in its own transaction; resolves with its result once the transaction has committed. */
  private async run<T>(store: string, mode: IDBTransactionMode, request: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    let made: IDBRequest<T> | undefined
    await this.transaction([store], mode, (tx) => {
      made = request(tx.objectStore(store))
    })
    return made!.result
  }

  private transaction(stores: string[], mode: IDBTransactionMode, work: (tx: IDBTransaction) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      let tx: IDBTransaction
      try {
        tx = this.db.transaction(stores, mode)
        work(tx)
      } catch (error) {
        reject(storageError(mode, error))
        return
      }
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(storageError(mode, tx.error))
      tx.onabort = () => reject(storageError(mode, tx.error))
    })
  }
}

function storageError(action: string, error: unknown): WalletCoreError {
  const name = (error as { name?: string } | null)?.name
  return new WalletCoreError(
    'STORAGE',
    {
      reason: name === 'QuotaExceededError' ? 'quota' : action,
      detail: `IndexedDB ${action}: ${(error as Error | null)?.message ?? String(error)}`,
    },
    { cause: error },
  )
}
