import { Router } from 'express'
import type { AppDeps } from '../app-deps.js'

/** /healthz answers within 1 s: a chain that has not given its block number by then is reported down. */
export const CHAIN_HEALTH_TIMEOUT_MS = 800

/** GET /healthz: chain reachable (block number), database answering. 503 when either is not. */
export function healthRoutes(deps: AppDeps): Router {
  const router = Router()
  router.get('/healthz', async (_req, res) => {
    const [chain, database] = await Promise.all([
      withTimeout(deps.health.blockNumber(), CHAIN_HEALTH_TIMEOUT_MS, 'the chain').then(
        (blockNumber) => ({ ok: true, blockNumber, chainId: deps.deployments.chainId }),
        (error: Error) => ({ ok: false, error: error.message }),
      ),
      deps.health.database
        ? withTimeout(deps.health.database(), 3000).then(
            () => ({ ok: true }),
            (error: Error) => ({ ok: false, error: error.message }),
          )
        : Promise.resolve({ ok: true, mode: 'none' }),
    ])
    const ok = chain.ok && database.ok
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', chain, database })
  })
  return router
}

function withTimeout<T>(promise: Promise<T>, ms: number, what?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(what ? `${what} did not answer within ${ms} ms` : `no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
