/**
 * Issue 9.1, the worst case: the embedded chain's state file is gone (deleted or unreadable from outside). The next
 * start rebuilds the chain from the database's record, on a clock that starts at the original deployment time,
 * so credentials issued before the loss still verify (their issuer was accredited when they were issued), a
 * revoked one stays revoked, and new issuance works.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  demoDepartment,
  failedChecks,
  freshDataDir,
  issueBusinessLicence,
  presentOverHttp,
  startGovcred,
  stopGovcred,
  type Govcred,
} from './reliability-process.js'

let running: Govcred | undefined
afterEach(async () => {
  await stopGovcred(running)
  running = undefined
})

describe('a lost chain state file', () => {
  it('is rebuilt at the next start: earlier credentials verify, revocations hold, issuance works', async () => {
    const dataDir = freshDataDir()
    running = await startGovcred(dataDir)
    const kept = await issueBusinessLicence(running)
    const revoked = await issueBusinessLicence(running)
    const revocation = await running.api(`/v1/credentials/${encodeURIComponent(revoked.id)}/revoke`, {
      method: 'POST',
      key: demoDepartment(dataDir).apiKey,
    })
    expect(revocation.body).toMatchObject({ status: 'revoked', onChain: 'confirmed' })
    expect((await presentOverHttp(running, kept)).body.verified).toBe(true)
    const port = running.port
    await stopGovcred(running, { keepData: true })
    running = undefined
    rmSync(join(dataDir, 'chain', 'anvil-state.json'), { force: true })

    running = await startGovcred(dataDir, { port })
    const again = await presentOverHttp(running, kept)
    expect(failedChecks(again.body), running.output()).toEqual([])
    expect(again.body.verified).toBe(true)
    const refused = await presentOverHttp(running, revoked)
    expect(failedChecks(refused.body)).toContain('status:ERR_CREDENTIAL_REVOKED')
    const fresh = await issueBusinessLicence(running)
    expect((await presentOverHttp(running, fresh)).body.verified).toBe(true)
  }, 120_000)
})
