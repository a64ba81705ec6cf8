import { operation, pathParam, reply, type PathItems } from './openapi-paths.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

const text = { type: 'object', required: ['zh-CN', 'en'], properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } }
const problem = { type: ['object', 'null'], properties: { code: { type: 'string' }, message: { type: 'string' } } }
const condition = {
  type: 'object',
  required: ['id', 'result', 'description'],
  properties: { id: { type: 'string' }, result: { type: 'string', enum: ['passed', 'failed'] }, description: text },
}
const department = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, nameEn: { type: 'string' } } }
const REVIEW_ID = pathParam('id', 'The review task id', '0d2ab974-b87f-45ae-9eb3-ff2112c5f9c0')

/**
 * The one-stop case routes (full mode): bundles and cases for applicants, the review queue for clerks.
 *
 * @example
 * Object.keys(onestopCasePaths()) // => ['/v1/onestop/bundles', '/v1/onestop/cases', …]
 */
export function onestopCasePaths(): PathItems {
  const decide = (operationId: string, summary: string, body: string, extra: SchemaObject = {}) =>
    operation({
      operationId,
      tag: 'onestop',
      summary,
      department: true,
      parameters: [REVIEW_ID],
      body,
      responses: { 200: reply('The decided task', 'OnestopReview') },
      writes: true,
      errors: { 400: ['ERR_INVALID_REQUEST'], 404: ['ERR_REVIEW_NOT_FOUND'], 409: ['ERR_REVIEW_DECIDED'], ...extra },
    })
  return {
    '/v1/onestop/bundles': {
      get: operation({
        operationId: 'listOnestopBundles',
        tag: 'onestop',
        summary: 'The one-stop bundles an applicant can run: steps, departments, what the wallet is asked for, the form',
        description: 'Only bundles whose every step has a published rule; each step runs its newest published version.',
        responses: { 200: reply('The bundles', 'OnestopBundleList') },
      }),
    },
    '/v1/onestop/cases': {
      post: operation({
        operationId: 'openOnestopCase',
        tag: 'onestop',
        summary: "Open a case: the form is checked, and the platform's OpenID4VP request asks the wallet for the prerequisites",
        description:
          "Answers the case with its access token (shown once; send it as Authorization: Bearer to read the case). When the wallet answers, every step whose rule passes is offered to the wallet with no clerk; a step that fails goes to its department's review queue. At most GOVCRED_ONESTOP_MAX_OPEN_CASES cases wait for a wallet at once (429 ERR_TOO_MANY_OPEN_CASES with Retry-After). A finished case is deleted GOVCRED_ONESTOP_CASE_TTL_SECONDS after its last change, an unanswered one a day after it expired, one waiting for a clerk only after the clerk decides.",
        body: 'OnestopCaseRequest',
        responses: { 201: reply('The case, its access token and the presentation request', 'OnestopCaseOpened') },
        writes: true,
        errors: {
          400: ['ERR_INVALID_REQUEST'],
          404: ['ERR_BUNDLE_NOT_FOUND'],
          422: ['ERR_FORM_INVALID'],
          429: ['ERR_TOO_MANY_OPEN_CASES'],
        },
      }),
    },
    '/v1/onestop/cases/{id}': {
      get: operation({
        operationId: 'getOnestopCase',
        tag: 'onestop',
        summary: 'The case for the holder of its access token: each step, its conditions, its offer or its review',
        caseToken: true,
        parameters: [pathParam('id', 'The case id', '0d2ab974-b87f-45ae-9eb3-ff2112c5f9c0')],
        responses: { 200: reply('The case', 'OnestopCase') },
        errors: { 401: ['ERR_AUTH_REQUIRED'], 404: ['ERR_CASE_NOT_FOUND'] },
      }),
    },
    '/v1/onestop/reviews': {
      get: operation({
        operationId: 'listOnestopReviews',
        tag: 'onestop',
        summary: "Your department's review tasks (failed one-stop steps), oldest first",
        department: true,
        parameters: [
          {
            name: 'state',
            in: 'query',
            required: false,
            description: 'open (default), approved or refused',
            schema: { type: 'string', enum: ['open', 'approved', 'refused'] },
          },
        ],
        responses: { 200: reply('The tasks', 'OnestopReviewList') },
        errors: { 400: ['ERR_INVALID_QUERY'] },
      }),
    },
    '/v1/onestop/reviews/{id}/approve': {
      post: decide(
        'approveOnestopReview',
        'Approve: the credential is offered as the rule fills it, and the next steps run',
        'OnestopReviewApproval',
      ),
    },
    '/v1/onestop/reviews/{id}/refuse': {
      post: decide('refuseOnestopReview', 'Refuse with a reason the applicant reads; the later steps are blocked', 'OnestopReviewRefusal'),
    },
  }
}

/** The component schemas of {@link onestopCasePaths}. */
export function onestopCaseSchemas(): Record<string, SchemaObject> {
  const step = {
    type: 'object',
    required: ['ruleId', 'version', 'ruleHash', 'title', 'department', 'outputType', 'state'],
    properties: {
      ruleId: { type: 'string' },
      version: { type: 'string' },
      ruleHash: { type: 'string' },
      title: text,
      department,
      outputType: { type: 'string' },
      state: { type: 'string', enum: ['waiting', 'issued', 'in-review', 'refused', 'blocked', 'failed'] },
      conditions: { type: 'array', items: condition },
      formErrors: { type: 'array', items: { type: 'object' } },
      offer: {
        type: ['object', 'null'],
        description: 'The credential offer to the wallet (deep link, QR, transaction code), and whether it was redeemed',
        properties: {
          id: { type: 'string' },
          offerUri: { type: 'string' },
          credentialOfferUri: { type: 'string' },
          qrSvg: { type: 'string' },
          txCode: { type: 'string' },
          expiresAt: { type: 'string' },
          redeemed: { type: 'boolean' },
          credentialId: { type: ['string', 'null'] },
        },
      },
      review: {
        type: ['object', 'null'],
        properties: { state: { type: 'string' }, reason: { type: ['string', 'null'] }, decidedAt: { type: ['string', 'null'] } },
      },
      error: problem,
    },
  }
  const kase = {
    type: 'object',
    required: ['id', 'bundle', 'state', 'presentation', 'steps'],
    properties: {
      id: { type: 'string' },
      bundle: { type: 'string' },
      state: { type: 'string', enum: ['awaiting-presentation', 'in-progress', 'completed', 'refused', 'failed', 'expired'] },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      expiresAt: { type: 'string' },
      presentation: {
        type: 'object',
        properties: {
          requestId: { type: 'string' },
          requestUri: { type: 'string' },
          deepLink: { type: 'string' },
          qrSvg: { type: 'string' },
          expiresAt: { type: 'string' },
          state: { type: 'string', enum: ['pending', 'answered', 'expired'] },
          error: problem,
        },
      },
      steps: { type: 'array', items: step },
    },
  }
  return {
    OnestopBundleList: {
      type: 'object',
      required: ['bundles'],
      properties: {
        bundles: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'title', 'steps', 'prerequisites', 'form'],
            properties: {
              id: { type: 'string' },
              title: text,
              description: text,
              steps: { type: 'array', items: { type: 'object' } },
              prerequisites: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, type: { type: 'string' }, claims: { type: 'array', items: { type: 'string' } } },
                },
              },
              form: { type: 'object', description: "JSON Schema of the bundle's form: the union of its steps' form fields" },
            },
          },
        },
      },
    },
    OnestopCaseRequest: {
      type: 'object',
      required: ['bundle', 'form'],
      additionalProperties: false,
      properties: { bundle: { type: 'string', description: 'A bundle id, e.g. open-a-business' }, form: { type: 'object' } },
    },
    OnestopCase: kase,
    OnestopCaseOpened: {
      ...kase,
      required: [...kase.required, 'token'],
      properties: { ...kase.properties, token: { type: 'string', description: 'The access token (shown once)' } },
    },
    OnestopReview: {
      type: 'object',
      required: ['id', 'caseId', 'state', 'step', 'conditions', 'form', 'inputs'],
      properties: {
        id: { type: 'string' },
        caseId: { type: 'string' },
        state: { type: 'string', enum: ['open', 'approved', 'refused'] },
        createdAt: { type: 'string' },
        decidedAt: { type: ['string', 'null'] },
        decidedBy: { type: ['string', 'null'] },
        reason: { type: ['string', 'null'] },
        step: { type: 'object' },
        conditions: { type: 'array', items: condition },
        formErrors: { type: 'array', items: { type: 'object' } },
        form: { type: 'object' },
        inputs: {
          type: 'array',
          items: { type: 'object' },
          description: 'The verified claims of each prerequisite (presented, or chained from an earlier step)',
        },
      },
    },
    OnestopReviewList: { type: 'object', required: ['reviews'], properties: { reviews: { type: 'array', items: ref('OnestopReview') } } },
    OnestopReviewApproval: { type: 'object', description: 'No members' },
    OnestopReviewRefusal: {
      type: 'object',
      required: ['reason'],
      properties: { reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Shown to the applicant' } },
    },
  }
}
