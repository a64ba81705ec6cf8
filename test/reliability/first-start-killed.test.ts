/**
 * Issue 9.1/9.2: kill -9 of the service and its Anvil within the first seconds of a first start leaves a data
 * directory that starts again: healthy, the demo departments accredited, issuance working. Killed as soon as
 * deployments.json appears (the registries it names must be on the chain, or deployed again at their addresses),
 * and before it appears (while the registries are being deployed).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import {
  anvilPid,
  freshDataDir,
  gone,
  issueBusinessLicence,
  killHard,
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

async function killWhen(dataDir: string, ready: () => boolean): Promise<Govcred> {
  const service = await startGovcred(dataDir, { waitHealthy: false })
  const deadline = Date.now() + 60_000
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`the moment to kill never came:\n${service.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  const anvil = anvilPid(dataDir)
  killHard(service)
  await Promise.all([service.exited, gone(anvil)])
  return service
}

async function expectWorkingNode(service: Govcred) {
  const issuers = await service.api('/v1/issuers')
  expect(issuers.status).toBe(200)
  const accredited = (issuers.body.issuers as { accreditedNow: boolean }[]).filter((i) => i.accreditedNow)
  expect(accredited.length, JSON.stringify(issuers.body)).toBe(3)
  const issued = await issueBusinessLicence(service)
  const verified = await presentOverHttp(service, issued)
  expect(verified.body.verified, JSON.stringify(verified.body)).toBe(true)
}

describe('a first start killed with kill -9', () => {
  it('starts again when killed as soon as deployments.json appears', async () => {
    const dataDir = freshDataDir()
    const killed = await killWhen(dataDir, () => existsSync(join(dataDir, 'deployments.json')))
    running = await startGovcred(dataDir, { port: killed.port })
    await expectWorkingNode(running)
    // And again: the second start's catch-up left nothing to do for a third.
    await stopGovcred(running, { keepData: true })
    running = await startGovcred(dataDir, { port: killed.port })
    await expectWorkingNode(running)
  }, 120_000)

  it('starts again when killed before deployments.json appears', async () => {
    const dataDir = freshDataDir()
    const killed = await killWhen(dataDir, () => anvilPid(dataDir) !== undefined && !existsSync(join(dataDir, 'deployments.json')))
    expect(existsSync(join(dataDir, 'deployments.json'))).toBe(false)
    running = await startGovcred(dataDir, { port: killed.port })
    await expectWorkingNode(running)
  }, 120_000)
})
