/**
 * Issue 9.1: a revocation answered {"onChain":"confirmed"} survives kill -9 of the embedded Anvil, and of the whole
 * service with its Anvil, right after the answer: after a restart the status is revoked on chain, in sync with the
 * database, and a presentation of the credential is refused ERR_CREDENTIAL_REVOKED.
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  anvilPid,
  demoDepartment,
  failedChecks,
  freshDataDir,
  gone,
  issueBusinessLicence,
  kill9,
  killHard,
  presentOverHttp,
  startGovcred,
  stopGovcred,
  type Govcred,
} from './reliability-process.js'

// Anvil's own periodic save (the old way) every second: the deployment and the demo bootstrap are saved before the
// revocation, so that only the revocation's durability is tested here (first-start-killed.test.ts tests the rest).
const SAVED_EVERY_SECOND = { env: { GOVCRED_STATE_INTERVAL: '1' } }

let running: Govcred | undefined
afterEach(async () => {
  await stopGovcred(running)
  running = undefined
})

async function revokeConfirmed(service: Govcred) {
  const issued = await issueBusinessLicence(service)
  await new Promise((resolve) => setTimeout(resolve, 2_000))
  const { status, body } = await service.api(`/v1/credentials/${encodeURIComponent(issued.id)}/revoke`, {
    method: 'POST',
    key: demoDepartment(service.dataDir).apiKey,
  })
  expect(status, JSON.stringify(body)).toBe(200)
  expect(body).toMatchObject({ status: 'revoked', onChain: 'confirmed' })
  return issued
}

async function expectRevokedEverywhere(service: Govcred, issued: Awaited<ReturnType<typeof issueBusinessLicence>>) {
  const status = await service.api(`/v1/credentials/${encodeURIComponent(issued.id)}/status`, {
    key: demoDepartment(service.dataDir).apiKey,
  })
  expect(status.status).toBe(200)
  expect(status.body, service.output()).toMatchObject({ status: 'revoked', onChain: { revoked: true }, recorded: 'revoked', inSync: true })
  const verified = await presentOverHttp(service, issued)
  expect(verified.body.verified).toBe(false)
  expect(failedChecks(verified.body)).toContain('status:ERR_CREDENTIAL_REVOKED')
}

describe('a confirmed revocation is durable', () => {
  it('survives kill -9 of the embedded Anvil right after the answer, and a restart of the service', async () => {
    const dataDir = freshDataDir()
    running = await startGovcred(dataDir, SAVED_EVERY_SECOND)
    const issued = await revokeConfirmed(running)
    const anvil = anvilPid(dataDir)
    kill9(anvil)
    await gone(anvil)
    // A clean stop and a new start: the chain comes from the state file alone.
    await stopGovcred(running, { keepData: true })
    running = await startGovcred(dataDir, { ...SAVED_EVERY_SECOND, port: running.port })
    await expectRevokedEverywhere(running, issued)
  }, 90_000)

  it('survives kill -9 of the whole service and its Anvil right after the answer', async () => {
    const dataDir = freshDataDir()
    running = await startGovcred(dataDir, SAVED_EVERY_SECOND)
    const issued = await revokeConfirmed(running)
    const anvil = anvilPid(dataDir)
    killHard(running)
    await Promise.all([running.exited, gone(anvil)])
    running = await startGovcred(dataDir, { ...SAVED_EVERY_SECOND, port: running.port })
    await expectRevokedEverywhere(running, issued)
  }, 90_000)
})
