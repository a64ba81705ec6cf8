// The portal's HTTP side (issue 13): pages get their own Content-Security-Policy and are never cached, the
// content-hashed assets are immutable, only the portal's paths fall back to index.html (the API keeps its JSON
// 404 and its strict policy), a verifier-only node serves only its pages, and a node whose portal was never built
// says how to build it. A fixture directory stands in for dist/portal, so this file needs no build.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { healthProbes } from '../../src/app/health-probes.js'
import { createApp } from '../../src/http/create-app.js'
import { PORTAL_CSP, PORTAL_PAGES } from '../../src/http/routes/portal-routes.js'
import { silentLogger } from '../../src/shared/logger.js'
import { startTestService, type TestService } from '../helpers/service.js'

const INDEX = `<!doctype html><html lang="zh-CN"><head><meta name="govcred-mode" content="full" /><title>fixture</title></head><body><div id="app"></div><script type="module" src="/assets/index-AbC123.js"></script></body></html>`
const SCRIPT = 'console.log("portal fixture")\n'

let fixture: string
let portalDir: string
let service: TestService
const servers: Server[] = []

function fixturePortal(root: string): string {
  const dir = join(root, 'portal')
  mkdirSync(join(dir, 'assets'), { recursive: true })
  writeFileSync(join(dir, 'index.html'), INDEX)
  writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT)
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  writeFileSync(join(dir, '.build-stamp.json'), '{"sources":"fixture"}')
  // Beside the portal, never to be served through it.
  writeFileSync(join(root, 'secret.txt'), 'not for the web')
  return dir
}

/** A second app on the same context (chain, database) with another mode or portal directory, on a loopback port. */
async function serveApp(options: { mode: 'full' | 'verifier'; dir: string }): Promise<string> {
  const { ctx } = service
  const app = createApp({
    mode: options.mode,
    deployments: ctx.deployments,
    publicRpcUrl: ctx.rpcUrl,
    logger: silentLogger,
    health: healthProbes(ctx.provider, ctx.db),
    trustRegistry: ctx.agent,
    portal: { dir: options.dir },
  })
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  servers.push(server)
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const get = (base: string, path: string, method = 'GET') => fetch(`${base}${path}`, { method, redirect: 'manual' })
const directives = (csp: string | null) =>
  Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  )
/** The concrete paths of the page patterns (`/console/*rest` → `/console/a/b`). */
const concrete = (pattern: string) => pattern.replace('*rest', 'issue/new')

beforeAll(async () => {
  fixture = mkdtempSync(join(tmpdir(), 'govcred-portal-'))
  portalDir = fixturePortal(fixture)
  service = await startTestService({ env: { GOVCRED_PORTAL_DIR: portalDir } })
})
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  await service?.dispose()
  rmSync(fixture, { recursive: true, force: true })
})

describe('portal pages (full node)', () => {
  it('answer index.html for every page path, GET and HEAD, with the portal CSP and no caching', async () => {
    const paths = [
      ...PORTAL_PAGES.full.map(concrete),
      '/console/',
      '/wallet/receive?offer=openid-credential-offer%3A%2F%2Fx',
      '/verify/r/1',
    ]
    for (const path of paths) {
      const res = await get(service.url, path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/)
      expect(await res.text(), path).toBe(INDEX)
      expect(res.headers.get('cache-control'), path).toBe('no-store')
      expect(res.headers.get('content-security-policy'), path).toBe(PORTAL_CSP)
      const head = await get(service.url, path, 'HEAD')
      expect(head.status, `HEAD ${path}`).toBe(200)
    }
  })

  it('lets pages run only scripts of this origin, inline styles (Element Plus), and never be framed', async () => {
    const res = await get(service.url, '/guide')
    const csp = directives(res.headers.get('content-security-policy'))
    expect(csp['default-src']).toEqual(["'self'"])
    expect(csp['script-src']).toEqual(["'self'"])
    expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"])
    expect(csp['img-src']).toEqual(["'self'", 'data:', 'blob:'])
    expect(csp['connect-src']).toEqual(["'self'"])
    expect(csp['frame-ancestors']).toEqual(["'none'"])
    expect(csp['base-uri']).toEqual(["'none'"])
    expect(csp['form-action']).toEqual(["'self'"])
    expect(JSON.stringify(csp)).not.toMatch(/unsafe-eval|\*/)
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('keeps the API strict: JSON routes allow nothing to load, are never cached, and unknown ones stay JSON 404', async () => {
    const network = await get(service.url, '/v1/network')
    expect(network.status).toBe(200)
    expect(directives(network.headers.get('content-security-policy'))['default-src']).toEqual(["'none'"])
    expect(network.headers.get('cache-control')).toBe('no-store')
    for (const path of ['/v1/nope', '/oid4vci/nope', '/oid4vp/nope', '/.well-known/nope', '/vct', '/status-lists', '/healthzz']) {
      const res = await get(service.url, path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type'), path).toMatch(/^application\/json/)
      expect((await res.json()).error.code, path).toBe('ERR_NOT_FOUND')
      expect(directives(res.headers.get('content-security-policy'))['default-src'], path).toEqual(["'none'"])
    }
  })

  it('falls back to index.html for the listed paths only (no other path, no other method)', async () => {
    for (const path of [
      '/departments/x',
      '/schemas/x',
      '/guide/x',
      '/consoles',
      '/wallets',
      '/verifyx',
      '/index.html',
      '/assets',
      '/.build-stamp.json',
    ]) {
      const res = await get(service.url, path)
      expect(res.status, path).toBe(404)
      expect((await res.json()).error.code, path).toBe('ERR_NOT_FOUND')
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(`${service.url}/console`, { method })
      expect(res.status, method).toBe(404)
      expect((await res.json()).error.code, method).toBe('ERR_NOT_FOUND')
    }
  })

  it('serves the content-hashed assets as immutable for a year; a missing one is a JSON 404', async () => {
    const res = await get(service.url, '/assets/index-AbC123.js')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/javascript/)
    expect(await res.text()).toBe(SCRIPT)
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    const missing = await get(service.url, '/assets/index-Nope.js')
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.code).toBe('ERR_NOT_FOUND')
  })

  it('serves the icon beside index.html, revalidated on each use', async () => {
    const res = await get(service.url, '/favicon.svg')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
    expect(res.headers.get('cache-control')).toBe('public, max-age=0')
  })

  it('serves nothing outside the portal directory', async () => {
    for (const path of [
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/../../secret.txt',
    ]) {
      const res = await get(service.url, path)
      expect(res.status, path).toBeGreaterThanOrEqual(400)
      expect(res.status, path).toBeLessThan(500)
      expect(await res.text(), path).not.toContain('not for the web')
    }
  })

  it('states the mode it serves in index.html', async () => {
    const html = await (await get(service.url, '/')).text()
    expect(html).toContain('<meta name="govcred-mode" content="full"')
  })
})

describe('portal pages (verifier-only node)', () => {
  it('serves /, the public pages and /verify, saying so in index.html; the console and the wallet are not there', async () => {
    const base = await serveApp({ mode: 'verifier', dir: portalDir })
    for (const path of ['/', '/departments', '/schemas', '/guide', '/verify', '/verify/loan-check']) {
      const res = await get(base, path)
      expect(res.status, path).toBe(200)
      expect(await res.text(), path).toContain('<meta name="govcred-mode" content="verifier"')
      expect(res.headers.get('content-security-policy'), path).toBe(PORTAL_CSP)
    }
    for (const path of ['/console', '/console/issue', '/wallet', '/wallet/receive']) {
      const res = await get(base, path)
      expect(res.status, path).toBe(404)
      expect((await res.json()).error.code, path).toBe('ERR_NOT_FOUND')
    }
  })
})

describe('a portal that was never built', () => {
  it('answers its pages with a short page in Chinese and English saying how to build it (503, not a 500); the API is unaffected', async () => {
    const dir = join(fixture, 'never-built')
    const base = await serveApp({ mode: 'full', dir })
    for (const path of ['/', '/wallet/receive', '/console']) {
      const res = await get(base, path)
      expect(res.status, path).toBe(503)
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/)
      expect(res.headers.get('content-security-policy'), path).toBe(PORTAL_CSP)
      const html = await res.text()
      expect(html).toContain('门户尚未构建')
      expect(html).toContain('Portal not built')
      expect(html).toContain('npm run build')
      expect(html).not.toMatch(/Error:|at .*\.ts:\d+/)
    }
    expect((await get(base, '/v1/network')).status).toBe(200)
    expect((await get(base, '/assets/index-AbC123.js')).status).toBe(404)

    // Built while the service runs: picked up at the next request, without a restart.
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'index.html'), INDEX.replace('fixture', 'built later'))
    const res = await get(base, '/')
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('built later')
  })
})
