import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { freePort } from '../../src/chain/anvil-node.js'
import { HolderWallet } from '../../src/wallet/holder-wallet.js'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, claimsOf, readDemo, type Demo } from '../verification/verification-helpers.js'

/** What the open-a-business bundle asks the wallet for. */
export const ONESTOP_PREREQUISITES = ['PropertyCertificateCredential', 'SocialSecurityStatusCredential'] as const

/** The wallet receives the bundle's prerequisites as SD-JWT VCs, each offered by its demo department. */
export async function receiveOnestopPrerequisites(service: TestService, demo: Demo, wallet: HolderWallet): Promise<void> {
  for (const type of ONESTOP_PREREQUISITES) {
    const { status, body } = await service.api('/v1/credential-offers', {
      headers: bearer(demo[type].apiKey),
      body: { type, claims: claimsOf(type), format: 'dc+sd-jwt' },
    })
    expect(status, JSON.stringify(body)).toBe(201)
    await wallet.receive(body.offerUri, { txCode: body.txCode })
  }
}

/** A service and an applicant's wallet that holds the bundle's prerequisites. */
export interface OnestopHarness {
  service: TestService
  demo: Demo
  wallet: HolderWallet
  dispose(): Promise<void>
}

/**
 * Starts a service (with `env`) on a fixed port, since the issuer certificates name the public URL, which port 0
 * would only learn after they are made; and a project wallet in a fresh directory with the prerequisites.
 */
export async function startOnestopHarness(env: Record<string, string> = {}): Promise<OnestopHarness> {
  const service = await startTestService({ env: { PORT: String(await freePort()), ...env } })
  const walletDir = mkdtempSync(join(tmpdir(), 'govcred-onestop-wallet-'))
  let wallet: HolderWallet | undefined
  const dispose = async () => {
    await wallet?.close()
    await service.dispose()
    rmSync(walletDir, { recursive: true, force: true })
  }
  try {
    const demo = readDemo(service)
    wallet = await HolderWallet.open({ dir: walletDir })
    await receiveOnestopPrerequisites(service, demo, wallet)
    return { service, demo, wallet, dispose }
  } catch (error) {
    await dispose()
    throw error
  }
}
