import { DcqlQuery, runDcqlQuery, type DcqlSdJwtVcCredential } from 'dcql'
import type { WalletContext } from './context.js'
import { isRecord } from './encoding.js'
import { WalletCoreError } from './errors.js'
import { openCredential } from './issued-credential.js'
import type { ClaimPath, OpenedSdJwt } from './sd-jwt.js'
import type { StoredCredential } from './storage.js'

/** A held credential that answers a credential query, and the claim paths it would disclose for it. */
export interface MatchCandidate {
  credential: StoredCredential
  opened: OpenedSdJwt
  paths: ClaimPath[]
}

/** A credential query of the request and the held credentials that answer it, best first. */
export interface QueryMatch {
  queryId: string
  vcts: string[]
  candidates: MatchCandidate[]
}

/** What the wallet can answer: the queries to answer (each with candidates) and those it holds nothing for. */
export interface DcqlMatch {
  answer: QueryMatch[]
  missing: { queryId: string; vcts: string[] }[]
}

/**
 * Matches a DCQL query (OpenID4VP 1.0 §6) against the held SD-JWT VCs with the `dcql` library. The queries to
 * answer: with credential sets, of each required set its first option the wallet can meet fully (optional sets
 * are left out: disclose no more than needed); without, every credential query. Candidates are ordered: not
 * known to be revoked or suspended, within validity, newest.
 */
export async function matchDcql(ctx: WalletContext, input: unknown): Promise<DcqlMatch> {
  let query: DcqlQuery.Output
  try {
    query = DcqlQuery.parse(input as DcqlQuery.Input)
    DcqlQuery.validate(query)
  } catch (error) {
    throw new WalletCoreError('REQUEST_INVALID', {
      reason: 'query',
      detail: `the DCQL query is invalid: ${(error as Error).message.split('\n')[0]}`,
    })
  }
  const held = await Promise.all(
    (await ctx.storage.listCredentials()).map(async (credential) => ({ credential, opened: await openCredential(credential.compact) })),
  )
  const credentials: DcqlSdJwtVcCredential[] = held.map(({ credential, opened }) => ({
    credential_format: 'dc+sd-jwt',
    vct: credential.vct,
    claims: opened.claims as DcqlSdJwtVcCredential['claims'],
    cryptographic_holder_binding: true,
  }))
  const result = runDcqlQuery(query, { credentials, presentation: false })
  const matched = (id: string) => {
    const q = query.credentials.find((c) => c.id === id)
    return (q?.format === 'dc+sd-jwt' || q?.format === 'vc+sd-jwt') && result.credential_matches[id]?.success === true
  }
  let wanted: string[]
  if (query.credential_sets) {
    wanted = []
    for (const set of query.credential_sets.filter((s) => s.required !== false)) {
      const option = set.options.find((o) => o.every(matched)) ?? set.options[0]!
      wanted.push(...option.filter((id) => !wanted.includes(id)))
    }
  } else wanted = query.credentials.map((c) => c.id)

  const nowSeconds = ctx.now() / 1000
  const rank = (c: MatchCandidate) => {
    const status = c.credential.status?.value
    const exp = c.opened.claims.exp
    return (status === 'revoked' || status === 'suspended' ? 2 : 0) + (typeof exp === 'number' && exp <= nowSeconds ? 1 : 0)
  }
  const answer: QueryMatch[] = []
  const missing: DcqlMatch['missing'] = []
  for (const queryId of wanted) {
    const credentialQuery = query.credentials.find((c) => c.id === queryId)!
    const meta = credentialQuery.meta as { vct_values?: string[] } | undefined
    const vcts = Array.isArray(meta?.vct_values) ? meta.vct_values : []
    const match = result.credential_matches[queryId]
    if (!matched(queryId) || !match?.success) {
      missing.push({ queryId, vcts })
      continue
    }
    const claimQueries = (credentialQuery.claims ?? []) as { path: ClaimPath }[]
    const candidates = match.valid_credentials
      .map((valid) => {
        const { credential, opened } = held[valid.input_credential_index]!
        const indexes = isRecord(valid.claims) ? (valid.claims.valid_claim_sets?.[0]?.valid_claim_indexes ?? []) : []
        return { credential, opened, paths: indexes.map((i) => claimQueries[i]!.path) }
      })
      .sort((a, b) => rank(a) - rank(b) || b.credential.receivedAt.localeCompare(a.credential.receivedAt))
    answer.push({ queryId, vcts, candidates })
  }
  return { answer, missing }
}
