// Checks, under whichever `node` runs it, that the installed tree's native and binary parts work: sqlite3's
// addon loads and answers a query, Anvil's binary starts, solc compiles. The node_modules that `npm ci` built on
// the machine's Node serves every Node the suite runs on: sqlite3 (and vitest's rolldown/lightningcss) are Node-API
// addons, ABI-stable across Node versions, so nothing is rebuilt; this check proves it before a suite starts.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(join(process.cwd(), 'package.json'))
const problems = []

try {
  const sqlite3 = require('sqlite3')
  const version = await new Promise((resolve, reject) => {
    const db = new sqlite3.Database(':memory:', (openError) => {
      if (openError) return reject(openError)
      db.get('SELECT sqlite_version() AS v', (queryError, row) => {
        db.close()
        if (queryError) reject(queryError)
        else resolve(row.v)
      })
    })
  })
  console.log(`sqlite3: SQLite ${version}`)
} catch (error) {
  problems.push(`sqlite3 does not load under Node ${process.version}: ${error.message}`)
}

try {
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  const binary = join(dirname(require.resolve(`${platformPackage}/package.json`)), 'bin', 'anvil')
  if (!existsSync(binary)) throw new Error(`${binary} is missing`)
  console.log(`anvil: ${execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0]}`)
} catch (error) {
  problems.push(`anvil does not start: ${error.message}`)
}

try {
  const solc = require('solc')
  const input = {
    language: 'Solidity',
    sources: { 'C.sol': { content: 'pragma solidity ^0.8.0; contract C {}' } },
    settings: { outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input)))
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0 || !output.contracts?.['C.sol']?.C) throw new Error(errors.map((e) => e.message).join('; '))
  console.log(`solc: ${solc.version()}`)
} catch (error) {
  problems.push(`solc does not compile under Node ${process.version}: ${error.message}`)
}

if (problems.length > 0) {
  for (const problem of problems) console.error(`check-native: ${problem}`)
  process.exit(1)
}
