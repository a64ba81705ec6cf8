import { ACCOUNT_KINDS, ROLES_OF_KIND } from '../../accounts/account-model.js'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../accounts/passwords.js'
import { CREDENTIAL_TYPE_NAMES } from '../../catalog/credential-types.js'
import { CSRF_EXEMPT_PREFIXES } from '../csrf.js'
import { SESSION_COOKIE } from '../portal-session.js'
import { operation, reply, type PathItems } from './openapi-paths.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

const UNSAFE = new Set(['post', 'put', 'patch', 'delete'])
const ROLES = [...new Set(Object.values(ROLES_OF_KIND).flat())]

/** The portal session's cookie, as an OpenAPI security scheme (`__Host-` prefixed under https). */
export const PORTAL_SESSION_SCHEME: SchemaObject = {
  type: 'apiKey',
  in: 'cookie',
  name: SESSION_COOKIE,
  description: `The portal session (POST /v1/session): HttpOnly, SameSite=Strict; named __Host-${SESSION_COOKIE} when GOVCRED_PUBLIC_URL is https. Unsafe requests with it also send X-CSRF-Token.`,
}

const retryAfter = { 'Retry-After': { description: 'Seconds until the account takes sign-ins again', schema: { type: 'string' } } }

/**
 * The portal's sign-in (both modes: a bank's verifier node has officers) and, on a full node, the console's
 * dashboard counts.
 *
 * @example
 * Object.keys(sessionPaths({ full: false })) // => ['/v1/session', '/v1/session/password']
 */
export function sessionPaths(options: { full: boolean }): PathItems {
  return {
    '/v1/session': {
      post: operation({
        operationId: 'signIn',
        tag: 'session',
        summary: 'Sign in to the portal (department console, bank verification page, operators)',
        description: `Sets the session cookie and answers the CSRF token to send as X-CSRF-Token with every unsafe request of the session. A wrong password and an unknown username answer the same 401; GOVCRED_SIGNIN_MAX_FAILURES wrong passwords in a row lock the account for GOVCRED_SIGNIN_LOCKOUT_SECONDS (429 with Retry-After, the right password refused too). A session ends after GOVCRED_SESSION_IDLE_SECONDS without a request or GOVCRED_SESSION_MAX_SECONDS after sign-in.`,
        body: 'SignInRequest',
        responses: {
          200: reply('Signed in', 'PortalSession', {
            'Set-Cookie': {
              description: `${SESSION_COOKIE}=…; HttpOnly; SameSite=Strict; Path=/ (Secure under https)`,
              schema: { type: 'string' },
            },
          }),
          429: {
            description: 'Too many requests: ERR_ACCOUNT_LOCKED, ERR_RATE_LIMITED',
            'x-error-codes': ['ERR_ACCOUNT_LOCKED', 'ERR_RATE_LIMITED'],
            headers: retryAfter,
            content: { 'application/json': { schema: ref('Error') } },
          },
        },
        writes: true,
        errors: { 400: ['ERR_INVALID_REQUEST'], 401: ['ERR_AUTH_INVALID'], 429: ['ERR_ACCOUNT_LOCKED'] },
      }),
      get: operation({
        operationId: 'getSession',
        tag: 'session',
        summary: 'The signed-in account, its CSRF token and when the session ends',
        session: true,
        responses: { 200: reply('Signed in', 'PortalSession') },
      }),
      delete: operation({
        operationId: 'signOut',
        tag: 'session',
        summary: 'Sign out (also without a session: the cookie is cleared either way)',
        responses: {
          200: { description: 'Signed out', content: { 'application/json': { schema: ref('SignedOut') } } },
        },
        writes: true,
      }),
    },
    '/v1/session/password': {
      post: operation({
        operationId: 'changeOwnPassword',
        tag: 'session',
        summary: "Change the signed-in account's own password",
        description: `The current password is checked (and a wrong one counted, as at sign-in); the new one has ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters, not the username. The account's other sessions end.`,
        session: true,
        body: 'PasswordChange',
        responses: {
          200: { description: 'Changed', content: { 'application/json': { schema: ref('PasswordChanged') } } },
        },
        writes: true,
        errors: { 400: ['ERR_INVALID_REQUEST', 'ERR_PASSWORD_WEAK'], 401: ['ERR_AUTH_INVALID'], 429: ['ERR_ACCOUNT_LOCKED'] },
      }),
    },
    ...(options.full
      ? {
          '/v1/credentials/stats': {
            get: operation({
              operationId: 'credentialStats',
              tag: 'credentials',
              summary: "The department's credentials issued, revoked and suspended per day and type (the console's dashboard)",
              description:
                'Every day of the window (today included) × every type of the department, zeros included, oldest first; within the caller\u2019s scopes. Revoked and suspended count the status bits set that day (supersessions and transfers revoke too; changes the chain refused do not count).',
              department: true,
              parameters: [
                {
                  name: 'days',
                  in: 'query',
                  required: false,
                  description: 'Days counted, 1 to 366',
                  schema: { type: 'integer', minimum: 1, maximum: 366, default: 30 },
                },
                {
                  name: 'utcOffset',
                  in: 'query',
                  required: false,
                  description: 'The local clock of the days, in minutes east of UTC (480: China Standard Time)',
                  schema: { type: 'integer', minimum: -720, maximum: 840, default: 0 },
                },
              ],
              responses: { 200: reply('The counts', 'CredentialStats') },
              errors: { 400: ['ERR_INVALID_QUERY'] },
            }),
          },
        }
      : {}),
  }
}

const account: SchemaObject = {
  type: 'object',
  required: ['id', 'kind', 'orgId', 'username', 'displayName', 'role', 'organization'],
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: [...ACCOUNT_KINDS] },
    orgId: { type: 'string', description: "The department's or relying party's id, or `platform`" },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: ROLES },
    organization: {
      oneOf: [
        { type: 'object', required: ['name', 'nameEn'], properties: { name: { type: 'string' }, nameEn: { type: 'string' } } },
        { type: 'null' },
      ],
    },
  },
}

/** The component schemas of sessionPaths. */
export function sessionSchemas(): Record<string, SchemaObject> {
  return {
    SignInRequest: {
      type: 'object',
      required: ['username', 'password'],
      additionalProperties: false,
      properties: { username: { type: 'string', minLength: 1, maxLength: 200 }, password: { type: 'string', minLength: 1 } },
    },
    PasswordChange: {
      type: 'object',
      required: ['currentPassword', 'newPassword'],
      additionalProperties: false,
      properties: {
        currentPassword: { type: 'string', minLength: 1 },
        newPassword: { type: 'string', minLength: PASSWORD_MIN_LENGTH },
      },
    },
    SignedOut: { type: 'object', required: ['signedIn'], properties: { signedIn: { const: false } } },
    PasswordChanged: { type: 'object', required: ['changed'], properties: { changed: { const: true } } },
    PortalSession: {
      type: 'object',
      required: ['account', 'csrfToken', 'expiresAt', 'idleTimeoutSeconds'],
      properties: {
        account,
        csrfToken: { type: 'string', description: 'Send as X-CSRF-Token with every POST, PUT, PATCH and DELETE of the session' },
        expiresAt: { type: 'string', format: 'date-time', description: 'The absolute end of the session' },
        idleTimeoutSeconds: { type: 'integer', description: 'The session also ends after this many seconds without a request' },
      },
    },
    CredentialStats: {
      type: 'object',
      required: ['days'],
      properties: {
        days: {
          type: 'array',
          items: {
            type: 'object',
            required: ['date', 'type', 'issued', 'revoked', 'suspended'],
            properties: {
              date: { type: 'string', format: 'date' },
              type: { type: 'string', enum: [...CREDENTIAL_TYPE_NAMES, 'VerifiableCredential'] },
              issued: { type: 'integer', minimum: 0 },
              revoked: { type: 'integer', minimum: 0 },
              suspended: { type: 'integer', minimum: 0 },
            },
          },
        },
      },
    },
  }
}

/**
 * Adds 403 ERR_CSRF to every unsafe operation the CSRF check covers (src/http/csrf.ts): with the portal
 * session cookie, an unsafe request needs the session's X-CSRF-Token and a same-origin Origin.
 */
export function addCsrfRefusals(paths: PathItems): PathItems {
  for (const [path, item] of Object.entries(paths)) {
    if (CSRF_EXEMPT_PREFIXES.some((prefix) => path.startsWith(prefix))) continue
    for (const [method, op] of Object.entries(item)) {
      if (!UNSAFE.has(method)) continue
      const responses = op.responses as Record<string, SchemaObject>
      const existing = responses['403']
      const codes = [...new Set([...((existing?.['x-error-codes'] as string[] | undefined) ?? []), 'ERR_CSRF'])]
      responses['403'] = {
        ...(existing ?? { content: { 'application/json': { schema: ref('Error') } } }),
        description: `Forbidden: ${codes.join(', ')}`,
        'x-error-codes': codes,
      }
    }
  }
  return paths
}
