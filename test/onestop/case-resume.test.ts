// A case the service stopped in the middle of continues at the next start: the wallet's answer was recorded, the
// case had not taken it (as when the process dies between the two writes); after a restart on the same data
// directory the step is decided and its credential offered.
import 'reflect-metadata'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { openABusinessForm } from '../fixtures/claims.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { receiveOnestopPrerequisites } from './onestop-helpers.js'
import { eventually, readDemo } from '../verification/verification-helpers.js'

const RULE_ID = JSON.parse(readFileSync(new URL('../../rules/open-a-business.market-supervision.json', import.meta.url), 'utf8')).id
const BUNDLE = {
  id: 'licence-only',
  title: { 'zh-CN': '营业执照', en: 'Business licence' },
  description: { 'zh-CN': '营业执照', en: 'Licence' },
  steps: [RULE_ID],
}
const FORM = openABusinessForm()

const dirs: string[] = []
let service: TestService | undefined
let wallet: HolderWallet | undefined

afterAll(async () => {
  await wallet?.close()
  await service?.dispose()
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

it('decides a case whose recorded wallet answer it had not taken when the service stopped', async () => {
  const bundlesDir = mkdtempSync(join(tmpdir(), 'govcred-bundles-'))
  const walletDir = mkdtempSync(join(tmpdir(), 'govcred-resume-wallet-'))
  dirs.push(bundlesDir, walletDir)
  writeFileSync(join(bundlesDir, 'licence-only.json'), JSON.stringify(BUNDLE))
  const env = { GOVCRED_ONESTOP_BUNDLES_DIR: bundlesDir, PORT: String(await freePort()) }
  service = await startTestService({ env })
  const demo = readDemo(service)
  wallet = await HolderWallet.open({ dir: walletDir })
  await receiveOnestopPrerequisites(service, demo, wallet)
  const opened = (await service.api('/v1/onestop/cases', { body: { bundle: BUNDLE.id, form: FORM } })).body
  const read = async () =>
    (await service!.api(`/v1/onestop/cases/${opened.id}`, { headers: { authorization: `Bearer ${opened.token}` } })).body
  await wallet.sendPresentation(await wallet.openPresentationRequest(opened.presentation.deepLink))
  expect(await eventually(async () => (await read()).state === 'completed', 30_000)).toBe(true)

  // As if the process had died after the verifier recorded the answer and before the case took it.
  const [row] = await service.ctx.db.query(`SELECT steps FROM govcred_onestop_cases WHERE id = ?`, [opened.id])
  const steps = JSON.parse(row.steps).map((s: object) => ({
    ...s,
    state: 'waiting',
    conditions: [],
    offer: null,
    outputClaims: null,
    inputCredentialIds: [],
  }))
  await service.ctx.db.query(`UPDATE govcred_onestop_cases SET state = 'awaiting-presentation', inputs = NULL, steps = ? WHERE id = ?`, [
    JSON.stringify(steps),
    opened.id,
  ])
  expect((await read()).state).toBe('awaiting-presentation')
  const dataDir = service.dataDir
  await service.dispose({ keepData: true })
  service = undefined

  service = await startTestService({ dataDir, env })
  const after = await read()
  expect(after.state).toBe('completed')
  expect(after.steps[0].state).toBe('issued')
  expect(after.steps[0].offer.offerUri).toMatch(/^openid-credential-offer:/)
})
