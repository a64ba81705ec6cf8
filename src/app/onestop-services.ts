import { loadBundles } from '../cases/bundle-definitions.js'
import { CaseSerializer } from '../cases/case-serializer.js'
import { CaseStore } from '../cases/case-store.js'
import { OnestopCases } from '../cases/onestop-cases.js'
import { ReviewQueue } from '../cases/review-queue.js'
import type { AuditLog } from '../issuing/audit/audit-log.js'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import { createOffer, type CredentialOfferDeps } from '../issuing/offers/credential-offers.js'
import type { OnestopRules } from '../issuing/onestop/publish-rule.js'
import type { Logger } from '../shared/logger.js'
import type { Openid4vpVerifier } from '../verifying/openid4vp/openid4vp-verifier.js'
import type { RelyingPartyStore } from '../verifying/relying-parties/relying-party-store.js'
import type { PresentationRequestStore } from '../verifying/presentation-requests.js'
import type { DataSource } from 'typeorm'
import type { OnestopSettings } from '../config/onestop-settings.js'

/** The platform's own verifier identity: it asks the applicant's wallet for a case's prerequisites. */
export const ONESTOP_PARTY = { id: 'govcred-onestop', nameZh: '一网通办平台', nameEn: 'One-stop service platform' }

export interface OnestopServiceDeps {
  db: DataSource
  settings: OnestopSettings
  rules: OnestopRules
  departments: DepartmentStore
  audit: AuditLog
  offers: CredentialOfferDeps
  parties: RelyingPartyStore
  openid4vp: Openid4vpVerifier
  requests: Pick<PresentationRequestStore, 'get'>
  logger: Logger
}

/**
 * One-stop cases wired to the node's parts: the rules, the ordinary offer path (an automatic offer is made in
 * the rule's name; a clerk's approval in the clerk's), the platform's relying party for the OpenID4VP request,
 * and the verifier's "answered" event that runs a case's steps.
 */
export async function createOnestopServices(deps: OnestopServiceDeps): Promise<{ cases: OnestopCases; reviews: ReviewQueue }> {
  const party = (await deps.parties.get(ONESTOP_PARTY.id)) ?? (await deps.parties.create(ONESTOP_PARTY))
  const cases = new OnestopCases({
    store: new CaseStore(deps.db),
    bundles: loadBundles(deps.settings.bundlesDir),
    rules: deps.rules,
    audit: deps.audit,
    serializer: new CaseSerializer(),
    limits: { maxOpen: deps.settings.maxOpenCases, finishedTtlMs: deps.settings.caseTtlSeconds * 1000 },
    logger: deps.logger,
    departmentName: async (id) => {
      const department = await deps.departments.get(id)
      return department && { name: department.name, nameEn: department.nameEn }
    },
    offerState: async (id) => {
      const offer = await deps.offers.offers.get(id)
      return offer && { redeemed: offer.redeemedAt !== null, credentialId: offer.credentialId }
    },
    offer: async (step, claims, approvedBy) => {
      const department = await deps.departments.get(step.departmentId)
      if (!department) throw new Error(`rule ${step.ruleId} names no department of this node: ${step.departmentId}`)
      const rule = `${step.ruleId}@${step.version}`
      const principal = approvedBy ?? { department, scopes: [step.outputType], actor: `onestop:${rule}`, onestopRule: rule }
      const offer = await createOffer(deps.offers, principal, { type: step.outputType, claims })
      return {
        id: offer.id,
        offerUri: offer.offerUri,
        credentialOfferUri: offer.credentialOfferUri,
        txCode: offer.txCode,
        expiresAt: offer.expiresAt,
      }
    },
    presentations: {
      create: async (body) => {
        const created = await deps.openid4vp.create(party, body)
        return {
          id: created.id,
          requestUri: created.requestUri,
          deepLink: created.deepLink,
          expiresAt: created.expiresAt,
          verifier: { ...created.verifier },
        }
      },
      answer: async (requestId) => {
        const request = await deps.requests.get(requestId)
        return request?.answeredAt ? { id: request.id, verification: request.verification } : undefined
      },
    },
  })
  deps.openid4vp.onAnswered((request) => {
    cases.answered(request).catch((error: unknown) => {
      deps.logger.error('one-stop case: the answered presentation could not be processed', {
        request: request.id,
        error: error instanceof Error ? error.message : String(error),
      })
    })
  })
  const resumed = await cases.resume()
  if (resumed > 0) deps.logger.info(`one-stop: resumed ${resumed} case(s) interrupted by the last stop`)
  return { cases, reviews: new ReviewQueue(cases) }
}
