import { openWallet, type Wallet } from '../../wallet-core'

let opening: Promise<Wallet> | undefined

/**
 * The one wallet of this page (opened on first use and shared by the wallet's pages): the device's IndexedDB,
 * talking to the node that served the portal. On first open it asks the browser to keep the wallet's storage
 * (navigator.storage.persist) so that it is not cleared under storage pressure. A refusal to open
 * (UNSUPPORTED_BROWSER, STORAGE) is not kept: the next call tries again.
 *
 * @example
 * const wallet = await useWallet()
 * const cards = await wallet.cards()
 */
export function useWallet(): Promise<Wallet> {
  opening ??= openWallet().then(
    (wallet) => {
      void askToPersist()
      return wallet
    },
    (error: unknown) => {
      opening = undefined
      throw error
    },
  )
  return opening
}

async function askToPersist(): Promise<void> {
  try {
    if (!(await navigator.storage?.persisted?.())) await navigator.storage?.persist?.()
  } catch {
    // Not offered by this browser: the data is kept as the browser keeps any site's.
  }
}

/** Whether the browser has agreed to keep the wallet's storage (undefined when it cannot say). */
export async function storagePersisted(): Promise<boolean | undefined> {
  try {
    return await navigator.storage?.persisted?.()
  } catch {
    return undefined
  }
}
