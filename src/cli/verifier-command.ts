import { loadVerifierConfig } from '../config/verifier-config.js'
import { startVerifier } from '../app/start-verifier.js'
import type { Logger } from '../shared/logger.js'

/** `govcred verifier`: the verification API alone, until SIGINT/SIGTERM. */
export async function verifierCommand(logger: Logger): Promise<void> {
  process.umask(0o077)
  const config = loadVerifierConfig()
  const running = await startVerifier(config, logger)
  process.stdout.write(
    [
      `govcred verifier is ready (verifier-only: no issuer keys, no issuer database)`,
      `  API      ${running.url}   (health: ${running.url}/healthz)`,
      `  chain    ${config.rpcUrl}`,
      `  chain RPC ${running.publicRpcUrl}   (read-only, for wallets and other verifiers)`,
      `  domain   ${config.domain}`,
      '',
    ].join('\n'),
  )
  const shutdown = (signal: string) => {
    logger.info(`${signal} received, shutting down`)
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
}
