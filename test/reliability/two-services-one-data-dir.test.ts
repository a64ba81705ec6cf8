import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  freePort,
  isRunning,
  killAll,
  runGovcred,
  servicePids,
  signal,
  waitGone,
  waitHealthy,
  type GovcredProcess,
} from './process-helpers.js'

const dirs: string[] = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcred-two-'))
  dirs.push(dir)
  return dir
}

afterAll(async () => {
  await killAll()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const start = async (dataDir: string) => {
  const port = await freePort()
  return { port, url: `http://127.0.0.1:${port}`, proc: runGovcred(['start'], { GOVCRED_DATA_DIR: dataDir, PORT: String(port) }) }
}

async function stop(proc: GovcredProcess) {
  signal(proc.child.pid!, 'SIGTERM')
  expect(await proc.exited).toEqual({ code: 0, signal: null })
}

describe('one service per data directory', () => {
  it('a second start beside a running one refuses at once, naming the running process, and leaves it alone', async () => {
    const dataDir = tempDir()
    const first = await start(dataDir)
    await waitHealthy(first.url, first.proc)
    const { service, anvil } = servicePids(dataDir)

    const began = Date.now()
    const second = await start(dataDir)
    const exit = await second.proc.exited
    const tookMs = Date.now() - began
    expect(exit.code).toBe(1)
    const message = second.proc.output()
    expect(message).toContain('another govcred service is running on the data directory')
    expect(message).toContain(`pid ${service}`)
    expect(message).toContain(first.url)
    expect(message).toMatch(/since \d{4}-\d\d-\d\dT/)
    // At once: no chain, no database, no bootstrap (a start of a node process is most of this).
    expect(tookMs).toBeLessThan(10_000)
    expect(second.proc.output()).not.toMatch(/deployed|SQLITE|demo ready/)
    // The running service and its chain are untouched, and the second port was never bound.
    expect(servicePids(dataDir)).toEqual({ service, anvil })
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
    await expect(fetch(`${second.url}/healthz`)).rejects.toThrow()

    await stop(first.proc)
    expect(await waitGone([service, anvil], 5_000)).toEqual([])
  })

  it('two simultaneous first starts: exactly one runs, the other refuses, and the data directory works afterwards', async () => {
    const dataDir = tempDir()
    const a = await start(dataDir)
    const b = await start(dataDir)
    // The loser exits; the winner becomes healthy.
    const loser = await Promise.race([a.proc.exited.then(() => a), b.proc.exited.then(() => b)])
    const winner = loser === a ? b : a
    expect((await loser.proc.exited).code).toBe(1)
    expect(loser.proc.output()).toContain('another govcred service is running on the data directory')
    await waitHealthy(winner.url, winner.proc)
    expect(isRunning(winner.proc.child.pid!)).toBe(true)
    expect(existsSync(join(dataDir, 'deployments.json'))).toBe(true)
    const { contracts } = await (await fetch(`${winner.url}/v1/network`)).json()
    await stop(winner.proc)

    // The data directory starts again, on the same deployment.
    const again = await start(dataDir)
    await waitHealthy(again.url, again.proc)
    expect((await (await fetch(`${again.url}/v1/network`)).json()).contracts).toEqual(contracts)
    await stop(again.proc)
  })
})
