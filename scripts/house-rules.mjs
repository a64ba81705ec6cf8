#!/usr/bin/env node
// House rules a dependency graph cannot see, checked in `npm run lint` (and so in `npm test`):
// which folders may read the environment, and which may talk to contracts.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const RULES = [
  {
    name: 'environment-read-in-config',
    pattern: /\bprocess\.env\b/,
    allowed: /^src\/(config\/|cli\/|main\.ts$)/,
    why: 'process.env is read only by src/config (validated into Config) and the CLI; pass a setting down instead',
  },
  {
    name: 'contracts-only-in-chain-layer',
    pattern: /\bnew Contract\(|\bnew ContractFactory\(|\.sendTransaction\(/,
    allowed: /^src\/chain\//,
    why: 'only src/chain creates ethers contracts or sends transactions; use the registry clients (chain/registries) or ChainWriter',
  },
]

const root = new URL('..', import.meta.url).pathname
const files = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })

const violations = []
for (const file of files(join(root, 'src'))) {
  const path = relative(root, file)
  const lines = readFileSync(file, 'utf8').split('\n')
  for (const rule of RULES) {
    if (rule.allowed.test(path)) continue
    lines.forEach((line, i) => {
      if (rule.pattern.test(line)) violations.push(`  error ${rule.name}: ${path}:${i + 1}\n        ${line.trim()}\n        ${rule.why}`)
    })
  }
}
// One table, one store: a govcred table's SQL lives in one file (migrations aside); others call its methods.
const tableFiles = new Map()
// The tables are what the migrations create (a `govcred_…` name that is no table, e.g. a JSON member, is not one).
const tables = new Set(
  files(join(root, 'src', 'store', 'migrations')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(govcred_[a-z_]+)/g)].map((m) => m[1]),
  ),
)
for (const file of files(join(root, 'src'))) {
  const path = relative(root, file)
  if (path.startsWith('src/store/migrations/')) continue
  for (const [table] of readFileSync(file, 'utf8').matchAll(/\bgovcred_[a-z_]+\b/g)) {
    if (!tables.has(table)) continue
    tableFiles.set(table, new Set([...(tableFiles.get(table) ?? []), path]))
  }
}
for (const [table, paths] of tableFiles) {
  if (paths.size > 1) {
    violations.push(
      `  error one-table-one-store: ${table} is queried in ${[...paths].join(', ')}\n        keep its SQL in the one store that owns the table and call that store's methods`,
    )
  }
}

if (violations.length > 0) {
  process.stderr.write(`${violations.join('\n')}\n\nx ${violations.length} house-rule violation(s); see ARCHITECTURE.md\n`)
  process.exit(1)
}
process.stdout.write(`✔ house rules hold (${[...RULES.map((r) => r.name), 'one-table-one-store'].join(', ')})\n`)
