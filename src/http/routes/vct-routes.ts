import { Router } from 'express'
import { isCredentialTypeName } from '../../catalog/credential-types.js'
import { typeMetadata } from '../../catalog/sd-jwt/sd-jwt-types.js'
import { NotFoundError } from '../../shared/errors/app-error.js'

export const VCT_PATH = '/vct'

export interface VctRouteDeps {
  /** The node's public URL (the `vct` values are under it). */
  publicUrl: () => string
}

/**
 * GET /vct/{TypeName}: the SD-JWT VC type metadata (draft-ietf-oauth-sd-jwt-vc §6) a credential's `vct` resolves
 * to: names and claim labels in zh-CN and en, and which claims are selectively disclosable. Public, cacheable.
 * 404 ERR_UNKNOWN_TYPE for a name that is not a govcred credential type.
 */
export function vctRoutes(deps: VctRouteDeps): Router {
  const router = Router()
  router.get(`${VCT_PATH}/:type`, (req, res) => {
    const type = req.params.type
    if (!isCredentialTypeName(type)) throw new NotFoundError('ERR_UNKNOWN_TYPE', `no credential type ${type}`)
    res.set('Cache-Control', 'public, max-age=3600')
    res.set('Access-Control-Allow-Origin', '*')
    res.json(typeMetadata(deps.publicUrl(), type))
  })
  return router
}
