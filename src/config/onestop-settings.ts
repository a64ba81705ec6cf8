import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { envReader } from './env-reader.js'

type Reader = ReturnType<typeof envReader>

/** `<repo>/rules/bundles`: this file sits at `src/config/`, two levels below the project root. */
export function defaultBundlesDir(): string {
  return fileURLToPath(new URL('../../rules/bundles', import.meta.url))
}

/**
 * GOVCRED_ONESTOP_BUNDLES_DIR: the one-stop bundles (`*.json`, relative to the working directory; default
 * `<repo>/rules/bundles`). A missing directory means no bundles.
 *
 * @example
 * readOnestopBundlesDir(read) // '/srv/govcred/rules/bundles'
 */
export function readOnestopBundlesDir(read: Reader): string {
  const dir = read.string('GOVCRED_ONESTOP_BUNDLES_DIR')
  return dir === undefined ? defaultBundlesDir() : resolve(dir)
}
