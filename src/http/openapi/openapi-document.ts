import { createRequire } from 'node:module'
import { issuerPaths, sharedPaths } from './openapi-paths.js'
import { componentSchemas, SCHEMA_REF_PREFIX, type SchemaObject } from './openapi-schemas.js'
import { relyingPartyPaths } from './relying-party-paths.js'
import { relyingPartySchemas } from './relying-party-schemas.js'
import { onestopRulePaths, onestopRuleSchemas } from './onestop-rule-paths.js'
import { onestopCasePaths, onestopCaseSchemas } from './onestop-case-paths.js'
import { portalPaths, portalSchemas } from './portal-paths.js'
import { addCsrfRefusals, PORTAL_SESSION_SCHEME, sessionPaths, sessionSchemas } from './session-paths.js'

export interface OpenApiOptions {
  /** Base URL of this service as the caller reached it; `/` (relative) when absent. */
  serverUrl?: string
  /** `verifier`: only what verifier-only mode serves (no department routes). */
  mode: 'full' | 'verifier'
}

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string }

const DESCRIPTION = `govcred 是城市政务服务平台的去中心化身份与可验证凭证服务：各委办局（市场监督管理局、不动产登记中心、人力资源和社会保障局）以联盟链上的 did:ethr 签发 W3C 可验证凭证（VC-JWT），银行等验证方只凭出示的凭证和链即可验证。

govcred is the decentralized-identity and verifiable-credential service of a city's government-services platform: departments issue W3C verifiable credentials (VC-JWT) from a did:ethr anchored on a consortium chain, and verifiers check a presentation with only the presentation and the chain.

错误 / Errors: every error is \`{"error":{"code","message","details?"}}\` with a stable \`ERR_\` code; each response lists the codes it can carry (also in \`x-error-codes\`). The OpenID4VCI token, nonce and credential endpoints answer refusals as the OAuth specifications do, \`{"error","error_description"}\` (\`x-oauth-error-codes\`), with govcred's stable code in \`govcred_code\`. Verification outcomes are data: \`VerificationResult\`, 200 when verified, 422 with the failing checks otherwise.

认证 / Authentication: department routes take the department's API key as \`Authorization: Bearer <key>\`; relying parties (banks) send their own key (\`govcred relying-party create\`) on the presentation-request routes, which take anonymous callers only where the node allows it, and on their own routes (\`/v1/relying-party\`); the platform operator registers relying parties with an operator key (\`govcred operator key-create\`, \`/v1/relying-parties\`); people sign in to the portal (\`POST /v1/session\`) and their session cookie stands for their department, relying party or the platform on the same routes, with \`X-CSRF-Token\` on every unsafe request; the verification routes need none otherwise.

凭证声明 / Claims: each credential type's claims are described by its published JSON Schema, referenced by \`$id\` (the files in \`schemas/\` of the repository, whose hashes are anchored on chain).`

const TAGS = [
  { name: 'service', description: '服务 / Service' },
  { name: 'network', description: '网络 / Network configuration for verifiers' },
  { name: 'issuers', description: '可信签发方 / Trusted-issuer registry' },
  { name: 'resolver', description: 'DID 解析 / Universal Resolver driver' },
  { name: 'verification', description: '验证 / Presentation requests and verification' },
  {
    name: 'relying-parties',
    description: '验证方 / Relying parties (banks): registered by the platform operator; their own view and webhook',
  },
  { name: 'credentials', description: '凭证签发与状态 / Issuance and status (departments)' },
  { name: 'vc-api', description: 'W3C VC-API issuer route' },
  { name: 'property', description: '不动产 / Property transfers and current certificates' },
  { name: 'audit', description: '审计 / Hash-chained audit trail (departments)' },
  { name: 'portal', description: "门户 / The portal's feedback box" },
  { name: 'session', description: '门户登录 / Portal sign-in: sessions of clerks, supervisors, bank officers and operators' },
  { name: 'oid4vci', description: '标准钱包 / OpenID4VCI credential issuer and credential offers for standard wallets' },
  {
    name: 'onestop',
    description: '一网通办 / One-stop service: issuance rules as data (hashes anchored on chain), applicant cases, review queue',
  },
]
const ISSUER_SIDE_TAGS = new Set(['credentials', 'vc-api', 'property', 'audit', 'oid4vci', 'portal', 'onestop'])

/**
 * The OpenAPI 3.1 description of the HTTP API the app serves in `mode`.
 *
 * @example
 * const doc = openApiDocument({ serverUrl: 'http://127.0.0.1:8080', mode: 'verifier' })
 * Object.keys(doc.paths) // => ['/healthz', '/openapi.json', '/v1/network', …] (no department routes)
 */
export function openApiDocument(
  options: OpenApiOptions,
): { openapi: string; paths: Record<string, Record<string, SchemaObject>> } & SchemaObject {
  const full = options.mode === 'full'
  const paths = addCsrfRefusals({
    ...sharedPaths(),
    ...relyingPartyPaths(),
    ...portalPaths({ feedback: full }),
    ...sessionPaths({ full }),
    ...(full ? issuerPaths() : {}),
    ...(full ? onestopRulePaths() : {}),
    ...(full ? onestopCasePaths() : {}),
  })
  return {
    openapi: '3.1.0',
    info: {
      title: 'govcred',
      version,
      summary: '政务可验证凭证服务 / Verifiable credentials for city government services',
      description: DESCRIPTION,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: options.serverUrl ?? '/', description: full ? 'govcred' : 'govcred verifier-only mode' }],
    tags: full ? TAGS : TAGS.filter((tag) => !ISSUER_SIDE_TAGS.has(tag.name)),
    paths,
    components: {
      schemas: referencedSchemas(paths, {
        ...componentSchemas(),
        ...relyingPartySchemas(),
        ...portalSchemas(),
        ...sessionSchemas(),
        ...onestopRuleSchemas(),
        ...onestopCaseSchemas(),
      }),
      securitySchemes: {
        ...(full
          ? {
              bearerAuth: { type: 'http', scheme: 'bearer', description: "The department's API key (npx govcred apikey create)" },
              onestopCaseToken: {
                type: 'http',
                scheme: 'bearer',
                description: 'A one-stop case: the access token POST /v1/onestop/cases answered once (Authorization: Bearer)',
              },
              oid4vciAccessToken: {
                type: 'http',
                scheme: 'bearer',
                description:
                  "OpenID4VCI: the access token of the department's token endpoint (Authorization: Bearer, or DPoP with a DPoP proof when the token is DPoP-bound)",
              },
            }
          : {}),
        relyingPartyAuth: {
          type: 'http',
          scheme: 'bearer',
          description: "A relying party's API key (npx govcred relying-party create): optional where anonymous requests are allowed",
        },
        operatorAuth: {
          type: 'http',
          scheme: 'bearer',
          description: "The platform operator's API key (npx govcred operator key-create): registers relying parties",
        },
        portalSession: PORTAL_SESSION_SCHEME,
      },
    },
  }
}

/** The component schemas reachable from `root`, so a mode's document carries no schema it does not use. */
function referencedSchemas(root: unknown, all: Record<string, SchemaObject>): Record<string, SchemaObject> {
  const keep = new Set<string>()
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit)
    if (!node || typeof node !== 'object') return
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_REF_PREFIX)) {
        const name = value.slice(SCHEMA_REF_PREFIX.length).split('/')[0]
        if (!keep.has(name)) {
          keep.add(name)
          visit(all[name])
        }
      } else visit(value)
    }
  }
  visit(root)
  return Object.fromEntries(Object.entries(all).filter(([name]) => keep.has(name)))
}
