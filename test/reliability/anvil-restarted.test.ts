/**
 * Issue 9.5 (restart half): kill -9 of the embedded Anvil under a running service. The service restarts it on the same
 * state file and port within a few seconds, catches up, and says so in its log; issuance, status changes and
 * verification work again, and a status change confirmed just before the kill is still on chain.
 */
import { afterAll, describe, expect, it } from 'vitest'
import {
  anvilPid,
  demoDepartment,
  failedChecks,
  freshDataDir,
  gone,
  issueBusinessLicence,
  kill9,
  presentOverHttp,
  startGovcred,
  stopGovcred,
  type Govcred,
} from './reliability-process.js'

let running: Govcred | undefined
afterAll(async () => {
  await stopGovcred(running)
})

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms:\n${running?.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('the embedded Anvil is supervised', () => {
  it('is restarted after kill -9, and chain operations work again with nothing lost', { timeout: 120_000 }, async () => {
    const dataDir = freshDataDir()
    running = await startGovcred(dataDir)
    const service = running
    const key = demoDepartment(dataDir).apiKey
    const revoked = await issueBusinessLicence(service)
    const answer = await service.api(`/v1/credentials/${encodeURIComponent(revoked.id)}/revoke`, { method: 'POST', key })
    expect(answer.body).toMatchObject({ onChain: 'confirmed' })

    const first = anvilPid(dataDir)
    kill9(first)
    await gone(first)
    const killedAt = Date.now()

    // A new Anvil (another pid) on the same port: the URL every client holds stays right.
    const second = await until(
      'no new Anvil',
      async () => {
        const pid = anvilPid(dataDir)
        return pid && pid !== first ? pid : undefined
      },
      10_000,
    )
    expect(second).not.toBe(first)
    // Issuance works again within a few seconds.
    const issued = await until(
      'issuance did not work again',
      async () => {
        try {
          return await issueBusinessLicence(service)
        } catch {
          return undefined
        }
      },
      10_000,
    )
    expect(Date.now() - killedAt).toBeLessThan(10_000)
    expect(service.output()).toMatch(/embedded Anvil \(pid \d+\) stopped unexpectedly/)
    expect(service.output()).toMatch(/restarted the embedded Anvil/)

    // The revocation confirmed before the kill is still on chain, in sync.
    const status = await service.api(`/v1/credentials/${encodeURIComponent(revoked.id)}/status`, { key })
    expect(status.body).toMatchObject({ status: 'revoked', onChain: { revoked: true }, inSync: true })
    const refused = await until(
      'the verifier did not answer',
      async () => {
        const result = await presentOverHttp(service, revoked)
        return result.status < 500 ? result : undefined
      },
      10_000,
    )
    expect(failedChecks(refused.body)).toContain('status:ERR_CREDENTIAL_REVOKED')

    // Status changes and verification of the credential issued after the restart.
    const suspended = await service.api(`/v1/credentials/${encodeURIComponent(issued.id)}/suspend`, { method: 'POST', key })
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200)
    expect(suspended.body).toMatchObject({ onChain: 'confirmed' })
    const reinstated = await service.api(`/v1/credentials/${encodeURIComponent(issued.id)}/reinstate`, { method: 'POST', key })
    expect(reinstated.body).toMatchObject({ onChain: 'confirmed' })
    const verified = await until(
      'the fresh credential did not verify',
      async () => {
        const result = await presentOverHttp(service, issued)
        return result.body?.verified === true ? result : undefined
      },
      10_000,
    )
    expect(verified.body.verified).toBe(true)
  })
})
