import type { JsonRpcProvider } from 'ethers'
import type { DataSource } from 'typeorm'
import type { HealthProbes } from '../http/app-deps.js'

/** /healthz probes over the node's provider and database. */
export function healthProbes(provider: Pick<JsonRpcProvider, 'getBlockNumber'>, db?: Pick<DataSource, 'query'>): HealthProbes {
  return {
    blockNumber: () => provider.getBlockNumber(),
    database: db && (() => db.query('SELECT 1')),
  }
}
