import { loadConfig } from '../config/config.js'
import { openServiceContext, type OpenOptions, type ServiceContext } from '../app/service-context.js'
import type { Logger } from '../shared/logger.js'

/** Opens the service context for one CLI command and always closes it. */
export async function withContext<T>(
  logger: Logger,
  run: (ctx: ServiceContext) => Promise<T>,
  options: Partial<OpenOptions> = {},
): Promise<T> {
  const ctx = await openServiceContext(loadConfig(), { logger, ...options })
  try {
    return await run(ctx)
  } finally {
    await ctx.close()
  }
}
