#!/usr/bin/env node
// Builds the portal (portal/: Vue 3 + Element Plus, with Vite) into dist/portal, which the express app serves at /.
//
//   node scripts/build-portal.mjs             always build
//   node scripts/build-portal.mjs --if-stale  skip when dist/portal was built from the same sources
//
// "The same sources": a SHA-256 over every file under portal/, package-lock.json and this script, kept in
// dist/portal/.build-stamp.json. The build goes to a temporary directory that replaces dist/portal at once, so a
// running service never serves half a build; builds started at the same time (test files, say) wait for the
// first one (a lock directory, dist/.portal-build.lock) and then find it current.
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const root = fileURLToPath(new URL('..', import.meta.url))
const portalDir = join(root, 'portal')
const distDir = join(root, 'dist')
const outDir = join(distDir, 'portal')
const stampFile = join(outDir, '.build-stamp.json')
const lockDir = join(distDir, '.portal-build.lock')
const scriptPath = fileURLToPath(import.meta.url)
const LOCK_WAIT_MS = 10 * 60_000
const LOCK_POLL_MS = 200

const started = performance.now()
const ifStale = process.argv.includes('--if-stale')

try {
  const sources = sourceFiles(portalDir)
  const hash = sourceHash(sources)
  if (ifStale && isCurrent(hash)) {
    console.log(`portal: up to date (${sources.length} sources), checked in ${elapsed()}`)
    process.exit(0)
  }
  const waited = await acquireLock()
  try {
    // Another process may have built these very sources while this one waited.
    if (waited && ifStale && isCurrent(hash)) {
      console.log(`portal: up to date (${sources.length} sources, built by another process meanwhile), checked in ${elapsed()}`)
    } else {
      const sizes = await buildInto(hash)
      console.log(
        `portal: built ${sources.length} sources into ${relative(root, outDir)} (${sizes.files} files; JS ${kb(sizes.js)}, CSS ${kb(sizes.css)}; gzip ${kb(sizes.gzip)}; largest chunk ${sizes.largestName} ${kb(sizes.largest)}) in ${elapsed()}`,
      )
    }
  } finally {
    rmSync(lockDir, { recursive: true, force: true })
  }
} catch (error) {
  console.error(error?.stack ?? String(error))
  console.error(`portal: build failed after ${elapsed()}`)
  process.exit(1)
}

/** Every file under portal/ (its own node_modules or build output excluded), sorted. */
function sourceFiles(dir) {
  const files = []
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue
      const path = join(current, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) files.push(path)
    }
  }
  walk(dir)
  return files.sort()
}

function sourceHash(sources) {
  const hash = createHash('sha256')
  for (const file of [...sources, join(root, 'package-lock.json'), scriptPath]) {
    if (!existsSync(file)) continue
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

function isCurrent(hash) {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).sources === hash && existsSync(join(outDir, 'index.html'))
  } catch {
    return false
  }
}

/** Takes the build lock; resolves true when it had to wait for another build first. */
async function acquireLock() {
  mkdirSync(distDir, { recursive: true })
  const deadline = Date.now() + LOCK_WAIT_MS
  let waited = false
  for (;;) {
    try {
      mkdirSync(lockDir)
      writeFileSync(join(lockDir, 'pid'), String(process.pid))
      return waited
    } catch (error) {
      if (error.code !== 'EEXIST') throw error
    }
    if (!lockHolderAlive()) {
      rmSync(lockDir, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline)
      throw new Error(`another portal build holds ${relative(root, lockDir)} for too long; remove it if no build runs`)
    waited = true
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS))
  }
}

function lockHolderAlive() {
  let pid
  try {
    pid = Number(readFileSync(join(lockDir, 'pid'), 'utf8'))
  } catch {
    // The holder has made the directory but not yet written its pid: alive, unless the directory is old.
    return Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 10_000
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error.code === 'EPERM'
  }
}

/** Runs vite build into a temporary directory, stamps it, and puts it in place of dist/portal. */
async function buildInto(hash) {
  const { build } = await import('vite')
  const temporary = join(distDir, `.portal-${process.pid}`)
  const previous = join(distDir, `.portal-old-${process.pid}`)
  rmSync(temporary, { recursive: true, force: true })
  try {
    await build({
      root: portalDir,
      configFile: join(portalDir, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: temporary, emptyOutDir: true },
    })
    writeFileSync(
      join(temporary, '.build-stamp.json'),
      `${JSON.stringify({ sources: hash, builtAt: new Date().toISOString() }, null, 2)}\n`,
    )
    const sizes = measure(temporary)
    if (existsSync(outDir)) renameSync(outDir, previous)
    renameSync(temporary, outDir)
    rmSync(previous, { recursive: true, force: true })
    return sizes
  } finally {
    rmSync(temporary, { recursive: true, force: true })
  }
}

function measure(dir) {
  const sizes = { files: 0, js: 0, css: 0, gzip: 0, largest: 0, largestName: '' }
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (!entry.name.startsWith('.')) {
        const bytes = readFileSync(path)
        sizes.files++
        if (entry.name.endsWith('.js')) sizes.js += bytes.length
        if (entry.name.endsWith('.css')) sizes.css += bytes.length
        if (/\.(js|css|html|svg)$/.test(entry.name)) sizes.gzip += gzipSync(bytes).length
        if (entry.name.endsWith('.js') && bytes.length > sizes.largest) {
          sizes.largest = bytes.length
          sizes.largestName = entry.name
        }
      }
    }
  }
  walk(dir)
  return sizes
}

function kb(bytes) {
  return `${Math.round(bytes / 1024)} kB`
}

function elapsed() {
  const ms = performance.now() - started
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`
}
