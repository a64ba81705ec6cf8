import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'govcred-bench-smoke-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/**
 * `npm run bench` with tiny counts: every section starts its service, measures its limit and govcred, and
 * writes its results. It proves the bench runs; it asserts nothing about speed.
 */
describe('npm run bench (smoke)', () => {
  it('runs every section and writes a valid results file with every target judged', { timeout: 600_000 }, () => {
    const file = join(dir, 'latest.json')
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['bench/run.ts'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SMOKE: '1', BENCH_RESULTS_FILE: file },
      encoding: 'utf8',
      timeout: 580_000,
    })
    expect(run.status, `${run.stdout}\n${run.stderr.slice(-4000)}`).toBe(0)
    const results = JSON.parse(readFileSync(file, 'utf8'))
    expect(results.valid).toBe(true)
    expect(results.smoke).toBe(true)
    const sections = Object.keys(results.sections)
    expect(sections).toEqual(expect.arrayContaining(['issuance', 'scale']))
    for (const name of sections) expect(results.sections[name].targets.length, name).toBeGreaterThan(0)
    for (const target of results.targets) expect(Number.isFinite(target.value), target.what).toBe(true)
    expect(run.stdout).toContain('targets:')
  })
})
