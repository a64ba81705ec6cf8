import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { README, withGeneratedTables } from '../../scripts/code-tables.js'
import { CHECKS } from '../../src/verifying/check-codes.js'
import { API_ERROR_CODES } from '../../src/shared/errors/error-codes.js'

describe('README.md', () => {
  const readme = readFileSync(README, 'utf8')

  it('has the tables of checks and error codes the code defines (run `npm run docs:codes` after changing them)', () => {
    expect(readme).toBe(withGeneratedTables(readme))
  })

  it('names every check and every error code', () => {
    for (const name of Object.keys(CHECKS)) expect(readme).toContain(`| \`${name}\` — `)
    for (const code of Object.keys(API_ERROR_CODES)) expect(readme).toContain(`| \`${code}\` |`)
  })
})
