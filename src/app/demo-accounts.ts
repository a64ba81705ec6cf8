import { existsSync, readFileSync } from 'node:fs'
import type { AccountKind, AccountRole } from '../accounts/account-model.js'
import type { PortalAccounts } from '../accounts/portal-accounts.js'

/** A demo portal account as demo.json lists it; `password` null when this start cannot know it (see `note`). */
export interface DemoAccount {
  username: string
  displayName: string
  password: string | null
  kind: AccountKind
  orgId: string
  role: AccountRole
  note?: string
}

/**
 * The demo's portal accounts: per department a clerk `<department>-clerk` and a supervisor
 * `<department>-supervisor`, an officer `<bank>-officer` of the demo bank, and the platform operator `operator`,
 * each with a random password. Made once: at a later start an existing account keeps its password (taken from
 * the previous demo.json; never reset behind the operator's back), and one whose password the file no longer
 * holds is listed with `password: null` and how to set a new one.
 *
 * @example
 * const accounts = await demoAccounts(file, portal, [{ id: 'market-supervision', name: '市场监督管理局' }], { id: 'demo-bank', name: '南京银行' })
 */
export async function demoAccounts(
  file: string,
  portal: PortalAccounts,
  departments: { id: string; name: string }[],
  bank: { id: string; name: string },
): Promise<DemoAccount[]> {
  const wanted: Omit<DemoAccount, 'password'>[] = [
    ...departments.flatMap(({ id: orgId, name }) => [
      { username: `${orgId}-clerk`, displayName: `${name} 窗口办事员`, kind: 'department' as const, orgId, role: 'clerk' as const },
      { username: `${orgId}-supervisor`, displayName: `${name} 审核主管`, kind: 'department' as const, orgId, role: 'supervisor' as const },
    ]),
    { username: `${bank.id}-officer`, displayName: `${bank.name} 核验员`, kind: 'relying-party', orgId: bank.id, role: 'officer' },
    { username: 'operator', displayName: '平台运营员', kind: 'platform', orgId: 'platform', role: 'operator' },
  ]
  const previous = previousPasswords(file)
  return Promise.all(
    wanted.map(async (account): Promise<DemoAccount> => {
      const existing = await portal.accounts.byUsername(account.username)
      if (existing) {
        const known = previous.get(account.username)
        if (known !== undefined) return { ...account, password: known }
        return {
          ...account,
          password: null,
          note: `not in the previous demo.json: set one with "govcred account reset-password ${account.username}"`,
        }
      }
      const created = await portal.create(account)
      return { ...account, password: created.password }
    }),
  )
}

function previousPasswords(file: string): Map<string, string> {
  const passwords = new Map<string, string>()
  if (!existsSync(file)) return passwords
  try {
    for (const a of JSON.parse(readFileSync(file, 'utf8')).accounts ?? []) {
      if (typeof a?.username === 'string' && typeof a.password === 'string') passwords.set(a.username, a.password)
    }
  } catch {
    // an unreadable demo file is rewritten
  }
  return passwords
}
