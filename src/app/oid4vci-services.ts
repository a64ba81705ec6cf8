import type { ServiceContext } from './service-context.js'
import type { IssuanceServices } from './issuance-services.js'
import { OfferSecrets } from '../issuing/offers/offer-secrets.js'
import { OfferStore } from '../issuing/offers/offer-store.js'
import { Oid4vciIssuerService } from '../issuing/offers/oid4vci-issuer.js'
import type { CredentialOfferDeps } from '../issuing/offers/credential-offers.js'
import type { AccountPrincipals } from '../issuing/departments/department-principal.js'

export interface Oid4vciServices {
  protocol: Oid4vciIssuerService
  offers: CredentialOfferDeps
}

/**
 * The OpenID4VCI issuer and the credential offers: its secrets are derived from the node's key-encryption
 * secret (stable across restarts, never stored), its URLs from the node's public URL. With `accounts`, an offer
 * a clerk made in the console is redeemed in the clerk's name (while the account is enabled).
 */
export function createOid4vciServices(
  ctx: Pick<ServiceContext, 'config' | 'db' | 'departments' | 'kmsSecret'>,
  issuance: Pick<IssuanceServices, 'audit' | 'keys' | 'policies' | 'issuer' | 'sdJwt' | 'publicUrl'>,
  accounts?: AccountPrincipals,
): Oid4vciServices {
  const offers = new OfferStore(ctx.db)
  const protocol = new Oid4vciIssuerService({
    db: ctx.db,
    publicUrl: issuance.publicUrl,
    settings: ctx.config.offers,
    secrets: new OfferSecrets(ctx.kmsSecret.secret),
    offers,
    departments: ctx.departments,
    keys: issuance.keys,
    audit: issuance.audit,
    policies: issuance.policies,
    sdJwt: issuance.sdJwt,
    ...(accounts ? { accounts } : {}),
  })
  return {
    protocol,
    offers: { offers, protocol, audit: issuance.audit, issuer: issuance.issuer, ttlSeconds: ctx.config.offers.ttlSeconds },
  }
}
