import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import express, { Router, type RequestHandler } from 'express'

export interface PortalRouteDeps {
  /** The built portal (`scripts/build-portal.mjs` writes it): index.html, assets/ and a few files beside them. */
  dir: string
  /** `verifier`: only `/`, the public pages and `/verify` (no department console, no wallet, no operator page on a bank's node). */
  mode: 'full' | 'verifier'
}

/**
 * The Content-Security-Policy of portal pages. Scripts and connections only from this origin; inline styles are
 * allowed because Element Plus positions popovers and dialogs with `style` attributes; images also from `data:`
 * and `blob:` (QR codes, camera frames). The JSON API keeps its own policy, which allows nothing at all.
 */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ')

/** The browser routes of the single-page app, per mode: each answers index.html (the SPA's router takes over). */
export const PORTAL_PAGES = {
  full: [
    '/',
    '/departments',
    '/schemas',
    '/guide',
    '/onestop',
    '/console',
    '/console/*rest',
    '/wallet',
    '/wallet/*rest',
    '/verify',
    '/verify/*rest',
    '/admin',
    '/admin/*rest',
  ],
  verifier: ['/', '/departments', '/schemas', '/guide', '/verify', '/verify/*rest'],
} as const

/** index.html declares the mode it was built for; the server states the mode it serves. */
const MODE_META = /<meta name="govcred-mode" content="[a-z]*"/

/**
 * Serves the built portal: `/assets/*` (content-hashed file names) cached for a year as immutable; index.html for
 * each page of {@link PORTAL_PAGES} with `Cache-Control: no-store` and {@link PORTAL_CSP}; the few files at the
 * top of the build (the icon) revalidated on each use. Everything else, `/v1/*`, `/oid4vci/*` and the other API
 * routes included, is not the portal's and keeps its JSON 404. When the portal was never built, the pages answer
 * a short page in Chinese and English saying how to build it (503), never a 500.
 *
 * @example
 * app.use(portalRoutes({ dir: config.portalDir, mode: 'full' }))
 */
export function portalRoutes(deps: PortalRouteDeps): Router {
  const router = Router()
  const index = indexPage(join(deps.dir, 'index.html'), deps.mode)
  const assets = express.static(join(deps.dir, 'assets'), { immutable: true, maxAge: '365d', index: false, redirect: false })
  router.use('/assets', dropApiCaching, assets)
  router.get([...PORTAL_PAGES[deps.mode]], async (_req, res) => {
    const html = await index()
    res.setHeader('Content-Security-Policy', PORTAL_CSP)
    if (html === undefined) return void res.status(503).type('html').send(NOT_BUILT_PAGE)
    res.type('html').send(html)
  })
  const topFiles = express.static(deps.dir, { index: false, redirect: false, maxAge: 0, dotfiles: 'ignore' })
  router.get(/^\/[A-Za-z0-9_-]+\.(svg|png|ico|txt|webmanifest)$/, dropApiCaching, topFiles)
  return router
}

/** The API's `no-store` stays on pages and answers; static files of the build may be cached (serve-static decides how). */
const dropApiCaching: RequestHandler = (_req, res, next) => {
  res.removeHeader('Cache-Control')
  next()
}

/**
 * index.html with the served mode, read again only when the file changes (a rebuild while the service runs is
 * picked up); undefined while it does not exist.
 */
function indexPage(file: string, mode: PortalRouteDeps['mode']): () => Promise<string | undefined> {
  let cached: { key: string; html: string } | undefined
  return async () => {
    const info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return undefined
    const key = `${info.mtimeMs}:${info.size}`
    if (cached?.key !== key) {
      const html = await readFile(file, 'utf8').catch(() => undefined)
      if (html === undefined) return undefined
      cached = { key, html: html.replace(MODE_META, `<meta name="govcred-mode" content="${mode}"`) }
    }
    return cached.html
  }
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>门户尚未构建 / Portal not built</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#1f2329}code{background:#f2f3f5;padding:0 .3em}</style>
</head>
<body>
<h1>门户尚未构建</h1>
<p>本服务的接口（<code>/v1/…</code>）正常运行，但网页门户还没有构建。请在项目目录运行 <code>npm run build</code>（或 <code>node scripts/build-portal.mjs</code>），然后刷新本页；<code>npm start</code> 会在需要时自动构建。</p>
<h1 lang="en">Portal not built</h1>
<p lang="en">The service's API (<code>/v1/…</code>) is running, but the web portal has not been built. Run <code>npm run build</code> (or <code>node scripts/build-portal.mjs</code>) in the project directory, then reload this page; <code>npm start</code> builds it when needed.</p>
</body>
</html>
`

/** For tests and the start-up log: whether `dir` holds a built portal. */
export async function portalBuilt(dir: string): Promise<boolean> {
  return (await stat(join(dir, 'index.html')).catch(() => undefined))?.isFile() ?? false
}
