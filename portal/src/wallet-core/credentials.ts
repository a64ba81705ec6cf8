import type { WalletContext } from './context.js'
import { type LocalizedText } from './display.js'
import { WalletCoreError } from './errors.js'
import { openCredential } from './issued-credential.js'
import type { CredentialStatusValue, IssuerDisplay, StoredCredential, TypeDisplay } from './storage.js'
import { readStatusList } from './status-list.js'
import { consortiumRoot } from './trust-root.js'

/** The claims of an SD-JWT VC that describe the credential rather than its subject (not shown as claims). */
export const REGISTERED_CLAIMS: readonly string[] = ['iss', 'sub', 'iat', 'nbf', 'exp', 'vct', 'vct#integrity', 'cnf', 'status', 'jti']

/** One claim of a card: its name, its label in both languages (from the type metadata) and its value. */
export interface CardClaim {
  name: string
  label: LocalizedText
  value: unknown
}

/** A held credential as the wallet shows it. */
export interface CredentialCard {
  id: string
  vct: string
  type: TypeDisplay
  issuer: IssuerDisplay
  credentialIssuer: string
  /** When it was issued and until when it is valid (ISO 8601); null when the credential does not say. */
  issuedAt: string | null
  expiresAt: string | null
  /** Whether today lies within its validity (not expired, not before nbf). */
  withinValidity: boolean
  claims: CardClaim[]
  /** Labels of nested claims by path text (`insurances.*.type`) for showing structured values. */
  claimLabels: Record<string, LocalizedText>
  /**
   * The status as last read: `live` when read from the issuer's status list in this call (or at receipt just
   * now), otherwise the last known value with its time (offline).
   */
  status: { value: CredentialStatusValue; checkedAt: string | null; live: boolean }
  receivedAt: string
}

/** The cards of every held credential, newest first, with their last known status (no network). */
export async function listCards(ctx: WalletContext): Promise<CredentialCard[]> {
  const stored = await ctx.storage.listCredentials()
  const cards = await Promise.all(stored.map((c) => cardOf(ctx, c, false)))
  return cards.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
}

/** One card; CREDENTIAL_NOT_FOUND when the wallet does not hold it. */
export async function getCard(ctx: WalletContext, id: string): Promise<CredentialCard> {
  return cardOf(ctx, await storedCredential(ctx, id), false)
}

/**
 * Reads the live status of each held credential (or of one) from its issuer's status list and keeps it;
 * when a list cannot be reached, the card keeps its last known status and time (`live: false`).
 */
export async function refreshStatuses(ctx: WalletContext, id?: string): Promise<CredentialCard[]> {
  const stored = id === undefined ? await ctx.storage.listCredentials() : [await storedCredential(ctx, id)]
  const cards: CredentialCard[] = []
  for (const credential of stored) {
    const refreshed = await refreshCredentialStatus(ctx, credential)
    cards.push(await cardOf(ctx, refreshed.credential, refreshed.live))
  }
  return cards.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))
}

/** Removes a held credential and its holder key from the device. */
export async function deleteCredential(ctx: WalletContext, id: string): Promise<void> {
  await storedCredential(ctx, id)
  await ctx.storage.deleteCredential(id)
}

/**
 * Reads and stores one credential's live status; `live: false` (and the record unchanged) when its status list
 * or the trust root cannot be reached.
 */
export async function refreshCredentialStatus(
  ctx: WalletContext,
  credential: StoredCredential,
): Promise<{ credential: StoredCredential; live: boolean }> {
  const { claims } = await openCredential(credential.compact)
  let reading
  try {
    reading = await readStatusList(ctx, claims, await consortiumRoot(ctx))
  } catch (error) {
    if (
      error instanceof WalletCoreError &&
      (error.code === 'NETWORK' || error.code === 'TRUST_ROOT_UNAVAILABLE' || error.code === 'INSECURE_URL')
    )
      return { credential, live: false }
    throw error
  }
  const updated: StoredCredential = {
    ...credential,
    status: { value: reading.value, checkedAt: new Date(ctx.now()).toISOString(), ...(reading.reason ? { reason: reading.reason } : {}) },
  }
  await ctx.storage.putCredential(updated)
  return { credential: updated, live: true }
}

async function storedCredential(ctx: WalletContext, id: string): Promise<StoredCredential> {
  const credential = await ctx.storage.getCredential(id)
  if (!credential) throw new WalletCoreError('CREDENTIAL_NOT_FOUND', { detail: `no credential ${id} on this device` })
  return credential
}

/** The card of a stored credential (its claims decoded from the disclosures). */
export async function cardOf(ctx: WalletContext, credential: StoredCredential, live: boolean): Promise<CredentialCard> {
  const { claims } = await openCredential(credential.compact)
  const seconds = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)
  const iat = seconds(claims.iat)
  const exp = seconds(claims.exp)
  const nbf = seconds(claims.nbf)
  const now = ctx.now() / 1000
  return {
    id: credential.id,
    vct: credential.vct,
    type: credential.type,
    issuer: credential.issuer,
    credentialIssuer: credential.credentialIssuer,
    issuedAt: iat !== undefined ? new Date(iat * 1000).toISOString() : null,
    expiresAt: exp !== undefined ? new Date(exp * 1000).toISOString() : null,
    withinValidity: (exp === undefined || exp > now) && (nbf === undefined || nbf <= now),
    claims: Object.entries(claims)
      .filter(([name]) => !REGISTERED_CLAIMS.includes(name))
      .map(([name, value]) => ({ name, label: credential.claimLabels[name] ?? {}, value })),
    claimLabels: credential.claimLabels,
    status: { value: credential.status?.value ?? 'unknown', checkedAt: credential.status?.checkedAt ?? null, live },
    receivedAt: credential.receivedAt,
  }
}
