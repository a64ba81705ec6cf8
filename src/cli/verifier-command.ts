import { loadVerifierConfig } from '../config/verifier-config.js'
import { startVerifier } from '../app/start-verifier.js'
import type { Logger } from '../shared/logger.js'
import { runService } from './service-lifecycle.js'

/** `govcred verifier`: the verification API alone, until SIGINT, SIGTERM or SIGHUP; one per data directory. */
export async function verifierCommand(logger: Logger): Promise<void> {
  process.umask(0o077)
  const config = loadVerifierConfig()
  const running = await runService({ dataDir: config.dataDir, port: config.port, host: config.host, command: 'verifier' }, logger, () =>
    startVerifier(config, logger),
  )
  process.stdout.write(
    [
      `govcred verifier is ready (verifier-only: no issuer keys, no issuer database)`,
      `  API      ${running.url}   (health: ${running.url}/healthz)`,
      `  portal   ${running.url}/verify   (bank verification page)`,
      `  chain    ${config.rpcUrl}`,
      `  chain RPC ${running.publicRpcUrl}   (read-only, for wallets and other verifiers)`,
      `  domain   ${config.domain}`,
      '',
    ].join('\n'),
  )
}
