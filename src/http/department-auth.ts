import type { Request, RequestHandler } from 'express'
import type { AccountStore } from '../accounts/account-store.js'
import type { ApiKeyStore } from '../issuing/departments/api-keys/api-key-store.js'
import type { DepartmentStore } from '../issuing/departments/department-store.js'
import { ForbiddenError, UnauthorizedError } from '../shared/errors/app-error.js'
import {
  accountPrincipal,
  type AccountPrincipals,
  type DepartmentPrincipal,
  type DepartmentRole,
} from '../issuing/departments/department-principal.js'
import { authenticatingSession } from './portal-session.js'

const PRINCIPAL = Symbol('govcred.principal')

const KIND_NAMES = { 'relying-party': "a relying party officer's", platform: "a platform operator's" } as const

/**
 * The department behind a request: `Authorization: Bearer <key>` (the department's API key, as its own systems
 * call), or else the session of one of its portal accounts (a clerk or a supervisor signed in to the console;
 * the audit trail then names `clerk:<username>`, and the role limits what it may do). 401 ERR_AUTH_REQUIRED
 * with neither, ERR_AUTH_INVALID for a wrong key, ERR_SESSION_EXPIRED for a session that ended; 403
 * ERR_ROLE_FORBIDDEN for a session of another kind (a bank officer's), ERR_CSRF for an unsafe request of a
 * session without its token.
 */
export function requireDepartment(keys: ApiKeyStore, departments: DepartmentStore): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization
    ;(req as Request & { [PRINCIPAL]?: DepartmentPrincipal })[PRINCIPAL] =
      header === undefined ? await sessionPrincipal(req, departments) : await keyPrincipal(header, keys, departments)
    next()
  }
}

async function keyPrincipal(header: string, keys: ApiKeyStore, departments: DepartmentStore): Promise<DepartmentPrincipal> {
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the Authorization header must be "Bearer <key>"')
  const record = await keys.authenticate(match[1]!)
  if (!record) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the API key is unknown or revoked')
  const department = await departments.get(record.departmentId)
  if (!department) throw new UnauthorizedError('ERR_AUTH_INVALID', 'the API key belongs to no department')
  return { department, apiKeyId: record.id, scopes: record.scopes, actor: `api-key:${record.id}` }
}

async function sessionPrincipal(req: Request, departments: DepartmentStore): Promise<DepartmentPrincipal> {
  const active = await authenticatingSession(req)
  if (!active) {
    throw new UnauthorizedError(
      'ERR_AUTH_REQUIRED',
      'send the department API key as "Authorization: Bearer <key>", or sign in to the department console (POST /v1/session)',
    )
  }
  const { account } = active
  if (account.kind !== 'department') {
    throw new ForbiddenError('ERR_ROLE_FORBIDDEN', `this is ${KIND_NAMES[account.kind]} session, not a department's`)
  }
  const department = await departments.get(account.orgId)
  if (!department) throw new UnauthorizedError('ERR_AUTH_INVALID', `the account's department ${account.orgId} is not on this node`)
  return accountPrincipal(department, { id: account.id, username: account.username, role: account.role as DepartmentRole })
}

/** The authenticated department of a request that passed requireDepartment. */
export function principalOf(req: Request): DepartmentPrincipal {
  const principal = (req as Request & { [PRINCIPAL]?: DepartmentPrincipal })[PRINCIPAL]
  if (!principal) throw new UnauthorizedError('ERR_AUTH_REQUIRED', 'authentication required')
  return principal
}

/**
 * The portal accounts as the issuing side asks for them (an offer a clerk made is redeemed in the clerk's
 * name): the principal of an enabled department account of `department`, else undefined.
 *
 * @example
 * new Oid4vciIssuerService({ …, accounts: departmentAccountPrincipals(portal.accounts) })
 */
export function departmentAccountPrincipals(accounts: Pick<AccountStore, 'get'>): AccountPrincipals {
  return {
    async principalOf(department, accountId) {
      const account = await accounts.get(accountId)
      if (!account || account.disabledAt !== null || account.kind !== 'department' || account.orgId !== department.id) return undefined
      return accountPrincipal(department, { id: account.id, username: account.username, role: account.role as DepartmentRole })
    },
  }
}
