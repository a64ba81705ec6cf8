import type { HolderWallet } from '../../src/wallet/holder-wallet.js'
import type { CredentialType, DepartmentClient } from './client.js'
import type { Narrator } from './narrator.js'
import { CREDENTIAL_TITLES } from './sample-claims.js'

/** A department offers a credential (SD-JWT VC); the wallet receives it with the transaction code. Returns its credential id. */
export async function receiveOffer(
  say: Narrator,
  wallet: HolderWallet,
  department: DepartmentClient,
  type: CredentialType,
  claims: Record<string, unknown>,
): Promise<string> {
  const offer = await department.offer({ type, claims, format: 'dc+sd-jwt' })
  await wallet.receive(offer.offerUri, { txCode: offer.txCode })
  const state = await department.offerState(offer.id)
  const title = CREDENTIAL_TITLES[type] ?? { zh: type, en: type }
  say.fact(title.zh, title.en, `${department.department.name} → ${state.credentialId ?? offer.id}`)
  return state.credentialId!
}
