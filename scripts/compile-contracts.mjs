#!/usr/bin/env node
// Compiles contracts/*.sol with the pinned solc npm package into build/contracts/<ContractName>.json
// ({ contractName, abi, bytecode }), and writes the ERC-1056 EthereumDIDRegistry artifact shipped by
// the ethr-did-registry package next to them.
//
//   node scripts/compile-contracts.mjs             always compile
//   node scripts/compile-contracts.mjs --if-stale  skip when every output is newer than every input
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { basename, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc'
import ethrDidRegistry from 'ethr-did-registry'

const root = fileURLToPath(new URL('..', import.meta.url))
const contractsDir = join(root, 'contracts')
const outDir = join(root, 'build', 'contracts')
const manifestPath = join(outDir, '.manifest.json')
const scriptPath = fileURLToPath(import.meta.url)
const require = createRequire(import.meta.url)

/** A compiler diagnostic, printed as is (no stack). */
class CompileError extends Error {}

const started = performance.now()
const ifStale = process.argv.includes('--if-stale')

try {
  const sourceFiles = readdirSync(contractsDir)
    .filter((f) => f.endsWith('.sol'))
    .sort()
  if (ifStale && isFresh(sourceFiles)) {
    console.log(`contracts: up to date (${sourceFiles.length} sources), checked in ${elapsed()}`)
    process.exit(0)
  }
  const artifacts = compile(sourceFiles)
  artifacts.push(didRegistryArtifact())
  writeArtifacts(artifacts, sourceFiles)
  console.log(
    `contracts: compiled ${sourceFiles.length} sources with solc ${solc.version()}, wrote ${artifacts.length} artifacts to ${relative(root, outDir)} in ${elapsed()}`,
  )
} catch (error) {
  console.error(error instanceof CompileError ? error.message : error)
  console.error(`contracts: compilation failed after ${elapsed()}`)
  process.exit(1)
}

function compile(sourceFiles) {
  const sources = Object.fromEntries(sourceFiles.map((file) => [file, { content: readFileSync(join(contractsDir, file), 'utf8') }]))
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'paris',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: readImport }))
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  const warnings = (output.errors ?? []).filter((e) => e.severity !== 'error')
  for (const w of warnings) console.warn(w.formattedMessage ?? w.message)
  if (errors.length > 0) {
    throw new CompileError(errors.map((e) => e.formattedMessage ?? e.message).join('\n'))
  }
  const artifacts = []
  for (const [file, contracts] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, contract] of Object.entries(contracts)) {
      const object = contract.evm?.bytecode?.object ?? ''
      // Abstract contracts and interfaces have no bytecode and get no artifact.
      if (object.length === 0) continue
      if (artifacts.some((a) => a.contractName === contractName)) {
        throw new CompileError(`Two contracts are named ${contractName} (second one in ${file}); artifact names must be unique`)
      }
      artifacts.push({ contractName, abi: contract.abi, bytecode: `0x${object}` })
    }
  }
  return artifacts
}

/** Resolves imports the compiler did not get as sources, only from inside contracts/. */
function readImport(path) {
  const full = resolve(contractsDir, path)
  if (!full.startsWith(contractsDir + sep)) return { error: `Import outside contracts/: ${path}` }
  if (!existsSync(full)) return { error: `File not found: ${path}` }
  return { contents: readFileSync(full, 'utf8') }
}

function didRegistryArtifact() {
  const { EthereumDIDRegistry } = ethrDidRegistry
  if (!EthereumDIDRegistry?.abi || !EthereumDIDRegistry?.bytecode) {
    throw new Error('ethr-did-registry does not export EthereumDIDRegistry { abi, bytecode }')
  }
  const bytecode = EthereumDIDRegistry.bytecode.startsWith('0x') ? EthereumDIDRegistry.bytecode : `0x${EthereumDIDRegistry.bytecode}`
  return { contractName: 'EthereumDIDRegistry', abi: EthereumDIDRegistry.abi, bytecode }
}

/** Writes each artifact atomically (readers never see half a file), then removes artifacts no longer produced. */
function writeArtifacts(artifacts, sourceFiles) {
  mkdirSync(outDir, { recursive: true })
  const names = new Set(artifacts.map((a) => `${a.contractName}.json`))
  for (const artifact of artifacts) {
    writeAtomically(join(outDir, `${artifact.contractName}.json`), JSON.stringify(artifact, null, 2) + '\n')
  }
  const previous = readManifest()
  for (const file of previous?.outputs ?? []) {
    if (!names.has(file) && basename(file) === file) rmSync(join(outDir, file), { force: true })
  }
  writeAtomically(manifestPath, JSON.stringify({ sources: sourceFiles, outputs: [...names].sort() }, null, 2) + '\n')
}

function writeAtomically(path, text) {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, text)
  renameSync(tmp, path)
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'))
  } catch {
    return undefined
  }
}

/** Fresh when the same sources were compiled last time and every output is newer than every input. */
function isFresh(sourceFiles) {
  const manifest = readManifest()
  if (!manifest || JSON.stringify(manifest.sources) !== JSON.stringify(sourceFiles)) return false
  const outputs = [manifestPath, ...manifest.outputs.map((f) => join(outDir, f))]
  if (!outputs.every((f) => existsSync(f))) return false
  const inputs = [
    ...sourceFiles.map((f) => join(contractsDir, f)),
    scriptPath,
    require.resolve('solc/package.json'),
    join(root, 'node_modules', 'ethr-did-registry', 'package.json'),
  ].filter((f) => existsSync(f))
  const newestInput = Math.max(...inputs.map((f) => statSync(f).mtimeMs))
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs))
  return oldestOutput > newestInput
}

function elapsed() {
  const ms = performance.now() - started
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
