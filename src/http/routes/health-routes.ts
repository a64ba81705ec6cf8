import { Router } from 'express'
import type { AppDeps } from '../app-deps.js'

/** GET /healthz: chain reachable (block number), database answering. 503 when either is not. */
export function healthRoutes(deps: AppDeps): Router {
  const router = Router()
  router.get('/healthz', async (_req, res) => {
    const [chain, database] = await Promise.all([
      withTimeout(deps.health.blockNumber(), 3000).then(
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
