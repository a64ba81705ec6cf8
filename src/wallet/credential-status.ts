import type { X509Certificate } from 'node:crypto'
import { StatusList, type BitsPerStatus } from '@sd-jwt/jwt-status-list'
import { sanUris, verifyX5cSignedJwt } from './sd-jwt-vc.js'
import { WalletError } from './wallet-errors.js'

/** A held credential's status as the wallet last read it. */
export type HeldStatus = 'valid' | 'revoked' | 'suspended' | 'unknown'

export interface StatusReading {
  status: HeldStatus
  /** Where the status was read, or why it could not be. */
  detail: string
}

/** The values of an IETF Token Status List entry, as govcred uses them (two bits per entry). */
const STATUS_VALUES: Record<number, HeldStatus> = { 0: 'valid', 1: 'revoked', 2: 'suspended' }

/**
 * Reads an SD-JWT VC's status from the status list token at `status.status_list.uri` (IETF Token Status
 * List): the token must be signed (ES256, x5c) by a certificate that names the credential's issuer and is
 * issued by the same authority as the credential's certificate, name itself (`sub`) as that URI and not be expired.
 */
export async function readStatusList(
  claims: Record<string, unknown>,
  credentialChain: X509Certificate[],
  fetchImpl: typeof fetch,
  timeoutMs = 10_000,
): Promise<StatusReading> {
  const reference = (claims.status as { status_list?: { idx?: unknown; uri?: unknown } } | undefined)?.status_list
  if (!reference || typeof reference.uri !== 'string' || !Number.isInteger(reference.idx) || (reference.idx as number) < 0) {
    return { status: 'unknown', detail: '凭证未提供状态列表 / the credential names no status list' }
  }
  const uri = reference.uri
  const idx = reference.idx as number
  let token: string
  try {
    const response = await fetchImpl(uri, {
      headers: { accept: 'application/statuslist+jwt' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (!response.ok)
      return {
        status: 'unknown',
        detail: `状态列表返回 HTTP ${response.status} / the status list at ${uri} answered HTTP ${response.status}`,
      }
    token = (await response.text()).trim()
  } catch (error) {
    return { status: 'unknown', detail: `无法读取状态列表 / cannot read the status list at ${uri}: ${(error as Error).message}` }
  }
  try {
    const { chain, payload } = await verifyX5cSignedJwt(token, 'statuslist+jwt')
    if (typeof claims.iss === 'string' && !sanUris(chain[0]!).includes(claims.iss)) {
      return { status: 'unknown', detail: `状态列表不是 ${claims.iss} 签名的 / the status list is not signed by the credential's issuer` }
    }
    if (!sameAuthority(chain, credentialChain)) {
      return {
        status: 'unknown',
        detail: '状态列表的证书与凭证的证书不属于同一机构 / the status list and the credential are certified by different authorities',
      }
    }
    if (payload.sub !== uri)
      return {
        status: 'unknown',
        detail: `状态列表声称位于 ${String(payload.sub)} / the status list names another URI, ${String(payload.sub)}`,
      }
    if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now())
      return { status: 'unknown', detail: '状态列表已过期 / the status list token has expired' }
    const list = payload.status_list as { bits?: unknown; lst?: unknown } | undefined
    if (!list || ![1, 2, 4, 8].includes(list.bits as number) || typeof list.lst !== 'string') {
      return { status: 'unknown', detail: '状态列表格式错误 / the status list token carries no status_list' }
    }
    const value = StatusList.decompressStatusList(list.lst, list.bits as BitsPerStatus).getStatus(idx)
    return { status: STATUS_VALUES[value] ?? 'unknown', detail: `${uri} #${idx} = ${value}` }
  } catch (error) {
    const message = error instanceof WalletError ? error.message : (error as Error).message
    return { status: 'unknown', detail: `状态列表无法验证 / the status list does not verify: ${message}` }
  }
}

/** Whether two x5c chains end at the same authority (the same root, or one's end issued by the other's). */
function sameAuthority(a: X509Certificate[], b: X509Certificate[]): boolean {
  const anchor = b[b.length - 1]
  const end = a[a.length - 1]
  if (!anchor || !end) return false
  if (a.some((cert) => cert.fingerprint256 === anchor.fingerprint256)) return true
  return end.checkIssued(anchor) && end.verify(anchor.publicKey)
}

/**
 * A VC-JWT's status from the issuing service's verifier (`POST {service}/credentials/verify`): its `status`
 * check tells revoked and suspended apart; a credential that verifies is valid.
 */
export async function readVerifierStatus(
  jwt: string,
  serviceBase: string,
  fetchImpl: typeof fetch,
  timeoutMs = 10_000,
): Promise<StatusReading> {
  const url = `${serviceBase}/credentials/verify`
  let body: { verified?: boolean; checks?: { check?: string; ok?: boolean; code?: string }[] }
  try {
    const response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ verifiableCredential: jwt }),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })
    if (response.status !== 200 && response.status !== 422) {
      return { status: 'unknown', detail: `核验服务返回 HTTP ${response.status} / the verifier at ${url} answered HTTP ${response.status}` }
    }
    body = (await response.json()) as typeof body
  } catch (error) {
    return { status: 'unknown', detail: `无法连接核验服务 / cannot reach the verifier at ${url}: ${(error as Error).message}` }
  }
  const status = body.checks?.find((c) => c.check === 'status')
  if (status?.code === 'ERR_CREDENTIAL_REVOKED') return { status: 'revoked', detail: url }
  if (status?.code === 'ERR_CREDENTIAL_SUSPENDED') return { status: 'suspended', detail: url }
  if (status?.ok) return { status: 'valid', detail: url }
  return { status: 'unknown', detail: `${url}: ${status?.code ?? 'no status check'}` }
}
