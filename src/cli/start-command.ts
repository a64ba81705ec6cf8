import { loadConfig } from '../config/config.js'
import { startService } from '../app/start-service.js'
import type { Logger } from '../shared/logger.js'

/** `govcred start [--demo]`: runs until SIGINT/SIGTERM, then shuts down cleanly (the chain state is dumped). */
export async function startCommand(flags: { demo?: boolean }, logger: Logger): Promise<void> {
  // Everything this process and its Anvil create (database, WAL, chain state, secrets) is the owner's alone.
  process.umask(0o077)
  const config = loadConfig()
  const service = await startService(config, logger, { demo: flags.demo || undefined })
  const { ctx } = service
  const departments = await ctx.departments.list()
  const lines = [
    '',
    `govcred is ready in ${(service.startedInMs / 1000).toFixed(1)} s`,
    `  API            ${service.url}   (health: ${service.url}/healthz)`,
    ctx.config.chain.mode === 'embedded'
      ? `  chain          embedded (development/demo mode, not for production) · chain id ${ctx.deployments.chainId}`
      : `  chain          external · chain id ${ctx.deployments.chainId}`,
    // The read-only endpoint only: the embedded node's own port is never printed or advertised.
    `  chain RPC      ${service.publicRpcUrl}   (read-only)`,
    `  network        ${service.url}/v1/network`,
    `  data           ${ctx.config.dataDir}`,
    ...departments.map((d) => `  department     ${d.nameEn.padEnd(52)} ${d.did}`),
    departments.length > 0 ? `  demo file      ${ctx.config.dataDir}/demo.json` : '',
    '  stop with Ctrl-C',
    '',
  ]
  process.stdout.write(lines.filter((l) => l !== '').join('\n') + '\n')

  const shutdown = (signal: string) => {
    logger.info(`${signal} received, shutting down`)
    service.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error(`shutdown failed: ${(error as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
}
