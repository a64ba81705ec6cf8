import type { JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { HealthProbes } from '../http/app-deps.js'
import { probeWritable } from '../store/write-transaction.js'

/** /healthz probes over the node's provider and database. */
export function healthProbes(provider: Pick<JsonRpcProvider, 'getBlockNumber'>, db?: DataSource): HealthProbes {
  // One block-number request at a time: against a hung node, frequent probes share the one in flight
  // (bounded by the provider's JSON-RPC timeout) instead of piling up requests.
  let blockNumber: Promise<number> | undefined
  return {
    blockNumber: () =>
      (blockNumber ??= provider.getBlockNumber().finally(() => {
        blockNumber = undefined
      })),
    // Reads answer, and writes commit: after a write failed for lack of storage (disk full, I/O error),
    // unhealthy until a probe write commits again.
    database:
      db &&
      (async () => {
        await db.query('SELECT 1')
        await probeWritable(db)
      }),
  }
}
