import { loadConfig } from '../config/config.js'
import { startService } from '../app/start-service.js'
import type { Logger } from '../shared/logger.js'
import { runService } from './service-lifecycle.js'

/**
 * `govcred start [--demo]`: runs until SIGINT, SIGTERM or SIGHUP, then shuts down cleanly (the chain state
 * is dumped). Refuses at once when another service holds the data directory or the port is taken.
 */
export async function startCommand(flags: { demo?: boolean }, logger: Logger): Promise<void> {
  // Everything this process and its Anvil create (database, WAL, chain state, secrets) is the owner's alone.
  process.umask(0o077)
  const config = loadConfig()
  // Under `npm start` (exec'd by its shell, so npm is the parent): npm dies of SIGHUP without passing it on.
  const stopWithParent = process.env.npm_lifecycle_event === 'start'
  const settings = { dataDir: config.dataDir, port: config.port, host: config.host, command: 'start', stopWithParent }
  const service = await runService(settings, logger, () => startService(config, logger, { demo: flags.demo || undefined }))
  const { ctx } = service
  const departments = await ctx.departments.list()
  const lines = [
    '',
    `govcred is ready in ${(service.startedInMs / 1000).toFixed(1)} s`,
    `  API            ${service.url}   (health: ${service.url}/healthz)`,
    `  portal         ${service.url}/   (console /console · wallet /wallet · bank /verify)`,
    ctx.config.chain.mode === 'embedded'
      ? `  chain          embedded (development/demo mode, not for production) · chain id ${ctx.deployments.chainId}`
      : `  chain          external · chain id ${ctx.deployments.chainId}`,
    // The read-only endpoint only: the embedded node's own port is never printed or advertised.
    `  chain RPC      ${service.publicRpcUrl}   (read-only)`,
    `  network        ${service.url}/v1/network`,
    `  data           ${ctx.config.dataDir}`,
    ...departments.map((d) => `  department     ${d.nameEn.padEnd(52)} ${d.did}`),
    departments.length > 0 ? `  demo file      ${ctx.config.dataDir}/demo.json   (portal accounts: npx govcred demo accounts)` : '',
    '  stop with Ctrl-C',
    '',
  ]
  process.stdout.write(lines.filter((l) => l !== '').join('\n') + '\n')
}
