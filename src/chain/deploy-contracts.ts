import { ContractFactory, getCreateAddress, type JsonRpcProvider, type Wallet } from 'ethers'
import { loadArtifact, type ContractName } from './contract-artifacts.js'
import type { ContractAddresses } from '../config/deployments-file.js'
import { DEFAULT_PROPOSAL_LIFETIME_SECONDS } from '../config/governance-settings.js'
import { waitForReceipt } from './chain-writer.js'
import { describeChainError, explainInsufficientFunds } from './chain-errors.js'

interface Step {
  key: keyof ContractAddresses
  contract: ContractName
  args: (addresses: ContractAddresses) => unknown[]
}

/** The founding consortium: member accounts, approvals needed, and how long a proposal stays open. */
export interface GovernanceDeployment {
  members: string[]
  threshold: number
  /** Seconds; DEFAULT_PROPOSAL_LIFETIME_SECONDS when absent. */
  proposalLifetimeSeconds?: number
}

/** Deployment order; each contract's address follows from the deployer and its position. */
function steps(governance: GovernanceDeployment): Step[] {
  const lifetime = governance.proposalLifetimeSeconds ?? DEFAULT_PROPOSAL_LIFETIME_SECONDS
  return [
    { key: 'didRegistry', contract: 'EthereumDIDRegistry', args: () => [] },
    { key: 'governance', contract: 'ConsortiumGovernance', args: () => [governance.members, governance.threshold, lifetime] },
    { key: 'trustedIssuers', contract: 'TrustedIssuerRegistry', args: (a) => [a.governance] },
    { key: 'schemas', contract: 'SchemaRegistry', args: (a) => [a.governance] },
    { key: 'status', contract: 'CredentialStatusRegistry', args: (a) => [a.didRegistry] },
    { key: 'anchors', contract: 'AnchorRegistry', args: (a) => [a.didRegistry] },
  ]
}

/** The registries among `addresses` that have no code on the chain (a chain that lost its deployment). */
export async function missingContracts(provider: JsonRpcProvider, addresses: ContractAddresses): Promise<(keyof ContractAddresses)[]> {
  const keys = Object.keys(addresses) as (keyof ContractAddresses)[]
  const codes = await Promise.all(keys.map((key) => provider.getCode(addresses[key])))
  return keys.filter((_, i) => codes[i] === '0x')
}

/** Where the registries land when `deployer` deploys them from its first transactions. */
export function predictAddresses(deployer: string): ContractAddresses {
  const keys = steps({ members: [], threshold: 1 }).map((s) => s.key)
  return Object.fromEntries(keys.map((key, nonce) => [key, getCreateAddress({ from: deployer, nonce })])) as unknown as ContractAddresses
}

/**
 * Deploys the registries from the deployer's nonces 0..5, skipping those already deployed, so an
 * interrupted deployment resumes where it stopped (and a chain that lost them gets them again, at the same
 * addresses). `durable` runs after each deployment is mined (the embedded chain saves its state).
 */
export async function deployContracts(
  deployer: Wallet,
  provider: JsonRpcProvider,
  governance: GovernanceDeployment,
  log: (line: string) => void = () => {},
  options: { durable?: () => Promise<void> } = {},
): Promise<ContractAddresses> {
  const signer = deployer.connect(provider)
  const addresses = predictAddresses(deployer.address)
  const plan = steps(governance)
  for (const [nonce, step] of plan.entries()) {
    const expected = addresses[step.key]
    if ((await provider.getCode(expected)) !== '0x') continue
    const current = await provider.getTransactionCount(deployer.address, 'pending')
    if (current !== nonce) {
      throw new Error(
        `cannot deploy ${step.contract}: deployer ${deployer.address} is at nonce ${current}, expected ${nonce}; ` +
          'another deployment with the same GOVCRED_KMS_SECRET may be under way, or the key was used for something else ' +
          '(then deploy with a fresh GOVCRED_KMS_SECRET)',
      )
    }
    const artifact = loadArtifact(step.contract)
    const factory = new ContractFactory(artifact.abi, artifact.bytecode, signer)
    const what = `deploying ${step.contract} (step ${nonce + 1} of ${plan.length}, from the deployer ${deployer.address})`
    const contract = await factory
      .deploy(...step.args(addresses), {
        nonce,
        type: 0,
        gasPrice: BigInt(await provider.send('eth_gasPrice', [])),
      })
      .catch(async (error: unknown) => {
        // Never ethers' whole message: it carries the transaction, and with it the contract's bytecode.
        throw (
          (await explainInsufficientFunds(provider, deployer.address, what, error)) ??
          new Error(`${what} failed: ${describeChainError(error)}`, { cause: error })
        )
      })
    const receipt = await waitForReceipt(provider, contract.deploymentTransaction()!.hash, 120_000)
    if (!receipt || receipt.status !== 1) throw new Error(`deploying ${step.contract} failed or was not mined within 120 s`)
    const at = await contract.getAddress()
    if (at.toLowerCase() !== expected.toLowerCase()) throw new Error(`${step.contract} deployed at ${at}, expected ${expected}`)
    await options.durable?.()
    log(`deployed ${step.contract} at ${at}`)
  }
  return addresses
}
