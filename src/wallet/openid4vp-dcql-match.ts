// DCQL matching of the holder wallet (OpenID4VP 1.0 §6): which of its credentials answer each credential query.
import { decodeJWT } from 'did-jwt'
import { DcqlQuery, runDcqlQuery, type DcqlCredential } from 'dcql'
import { openSdJwtVc } from './sd-jwt-vc.js'
import type { WalletAgent } from './wallet-agent.js'
import type { DisplayNames, ReceivedCredentialRow, WalletCredentialStore } from './wallet-credential-store.js'
import { WalletError } from './wallet-errors.js'

/** One SD-JWT VC the verifier asks for, with the wallet's credential that answers it. */
export interface PlannedCredential {
  queryId: string
  /** The wallet's credential chosen (the newest current one that matches). */
  credential: ReceivedCredentialRow
  /** The credential type's names (from the issuer's metadata), or its vct. */
  typeName: DisplayNames
  vct: string
  /** The claim paths to disclose: those asked for, nothing else. */
  claims: (string | number | null)[][]
  /** Each claim's name in Chinese and English, when the type metadata gives one. */
  claimNames: { path: string; name: DisplayNames }[]
}

/**
 * One VC-JWT the verifier asks for (a `jwt_vc_json` query), answered with a VC-JWT imported for one of the
 * wallet's DIDs. It is signed whole: the verifier receives every claim of its subject, not only those asked for.
 */
export interface PlannedVcJwt {
  queryId: string
  id: string
  jwt: string
  issuer: string
  /** The issuer's name as the credential states it, when it does. */
  issuerName?: string
  /** The subject's DID, which signs the VP-JWT. */
  holder: string
  /** The credential's most specific type. */
  type: string
  /** Every claim of the subject: what the verifier receives. */
  claims: string[]
  /** The claims the verifier asked for. */
  asked: string[]
}
/** A credential the wallet could present: an SD-JWT VC it received, or a VC-JWT imported for one of its DIDs. */
type Candidate =
  | { format: 'dc+sd-jwt'; row: ReceivedCredentialRow; claims: Record<string, unknown>; receivedAt: string; exp: unknown }
  | {
      format: 'jwt_vc_json'
      vcJwt: Pick<PlannedVcJwt, 'id' | 'jwt' | 'issuer' | 'issuerName' | 'holder'>
      vc: Record<string, any>
      receivedAt: string
      exp: unknown
    }

const W3C_FORMATS = new Set(['jwt_vc_json'])
const SD_JWT_FORMATS = new Set(['dc+sd-jwt', 'vc+sd-jwt'])

/** What matching needs of the wallet: its SD-JWT VCs (received), its imported VC-JWTs and DIDs (the agent). */
export interface MatchDeps {
  agent: Pick<WalletAgent, 'didManagerFind' | 'dataStoreORMGetVerifiableCredentials'>
  store: Pick<WalletCredentialStore, 'list'>
}

/**
 * Matches the DCQL query against what the wallet holds (SD-JWT VCs for dc+sd-jwt queries, imported VC-JWTs of its
 * own DIDs for jwt_vc_json queries): per credential query, the newest current match.
 */
export async function matchDcqlQuery(
  deps: MatchDeps,
  input: unknown,
): Promise<{ credentials: PlannedCredential[]; vcJwts: PlannedVcJwt[] }> {
  let query: DcqlQuery
  try {
    query = DcqlQuery.parse(input as never)
    DcqlQuery.validate(query)
  } catch (error) {
    throw new WalletError(
      'ERR_REQUEST_MALFORMED',
      `出示请求的 DCQL 查询无效 / the request's DCQL query is invalid: ${(error as Error).message.split('\n')[0]}`,
    )
  }
  const unsupported = query.credentials.find((c) => !SD_JWT_FORMATS.has(c.format) && !W3C_FORMATS.has(c.format))
  if (unsupported) {
    throw new WalletError(
      'ERR_NO_MATCHING_CREDENTIAL',
      `本钱包只能出示 SD-JWT VC 与 VC-JWT / this wallet presents SD-JWT VCs and VC-JWTs, not ${unsupported.format} (${unsupported.id})`,
    )
  }
  const candidates = [
    ...(query.credentials.some((c) => SD_JWT_FORMATS.has(c.format)) ? await sdJwtCandidates(deps) : []),
    ...(query.credentials.some((c) => W3C_FORMATS.has(c.format)) ? await vcJwtCandidates(deps) : []),
  ]
  const credentials: DcqlCredential[] = candidates.map((c) =>
    c.format === 'dc+sd-jwt'
      ? { credential_format: 'dc+sd-jwt', vct: String(c.claims.vct ?? ''), claims: c.claims as never, cryptographic_holder_binding: true }
      : { credential_format: 'jwt_vc_json', type: asStrings(c.vc.type), claims: c.vc as never, cryptographic_holder_binding: true },
  )
  const result = runDcqlQuery(query, { credentials, presentation: false })
  // With credential sets, the first option that can be met of each required set; else every credential query.
  const wanted = query.credential_sets
    ? [
        ...new Set(
          (result.credential_sets ?? []).filter((s) => s.required !== false).flatMap((s) => s.matching_options?.[0] ?? s.options[0] ?? []),
        ),
      ]
    : query.credentials.map((c) => c.id)
  const now = Math.floor(Date.now() / 1000)
  const planned: { credentials: PlannedCredential[]; vcJwts: PlannedVcJwt[] } = { credentials: [], vcJwts: [] }
  for (const queryId of wanted) {
    const credentialQuery = query.credentials.find((c) => c.id === queryId)!
    const match = result.credential_matches[queryId]
    const meta = credentialQuery.meta as { vct_values?: string[]; type_values?: string[][] } | undefined
    if (!match?.success) {
      const asked =
        meta?.vct_values?.map(typeNameOfVct) ?? meta?.type_values?.map((t) => t.filter((n) => n !== 'VerifiableCredential').join('+'))
      throw new WalletError(
        'ERR_NO_MATCHING_CREDENTIAL',
        `钱包中没有符合要求的凭证 / the wallet holds no credential that answers "${queryId}" (${asked?.join(', ') || 'any type'})`,
      )
    }
    const current = (c: Candidate) => typeof c.exp !== 'number' || c.exp > now
    const chosen = match.valid_credentials
      .map((v) => ({ candidate: candidates[v.input_credential_index]!, claimSet: v.claims.valid_claim_sets[0] }))
      .sort(
        (a, b) =>
          Number(current(b.candidate)) - Number(current(a.candidate)) || b.candidate.receivedAt.localeCompare(a.candidate.receivedAt),
      )[0]!
    const askedPaths = (chosen.claimSet?.valid_claim_indexes ?? []).map(
      (i) => (credentialQuery.claims![i] as { path: (string | number | null)[] }).path,
    )
    const { candidate } = chosen
    if (candidate.format === 'jwt_vc_json') {
      // A VC-JWT is signed whole: every claim of its subject goes to the verifier, whatever was asked.
      const names = Object.keys((candidate.vc.credentialSubject ?? {}) as Record<string, unknown>).filter((n) => n !== 'id')
      const type =
        asStrings(candidate.vc.type)
          .filter((t) => t !== 'VerifiableCredential')
          .pop() ?? 'VerifiableCredential'
      planned.vcJwts.push({ queryId, ...candidate.vcJwt, type, claims: names, asked: askedPaths.map((p) => pathText(p.slice(1))) })
      continue
    }
    const vcts = meta?.vct_values ?? []
    planned.credentials.push({
      queryId,
      credential: candidate.row,
      typeName: candidate.row.credentialDisplay,
      vct: String(candidate.claims.vct ?? vcts[0] ?? ''),
      claims: askedPaths,
      claimNames: askedPaths.map((p) => ({ path: pathText(p), name: candidate.row.claimLabels[pathText(p)] ?? {} })),
    })
  }
  return planned
}

async function sdJwtCandidates(deps: MatchDeps): Promise<Candidate[]> {
  const rows = (await deps.store.list()).filter((r) => r.format === 'dc+sd-jwt')
  return Promise.all(
    rows.map(async (row) => {
      const { claims } = await openSdJwtVc(row.credential)
      return { format: 'dc+sd-jwt' as const, row, claims, receivedAt: row.receivedAt, exp: claims.exp }
    }),
  )
}

/**
 * The imported VC-JWTs whose subject is one of the wallet's DIDs (a did:key or did:ethr a verifier resolves): each
 * as the W3C credential DCQL matches (claims under credentialSubject, the subject's id restored).
 */
async function vcJwtCandidates(deps: MatchDeps): Promise<Candidate[]> {
  const dids = new Set((await deps.agent.didManagerFind()).map((i) => i.did))
  const candidates: Candidate[] = []
  for (const row of await deps.agent.dataStoreORMGetVerifiableCredentials()) {
    const jwt = (row.verifiableCredential.proof as { jwt?: unknown } | undefined)?.jwt
    if (typeof jwt !== 'string') continue
    let payload: Record<string, any>
    try {
      payload = decodeJWT(jwt).payload as Record<string, any>
    } catch {
      continue
    }
    const vc = payload.vc as Record<string, any> | undefined
    const holder = payload.sub ?? vc?.credentialSubject?.id
    if (!vc || typeof holder !== 'string' || !dids.has(holder)) continue
    const issuerName = typeof vc.issuer?.name === 'string' ? (vc.issuer.name as string) : undefined
    candidates.push({
      format: 'jwt_vc_json',
      vcJwt: {
        id: String(payload.jti ?? vc.id ?? row.hash),
        jwt,
        issuer: String(payload.iss ?? ''),
        ...(issuerName ? { issuerName } : {}),
        holder,
      },
      vc: { ...vc, credentialSubject: { ...(vc.credentialSubject ?? {}), id: holder } },
      receivedAt: typeof payload.nbf === 'number' ? new Date(payload.nbf * 1000).toISOString() : '',
      exp: payload.exp,
    })
  }
  return candidates
}

const asStrings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [])

/** A claim path as text: names joined by dots, `*` for every element. */
export function pathText(path: (string | number | null)[]): string {
  return path.map((p) => (p === null ? '*' : String(p))).join('.')
}

function typeNameOfVct(vct: string): string {
  return vct.split('/').pop() ?? vct
}
