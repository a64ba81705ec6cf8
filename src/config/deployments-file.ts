import { existsSync, readFileSync, writeFileSync, mkdirSync, renameSync } from 'node:fs'
import { dirname } from 'node:path'
import { isAddress } from 'ethers'

export interface ContractAddresses {
  didRegistry: string
  governance: string
  trustedIssuers: string
  schemas: string
  status: string
  anchors: string
}

/** The deployments file: what a verifier needs to find our registries on a chain. */
export interface Deployments {
  name: string
  chainId: number
  contracts: ContractAddresses
  deployedAt?: string
  deployer?: string
}

export const CONTRACT_KEYS: (keyof ContractAddresses)[] = ['didRegistry', 'governance', 'trustedIssuers', 'schemas', 'status', 'anchors']

export function readDeployments(file: string): Deployments | undefined {
  if (!existsSync(file)) return undefined
  let parsed: Deployments
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (cause) {
    throw new Error(`deployments file ${file} is not valid JSON`, { cause })
  }
  const problems = CONTRACT_KEYS.filter((key) => !isAddress(parsed?.contracts?.[key])).map((key) => `contracts.${key}`)
  if (typeof parsed.chainId !== 'number') problems.push('chainId')
  if (problems.length > 0) throw new Error(`deployments file ${file} lacks or has invalid: ${problems.join(', ')}`)
  return parsed
}

export function writeDeployments(file: string, deployments: Deployments): void {
  mkdirSync(dirname(file), { recursive: true })
  const temporary = `${file}.tmp`
  writeFileSync(temporary, `${JSON.stringify(deployments, null, 2)}\n`)
  renameSync(temporary, file)
}
