import { loadConfig } from '../config/config.js'
import { startService } from '../app/start-service.js'
import type { Logger } from '../shared/logger.js'

/** `govcred start [--demo]`: runs until SIGINT/SIGTERM, then shuts down cleanly (the chain state is dumped). */
export async function startCommand(flags: { demo?: boolean }, logger: Logger): Promise<void> {
  const config = loadConfig()
  const service = await startService(config, logger, { demo: flags.demo || undefined })
  const { ctx } = service
  const departments = await ctx.departments.list()
  const lines = [
    '',
    `govcred is ready in ${(service.startedInMs / 1000).toFixed(1)} s`,
    `  API            ${service.url}   (health: ${service.url}/healthz)`,
    `  chain          ${ctx.config.chain.mode} · chain id ${ctx.deployments.chainId} · ${ctx.rpcUrl}`,
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
