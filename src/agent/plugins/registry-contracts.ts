import { Contract, type ContractRunner } from 'ethers'
import { loadArtifact, type ContractName } from '../../chain/contract-artifacts.js'
import { createProvider } from '../../chain/provider.js'

export interface RegistryPluginOptions {
  rpcUrl: string
  chainId: number | string
  address: string
  /** A shared provider; one is created from rpcUrl when absent. */
  provider?: ContractRunner
}

/** A read-only contract client for one of our registries. */
export function registryContract(name: ContractName, options: RegistryPluginOptions): Contract {
  const runner = options.provider ?? createProvider(options.rpcUrl, Number(options.chainId))
  return new Contract(options.address, loadArtifact(name).abi, runner)
}
