import { operation, pathParam, reply, type PathItems } from './openapi-paths.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

const RULE_PARAMS = [pathParam('id', 'The rule id (a slug)', 'open-a-business'), pathParam('version', 'The rule version (semver)', '1.0.0')]
const hash = { type: 'string', pattern: '^0x[0-9a-f]{64}$' }
const CHAIN = { 503: ['ERR_CHAIN_UNAVAILABLE' as const] }
const text = { type: 'object', required: ['zh-CN', 'en'], properties: { 'zh-CN': { type: 'string' }, en: { type: 'string' } } }

/**
 * The one-stop rule routes (full mode): department rule management and the public list of published rules.
 *
 * @example
 * Object.keys(onestopRulePaths()) // => ['/v1/onestop/rules', '/v1/onestop/rules/{id}/{version}', …]
 */
export function onestopRulePaths(): PathItems {
  const manage = (operationId: string, summary: string, description: string, ok: string) =>
    operation({
      operationId,
      tag: 'onestop',
      summary,
      description,
      department: true,
      parameters: RULE_PARAMS,
      body: 'OnestopRuleAction',
      bodyOptional: true,
      responses: { 200: reply(ok, 'OnestopRule') },
      writes: true,
      errors: {
        403: ['ERR_SCOPE'],
        404: ['ERR_RULE_NOT_FOUND'],
        409: ['ERR_RULE_STATE', 'ERR_RULE_TAMPERED'],
        422: ['ERR_RULE_INVALID'],
        503: ['ERR_CHAIN_UNAVAILABLE'],
      },
    })
  return {
    '/v1/onestop/rules': {
      post: operation({
        operationId: 'createOnestopRule',
        tag: 'onestop',
        summary: 'Create (or replace) a draft one-stop rule of your department',
        description:
          'The rule is validated in full (types, claims, every var path, whitelisted JSON Logic operations, depth and size, output claims against the output type, the department issuing the output type, the form schema); every problem is named with a JSON pointer in error.details.problems. An API key or a supervisor session; a clerk may not.',
        department: true,
        body: 'OnestopRuleDocument',
        responses: { 201: reply('Stored as a draft', 'OnestopRule') },
        writes: true,
        errors: { 403: ['ERR_SCOPE'], 409: ['ERR_RULE_STATE'], 422: ['ERR_RULE_INVALID'] },
      }),
      get: operation({
        operationId: 'listOnestopRules',
        tag: 'onestop',
        summary: 'The published one-stop rules, with their hash and where it is anchored',
        responses: { 200: reply('Published rules', 'OnestopRuleList') },
      }),
    },
    '/v1/onestop/rules/{id}/{version}': {
      get: operation({
        operationId: 'getOnestopRule',
        tag: 'onestop',
        summary: 'One published or retired rule version (drafts are private)',
        parameters: RULE_PARAMS,
        responses: { 200: reply('The rule', 'OnestopRule') },
        errors: { 404: ['ERR_RULE_NOT_FOUND'] },
      }),
    },
    '/v1/onestop/rules/{id}/{version}/test': {
      post: operation({
        operationId: 'testOnestopRule',
        tag: 'onestop',
        summary: 'Evaluate a draft or published rule on sample inputs, issuing nothing',
        description:
          "A published rule's canonical hash is first compared with the one anchored on chain (409 ERR_RULE_TAMPERED when it differs); a retired rule is refused (409 ERR_RULE_STATE).",
        department: true,
        parameters: RULE_PARAMS,
        body: 'OnestopRuleInputs',
        responses: { 200: reply('The decision, condition by condition', 'OnestopRuleEvaluation') },
        errors: {
          400: ['ERR_INVALID_REQUEST'],
          404: ['ERR_RULE_NOT_FOUND'],
          409: ['ERR_RULE_STATE', 'ERR_RULE_TAMPERED'],
          422: ['ERR_RULE_INVALID'],
          ...CHAIN,
        },
      }),
    },
    '/v1/onestop/rules/{id}/{version}/publish': {
      post: manage(
        'publishOnestopRule',
        'Publish a draft: validate again, anchor its canonical hash on chain, mark it published',
        'The SHA-256 of the RFC 8785 (JCS) form of the document is written to the AnchorRegistry from the department account under keccak256("govcred.onestop.rule:" + id + "@" + version). A published version never changes.',
        'Published and anchored',
      ),
    },
    '/v1/onestop/rules/{id}/{version}/retire': {
      post: manage(
        'retireOnestopRule',
        'Retire a published rule: clear its anchor (zero) and stop evaluating it',
        'It is no longer listed and no longer evaluated; its record stays readable.',
        'Retired',
      ),
    },
  }
}

/** The component schemas of {@link onestopRulePaths}. */
export function onestopRuleSchemas(): Record<string, SchemaObject> {
  return {
    OnestopRuleDocument: {
      type: 'object',
      description:
        'A one-stop rule: {id, version, department, title {zh-CN, en}, output {type}, prerequisites [{id, type, claims}], form (JSON Schema), conditions [{id, description, rule (JSON Logic)}], outputClaims {claim: JSON Logic}}',
    },
    OnestopRuleAction: { type: 'object', description: 'No members; the rule is named by the path' },
    OnestopRuleInputs: {
      type: 'object',
      description: 'Sample inputs: {"credentials": {<prerequisite id>: {claims}}, "form": {fields}}',
    },
    OnestopRule: {
      type: 'object',
      required: ['id', 'version', 'department', 'state', 'hash', 'anchor', 'publishedAt', 'retiredAt', 'document'],
      properties: {
        id: { type: 'string' },
        version: { type: 'string' },
        department: { type: 'string' },
        state: { type: 'string', enum: ['draft', 'published', 'retired'] },
        hash: { ...hash, description: 'SHA-256 of the RFC 8785 (JCS) form of the document' },
        anchor: {
          type: 'object',
          required: ['registry', 'account', 'key', 'txHash'],
          properties: {
            registry: { type: 'string', description: 'AnchorRegistry address' },
            account: { type: 'string', description: 'The department account that anchors it' },
            key: { ...hash, description: 'keccak256("govcred.onestop.rule:" + id + "@" + version)' },
            txHash: { type: ['string', 'null'] },
          },
        },
        publishedAt: { type: ['string', 'null'] },
        retiredAt: { type: ['string', 'null'] },
        document: ref('OnestopRuleDocument'),
      },
    },
    OnestopRuleList: { type: 'object', required: ['rules'], properties: { rules: { type: 'array', items: ref('OnestopRule') } } },
    OnestopRuleEvaluation: {
      type: 'object',
      required: ['outcome', 'conditions', 'formErrors', 'outputClaims', 'outputErrors', 'ruleHash'],
      properties: {
        outcome: { type: 'string', enum: ['eligible', 'not-eligible', 'form-invalid', 'output-invalid'] },
        conditions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'result', 'description'],
            properties: { id: { type: 'string' }, result: { type: 'string', enum: ['passed', 'failed'] }, description: text },
          },
        },
        formErrors: {
          type: 'array',
          items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
        },
        outputClaims: { type: ['object', 'null'] },
        outputErrors: { type: 'array', items: { type: 'object' } },
        ruleHash: hash,
      },
    },
  }
}
