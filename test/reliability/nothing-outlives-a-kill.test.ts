import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort, isRunning, killAll, lockExists, runGovcred, servicePids, signal, waitGone, waitHealthy } from './process-helpers.js'

// One data directory for every case: each start after a kill also shows that the data directory starts
// again (after kill -9, over the stale lock it left).
const dataDir = mkdtempSync(join(tmpdir(), 'govcred-kill-'))

afterAll(async () => {
  await killAll()
  rmSync(dataDir, { recursive: true, force: true })
})

async function startAndKill(how: { target: 'service' | 'npm'; signal: NodeJS.Signals }) {
  const port = await freePort()
  const proc = runGovcred(
    ['start'],
    { GOVCRED_DATA_DIR: dataDir, PORT: String(port), GOVCRED_STATE_INTERVAL: '1' },
    { npm: how.target === 'npm' },
  )
  await waitHealthy(`http://127.0.0.1:${port}`, proc)
  const { service, anvil } = servicePids(dataDir)
  expect(isRunning(service) && isRunning(anvil)).toBe(true)
  const target = how.target === 'npm' ? proc.child.pid! : service
  if (how.target === 'npm') expect(target).not.toBe(service)
  const killedAt = Date.now()
  signal(target, how.signal)
  const left = await waitGone([target, service, anvil], 5_000)
  return { left, port, service, anvil, tookMs: Date.now() - killedAt }
}

describe('nothing of govcred outlives a kill (service and embedded Anvil gone within 5 s)', () => {
  it('kill <service pid> (SIGTERM): a clean stop that releases the data directory', async () => {
    const { left } = await startAndKill({ target: 'service', signal: 'SIGTERM' })
    expect(left).toEqual([])
    expect(lockExists(dataDir)).toBe(false)
  })

  it('kill -9 <service pid>: Anvil notices its parent died', async () => {
    const { left } = await startAndKill({ target: 'service', signal: 'SIGKILL' })
    expect(left).toEqual([])
  })

  it('a closed terminal (SIGHUP to the service)', async () => {
    const { left } = await startAndKill({ target: 'service', signal: 'SIGHUP' })
    expect(left).toEqual([])
    expect(lockExists(dataDir)).toBe(false)
  })

  it('kill <npm start pid> (SIGTERM): npm passes it to the service itself, not to a shell', async () => {
    const { left } = await startAndKill({ target: 'npm', signal: 'SIGTERM' })
    expect(left).toEqual([])
  })

  it('SIGHUP to npm start (npm dies without passing it on): the service follows its parent', async () => {
    const { left } = await startAndKill({ target: 'npm', signal: 'SIGHUP' })
    expect(left).toEqual([])
  })
})
