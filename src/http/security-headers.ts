import type { RequestHandler } from 'express'
import helmet from 'helmet'

/**
 * Headers on every answer of the API. Answers carry credentials, presentations, verification results and
 * audit entries, so none may be kept by a browser or a shared cache (`Cache-Control: no-store`); the API
 * serves JSON only, so its Content-Security-Policy allows nothing to load, run or frame it. helmet adds
 * `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and the cross-origin policies.
 * TLS, and with it `Strict-Transport-Security`, is the gateway's in front of this service: it speaks plain
 * HTTP on loopback by default.
 *
 * @example
 * app.use(securityHeaders())
 */
export function securityHeaders(): RequestHandler[] {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'none'"],
        'frame-ancestors': ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: false,
  })
  const noStore: RequestHandler = (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store')
    next()
  }
  return [headers as RequestHandler, noStore]
}
