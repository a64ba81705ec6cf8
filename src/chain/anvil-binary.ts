import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** Path of the Anvil binary shipped in the platform package that `@foundry-rs/anvil` installs. */
export function anvilBinaryPath(): string {
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  let packageJson: string
  try {
    packageJson = require.resolve(`${platformPackage}/package.json`)
  } catch (cause) {
    throw new Error(`Anvil binary package ${platformPackage} is not installed; run "npm ci"`, { cause })
  }
  const binary = join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil')
  if (!existsSync(binary)) throw new Error(`Anvil binary missing at ${binary}; reinstall with "npm ci"`)
  return binary
}
