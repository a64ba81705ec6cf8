/**
 * README.md's tables of verification checks and API error codes, generated from the closed sets in the code
 * (CHECKS, API_ERROR_CODES) so they cannot drift. `npm run docs:codes` rewrites them; a test checks them.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CHECKS } from '../src/verifying/check-codes.js'
import { API_ERROR_CODES } from '../src/shared/errors/error-codes.js'

export const README = fileURLToPath(new URL('../README.md', import.meta.url))

const code = (c: string) => `\`${c}\``

export function checksTable(): string {
  const rows = Object.entries(CHECKS).map(([name, check]) => `| ${code(name)} — ${check.about} | ${check.codes.map(code).join(', ')} |`)
  return ['| check | refuses with |', '|---|---|', ...rows].join('\n')
}

export function errorCodesTable(): string {
  const rows = Object.entries(API_ERROR_CODES).map(([name, meaning]) => `| ${code(name)} | ${meaning} |`)
  return ['| code | meaning |', '|---|---|', ...rows].join('\n')
}

const SECTIONS = { checks: checksTable, 'error-codes': errorCodesTable }

/** The README with every generated section replaced by its current content. */
export function withGeneratedTables(readme: string): string {
  let out = readme
  for (const [name, table] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name} (npm run docs:codes) -->`
    const end = `<!-- /generated:${name} -->`
    const from = out.indexOf(start)
    const to = out.indexOf(end)
    if (from < 0 || to < from) throw new Error(`README.md lacks the markers ${start} … ${end}`)
    out = `${out.slice(0, from + start.length)}\n${table()}\n${out.slice(to)}`
  }
  return out
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const current = readFileSync(README, 'utf8')
  const next = withGeneratedTables(current)
  if (next !== current) writeFileSync(README, next)
  process.stdout.write(next !== current ? 'README.md: tables regenerated\n' : 'README.md: tables up to date\n')
}
