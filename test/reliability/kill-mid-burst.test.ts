/**
 * Issue 9, what held and must keep holding: kill -9 of the whole service in the middle of a burst loses nothing it
 * acknowledged. Every issuance answered 201 is there after a restart, with its own status index; every revocation
 * answered 202 (recorded, `Prefer: respond-async`) reaches the chain after the restart.
 */
import { afterEach, describe, expect, it } from 'vitest'
import sqlite3 from 'sqlite3'
import { join } from 'node:path'
import {
  demoDepartment,
  freshDataDir,
  gone,
  issueBusinessLicence,
  killHard,
  startGovcred,
  stopGovcred,
  type Govcred,
} from './reliability-process.js'

let running: Govcred | undefined
afterEach(async () => {
  await stopGovcred(running)
  running = undefined
})

/** Runs `task` for 0..n-1 with `concurrency` in flight; collects what each answered, or the error it threw. */
async function pool<T>(n: number, concurrency: number, task: (i: number) => Promise<T>): Promise<(T | Error)[]> {
  const results: (T | Error)[] = []
  let next = 0
  const worker = async () => {
    while (next < n) {
      const i = next++
      results[i] = await task(i).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return results
}

/** The credentials table as a second connection sees it (the service is stopped). */
function credentialRows(dataDir: string): Promise<{ id: string; issuerDid: string; statusIndex: number }[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(join(dataDir, 'govcred.sqlite'), sqlite3.OPEN_READONLY, (error) => error && reject(error))
    db.all('SELECT id, issuerDid, statusIndex FROM govcred_credentials', (error, rows) => {
      db.close()
      if (error) reject(error)
      else resolve(rows as { id: string; issuerDid: string; statusIndex: number }[])
    })
  })
}

describe('kill -9 in the middle of a burst', () => {
  it('keeps every acknowledged issuance, each with its own status index', async () => {
    const dataDir = freshDataDir()
    running = await startGovcred(dataDir)
    const service = running
    const acknowledged: string[] = []
    let killed = false
    await pool(400, 8, async () => {
      const issued = await issueBusinessLicence(service)
      acknowledged.push(issued.id)
      if (acknowledged.length === 120 && !killed) {
        killed = true
        killHard(service)
      }
    })
    await gone(service.child.pid)
    expect(acknowledged.length).toBeGreaterThanOrEqual(120)

    running = await startGovcred(dataDir, { port: service.port })
    const key = demoDepartment(dataDir).apiKey
    for (const id of acknowledged) {
      const { status } = await running.api(`/v1/credentials/${encodeURIComponent(id)}`, { key })
      expect(status, id).toBe(200)
    }
    await stopGovcred(running, { keepData: true })
    const rows = await credentialRows(dataDir)
    running = undefined
    const ids = new Set(rows.map((r) => r.id))
    expect(acknowledged.filter((id) => !ids.has(id))).toEqual([])
    const indices = new Set(rows.map((r) => `${r.issuerDid}:${r.statusIndex}`))
    expect(indices.size).toBe(rows.length)
  }, 180_000)

  it('sends every recorded revocation to the chain after the restart', async () => {
    const dataDir = freshDataDir()
    running = await startGovcred(dataDir)
    const service = running
    const issued = await pool(150, 8, () => issueBusinessLicence(service))
    expect(issued.filter((r) => r instanceof Error)).toEqual([])
    const ids = issued.map((r) => (r as { id: string }).id)
    const key = demoDepartment(dataDir).apiKey
    const recorded: string[] = []
    await pool(ids.length, 16, async (i) => {
      const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(ids[i]!)}/revoke`, {
        method: 'POST',
        key,
        headers: { prefer: 'respond-async' },
      })
      if (status === 202 || status === 200) recorded.push(ids[i]!)
      else throw new Error(`revoke answered ${status} ${JSON.stringify(body)}`)
    })
    killHard(service)
    await gone(service.child.pid)
    expect(recorded.length).toBe(ids.length)

    running = await startGovcred(dataDir, { port: service.port })
    const deadline = Date.now() + 60_000
    let pending = recorded
    while (pending.length > 0 && Date.now() < deadline) {
      const still: string[] = []
      for (const id of pending) {
        const { body } = await running.api(`/v1/credentials/${encodeURIComponent(id)}/status`, { key })
        if (!(body?.onChain?.revoked === true && body.inSync === true)) still.push(id)
      }
      pending = still
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 500))
    }
    expect(pending, running.output()).toEqual([])
  }, 240_000)
})
