/**
 * Revocation burst (issue 15, target 4): 10,000 revocations fired at once over HTTP must reach the chain in at
 * most 20 transactions, and a verifier must refuse each revoked credential within one block of the block that
 * mined its change.
 *
 * Against its own service: issues the credentials over HTTP, revokes them all concurrently (each with a reason,
 * `Prefer: respond-async`, as a department's system revoking a batch would), finds the transactions that carried
 * them from the StatusUpdated events (read with ethers through the service's public chain endpoint), and, while
 * the burst runs, polls POST /credentials/verify for a sample of the credentials, noting the chain's latest block
 * before each poll. A poll that still accepts a credential when the chain was already at block b, its change
 * having been mined in block m ≤ b, proves a lag of b - m + 1 blocks; the section reports the largest such lag.
 *
 * @example
 * const outcome = await revocationBurstSection.run({ smoke: true, concurrency: 16, log: console.error })
 */
import { randomBytes } from 'node:crypto'
import { Interface, JsonRpcProvider, type Log } from 'ethers'
import { loadArtifact } from '../../src/chain/contract-artifacts.js'
import { businessLicenseClaims } from '../../test/fixtures/claims.js'
import { readDemoDepartments, type DemoDepartment } from '../holder.js'
import { JsonClient, runLoad } from '../load.js'
import { atMost, formatNumber as n, intEnv, type BenchSection, profiledStart } from '../section.js'
import { sleep, startServiceProcess } from '../service-process.js'
import type { NetworkInfo } from '../stock-veramo.js'

const TARGET_TRANSACTIONS = 20
const TARGET_LAG_BLOCKS = 1
const ISSUE_CONCURRENCY = 32
const REVOKE_CONCURRENCY = 64
const CONFIRM_TIMEOUT_MS = 180_000
const POLL_PAUSE_MS = 50
const POLL_AFTER_MINED_MS = 10_000
/** The public chain endpoint answers eth_getLogs over at most this many blocks. */
const LOG_RANGE = 5000

export interface IssuedCredential {
  id: string
  jwt: string
  index: number
}

interface Poll {
  /** The chain's latest block just before the poll was sent. */
  blockBefore: number
  refused: boolean
}

export const revocationBurstSection: BenchSection = {
  name: 'revocation-burst',
  async run(ctx) {
    const total = ctx.smoke ? 50 : intEnv('BENCH_REVOCATIONS', 10_000)
    const sampleSize = Math.min(total, ctx.smoke ? 4 : 8)
    const problems: string[] = []
    const service = await startServiceProcess(profiledStart(ctx))
    const client = new JsonClient(service.url, REVOKE_CONCURRENCY)
    const verifierClient = new JsonClient(service.url, sampleSize)
    // The sample is polled until each was refused, up to a few seconds after the last change was mined.
    let pollUntil = Number.POSITIVE_INFINITY
    try {
      const network = (await client.get<NetworkInfo>('/v1/network')).body
      const market = readDemoDepartments(service.dataDir).market
      const chain = new ChainReader(network)

      ctx.log(`revocation burst: issuing ${total} business licences over HTTP (concurrency ${ISSUE_CONCURRENCY}) …`)
      const issued = await issueMany(client, market, total, ISSUE_CONCURRENCY)
      problems.push(...issued.problems)
      const credentials = issued.credentials
      // Spread over the burst (it revokes in this order): early, busiest and last changes are all watched.
      const sample = Array.from({ length: sampleSize }, (_, i) => credentials[Math.floor((i * credentials.length) / sampleSize)]!)
      for (const c of sample) {
        if ((await verifyStatus(verifierClient, c.jwt)) !== 'accepted') problems.push(`credential ${c.id} is refused before it was revoked`)
      }

      const blockGasLimit = await chain.blockGasLimit()
      const fromBlock = (await chain.latestBlock()) + 1
      let pollErrors = 0
      let firstPollError: string | undefined
      const polls = new Map<string, Poll[]>(sample.map((c) => [c.id, []]))
      const polling = Promise.all(
        sample.map(async (c) => {
          const mine = polls.get(c.id)!
          // Until refused, then a little longer: a verifier that refuses once must go on refusing.
          let after = 0
          while (after < 3 && performance.now() < pollUntil) {
            const blockBefore = await chain.latestBlock()
            const answer = await verifyStatus(verifierClient, c.jwt)
            if (answer !== 'accepted' && answer !== 'refused') {
              pollErrors++
              firstPollError ??= answer
            } else {
              mine.push({ blockBefore, refused: answer === 'refused' })
              if (answer === 'refused' || after > 0) after++
            }
            // A block comes every second or so during the burst: this still polls many times per block, and leaves the
            // server's core to the revocations.
            await sleep(POLL_PAUSE_MS)
          }
        }),
      )

      ctx.log(`revocation burst: revoking all ${total} concurrently (concurrency ${REVOKE_CONCURRENCY}) …`)
      const started = performance.now()
      const startUs = monotonicUs()
      const revoked = await revokeAll(client, market, credentials, REVOKE_CONCURRENCY)
      const recordedSeconds = (performance.now() - started) / 1000
      if (revoked.failures > 0) problems.push(`revocations: ${revoked.failures} of ${revoked.count} failed, first: ${revoked.firstFailure}`)

      const wanted = new Set(credentials.map((c) => c.index))
      const found = await chain.waitForRevocations(market.account, wanted, fromBlock, CONFIRM_TIMEOUT_MS)
      const minedSeconds = (performance.now() - started) / 1000
      // From the first revoke request to the last mined, on the clock of V8's .cpuprofile (bench/profile-summary.ts).
      const window = { startUs, endUs: monotonicUs() }
      pollUntil = performance.now() + POLL_AFTER_MINED_MS
      await polling
      if (pollErrors > 0) problems.push(`${pollErrors} verifier polls failed, first: ${firstPollError}`)
      if (found.missing > 0)
        problems.push(`${found.missing} of ${total} revocations were not on chain after ${CONFIRM_TIMEOUT_MS / 1000} s`)

      const txHashes = [...found.indicesPerTx.keys()]
      const transactions = await Promise.all(txHashes.map((hash) => chain.transaction(hash, found.indicesPerTx.get(hash) ?? 0)))
      transactions.sort((a, b) => a.block - b.block)

      const lags = sample.map((c) => {
        const minedIn = found.byIndex.get(c.index)?.block
        const mine = polls.get(c.id)!
        if (minedIn === undefined) return { id: c.id, lag: Number.POSITIVE_INFINITY, polls: mine.length }
        if (!mine.some((p) => p.refused)) problems.push(`the verifier never refused the revoked credential ${c.id}`)
        if (mine.some((p, i) => !p.refused && mine.slice(0, i).some((q) => q.refused)))
          problems.push(`the verifier accepted ${c.id} again after refusing it`)
        const stale = mine.filter((p) => !p.refused && p.blockBefore >= minedIn).map((p) => p.blockBefore - minedIn + 1)
        return {
          id: c.id,
          minedIn,
          lag: Math.max(0, ...stale),
          polls: mine.length,
          pollsAfterMined: mine.filter((p) => p.blockBefore >= minedIn).length,
        }
      })
      const worstLag = Math.max(...lags.map((l) => l.lag))
      const gas = transactions.map((t) => t.gasUsed)
      const largest = transactions.reduce((a, b) => (b.indices > a.indices ? b : a), transactions[0] ?? { gasUsed: 0, indices: 0 })
      const results = {
        revocations: total,
        recordedSeconds,
        firstRequestToLastMinedSeconds: minedSeconds,
        window,
        revokeRequests: revoked,
        issuance: { perSecond: issued.perSecond, seconds: issued.seconds },
        transactions: transactions.length,
        perTransaction: transactions,
        gasPerTransaction: {
          mean: mean(gas),
          max: Math.max(0, ...gas),
          perIndex: sum(gas) / Math.max(1, sum(transactions.map((t) => t.indices))),
        },
        largestBatch: { indices: largest.indices, gasUsed: largest.gasUsed, shareOfBlockGasLimit: largest.gasUsed / blockGasLimit },
        blockGasLimit,
        // The limit, in this run: the fewest transactions at the batch size the service used, and how many indices
        // one transaction could carry at the block gas limit (at the costliest gas per index seen: fresh words).
        limit: {
          fewestTransactionsAtThisBatchSize: Math.ceil(total / Math.max(1, largest.indices)),
          indicesPerBlockGasLimit: Math.floor(blockGasLimit / Math.max(1, ...transactions.map((t) => t.gasUsed / Math.max(1, t.indices)))),
        },
        visibility: { worstLagBlocks: worstLag, sample: lags },
      }
      const lines = [
        `revocation burst: ${total} revocations recorded in ${n(recordedSeconds, 2)} s, all mined ${n(minedSeconds, 2)} s after the first request, in ${transactions.length} transactions of ${transactions.map((t) => t.indices).join(', ')} indices`,
        `    limit: ${results.limit.fewestTransactionsAtThisBatchSize} transactions at batches of ${largest.indices}; the block gas limit would take ~${n(results.limit.indicesPerBlockGasLimit)} indices per transaction`,
        `    gas per transaction: mean ${n(mean(gas))}, max ${n(Math.max(0, ...gas))} (${n(results.gasPerTransaction.perIndex)} per index; block gas limit ${n(blockGasLimit)})`,
        `    verifier refused the ${sample.length} sampled credentials at most ${worstLag} block(s) after the block that mined their change (${n(sum(lags.map((l) => l.polls)))} polls)`,
      ]
      return {
        results,
        targets: [
          atMost(`revocation burst of ${total}: transactions`, transactions.length, TARGET_TRANSACTIONS),
          atMost('revocation visible to the verifier: blocks after mining', worstLag, TARGET_LAG_BLOCKS, 'blocks'),
        ],
        lines,
        problems,
      }
    } finally {
      pollUntil = 0
      client.close()
      verifierClient.close()
      await service.stop()
    }
  },
}

/** Issues `total` business licences over HTTP, each to its own random did:ethr holder. */
export async function issueMany(
  client: JsonClient,
  department: DemoDepartment,
  total: number,
  concurrency: number,
): Promise<{ credentials: IssuedCredential[]; perSecond: number; seconds: number; problems: string[] }> {
  const { id: _id, ...claims } = businessLicenseClaims()
  const credentials: IssuedCredential[] = new Array(total)
  const headers = { authorization: `Bearer ${department.apiKey}` }
  const result = await runLoad(
    Array.from({ length: total }, (_, i) => i),
    concurrency,
    async (i) => {
      const body = JSON.stringify({ type: 'BusinessLicenseCredential', holder: `did:ethr:0x${randomBytes(20).toString('hex')}`, claims })
      const res = await client.postRaw('/v1/credentials', body, headers)
      if (res.status !== 201) return `POST /v1/credentials → ${res.status} ${res.text.slice(0, 300)}`
      const issued = JSON.parse(res.text) as { id: string; jwt: string; credential: { credentialStatus: { statusListIndex: string }[] } }
      credentials[i] = { id: issued.id, jwt: issued.jwt, index: Number(issued.credential.credentialStatus[0]!.statusListIndex) }
      return null
    },
  )
  const problems = result.failures > 0 ? [`issuance: ${result.failures} of ${total} failed, first: ${result.firstFailure}`] : []
  return { credentials: credentials.filter(Boolean), perSecond: result.perSecond, seconds: result.seconds, problems }
}

/** POST /v1/credentials/{id}/revoke for each, with a reason and `Prefer: respond-async`; only 202 counts. */
export function revokeAll(client: JsonClient, department: DemoDepartment, credentials: IssuedCredential[], concurrency: number) {
  const headers = { authorization: `Bearer ${department.apiKey}`, prefer: 'respond-async' }
  const body = JSON.stringify({ reason: '营业执照吊销 licence revoked (bench burst)' })
  return runLoad(credentials, concurrency, async (c) => {
    const res = await client.postRaw(`/v1/credentials/${encodeURIComponent(c.id)}/revoke`, body, headers)
    return res.status === 202 ? null : `revoke → ${res.status} ${res.text.slice(0, 300)}`
  })
}

/** The verifier's answer for a lone credential (POST /credentials/verify): refused when its status check fails. */
export async function verifyStatus(client: JsonClient, jwt: string): Promise<'accepted' | 'refused' | string> {
  const res = await client.postRaw('/credentials/verify', JSON.stringify({ verifiableCredential: jwt }))
  const body = JSON.parse(res.text) as { verified?: boolean; checks?: { check: string; ok: boolean; code: string }[] }
  if (res.status === 200 && body.verified === true) return 'accepted'
  const status = body.checks?.find((c) => c.check === 'status')
  if (status && !status.ok) return 'refused'
  return `${res.status} ${res.text.slice(0, 300)}`
}

/** Reads the chain as a verifier would: through the service's public read-only JSON-RPC endpoint. */
export class ChainReader {
  private readonly provider: JsonRpcProvider
  private readonly status: Interface
  private readonly address: string

  constructor(network: NetworkInfo) {
    this.provider = new JsonRpcProvider(
      network.rpcUrl,
      { chainId: network.chainId, name: network.name },
      { staticNetwork: true, batchMaxCount: 1 },
    )
    this.status = new Interface(loadArtifact('CredentialStatusRegistry').abi)
    this.address = network.contracts.status
  }

  async latestBlock(): Promise<number> {
    return Number(await this.provider.send('eth_blockNumber', []))
  }

  async blockGasLimit(): Promise<number> {
    const block = (await this.provider.send('eth_getBlockByNumber', ['latest', false])) as { gasLimit: string }
    return Number(block.gasLimit)
  }

  async transaction(hash: string, indices: number) {
    const receipt = await this.provider.getTransactionReceipt(hash)
    return { hash, block: receipt?.blockNumber ?? -1, gasUsed: Number(receipt?.gasUsed ?? 0n), indices }
  }

  /**
   * Follows StatusUpdated events of `account`'s revocation list from `fromBlock` until every index of `wanted` was
   * set, or `timeoutMs` passed; answers, per index, the first block and transaction that set it.
   */
  async waitForRevocations(account: string, wanted: Set<number>, fromBlock: number, timeoutMs: number) {
    const byIndex = new Map<number, { block: number; txHash: string }>()
    const indicesPerTx = new Map<string, number>()
    const topic = this.status.getEvent('StatusUpdated')!.topicHash
    const issuerTopic = `0x${account.toLowerCase().replace(/^0x/, '').padStart(64, '0')}`
    const deadline = Date.now() + timeoutMs
    let next = fromBlock
    while (byIndex.size < wanted.size && Date.now() < deadline) {
      const latest = await this.latestBlock()
      for (let from = next; from <= latest; from += LOG_RANGE) {
        const to = Math.min(latest, from + LOG_RANGE - 1)
        const logs: Log[] = await this.provider.getLogs({
          address: this.address,
          topics: [topic, issuerTopic],
          fromBlock: from,
          toBlock: to,
        })
        for (const log of logs) this.record(log, wanted, byIndex, indicesPerTx)
      }
      next = Math.max(next, latest + 1)
      if (byIndex.size < wanted.size) await sleep(100)
    }
    return { byIndex, indicesPerTx, missing: wanted.size - byIndex.size }
  }

  private record(
    log: Log,
    wanted: Set<number>,
    byIndex: Map<number, { block: number; txHash: string }>,
    indicesPerTx: Map<string, number>,
  ): void {
    const parsed = this.status.parseLog(log)
    if (!parsed || Number(parsed.args.purpose) !== 0) return
    for (const raw of parsed.args.setIndices as bigint[]) {
      const index = Number(raw)
      if (!wanted.has(index) || byIndex.has(index)) continue
      byIndex.set(index, { block: log.blockNumber, txHash: log.transactionHash })
      indicesPerTx.set(log.transactionHash, (indicesPerTx.get(log.transactionHash) ?? 0) + 1)
    }
  }
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const mean = (xs: number[]) => (xs.length === 0 ? 0 : sum(xs) / xs.length)
