import { expect } from 'vitest'
import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import type { TestService } from '../helpers/service.js'
import { bearer, claimsOf, type Demo } from '../verification/verification-helpers.js'

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
