import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CliError } from './governance-commands.js'

interface ListedAccount {
  username: string
  displayName?: string
  password: string | null
  kind: string
  role: string
  note?: string
}

/** Where each kind of account signs in, and what the role is called in the portal. */
const PAGES: Record<string, string> = { department: '/console', 'relying-party': '/verify', platform: '/admin' }
const ROLES: Record<string, string> = {
  clerk: '窗口办事员 clerk',
  supervisor: '审核主管 supervisor',
  officer: '核验员 bank officer',
  operator: '运营员 operator',
}

/**
 * `govcred demo accounts`: the demo's portal accounts from DATA_DIR/demo.json, as a table a person can use at
 * once: who each account is, where it signs in and its password (the demo file is the owner's alone, 0600).
 *
 * @example
 * demoAccountsText('./data', 'http://127.0.0.1:8080') // 'username  role  …\nmarket-supervision-clerk  窗口办事员 clerk  …'
 */
export function demoAccountsText(dataDir: string, publicUrl: string): string {
  const file = join(dataDir, 'demo.json')
  if (!existsSync(file)) throw new CliError(`no demo file at ${file}: start the service once with "npm start" (the demo writes it)`)
  let accounts: ListedAccount[]
  try {
    accounts = (JSON.parse(readFileSync(file, 'utf8')) as { accounts?: ListedAccount[] }).accounts ?? []
  } catch {
    throw new CliError(`${file} is not readable JSON: stop the service and start it again to rewrite it`)
  }
  if (accounts.length === 0) throw new CliError(`${file} lists no portal accounts: start the service once with "npm start"`)
  const base = publicUrl.replace(/\/+$/, '')
  const rows = accounts.map((a) => [
    a.username,
    ROLES[a.role] ?? a.role,
    a.displayName ?? '',
    `${base}${PAGES[a.kind] ?? '/'}`,
    a.password ?? `(${a.note ?? 'unknown: govcred account reset-password ' + a.username})`,
  ])
  const header = ['账号 username', '角色 role', '名称 name', '登录 sign in at', '密码 password']
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
      .join('  ')
      .trimEnd()
  return [
    line(header),
    ...rows.map(line),
    '',
    `演示账号，仅供本机试用 · demo accounts for trying the portal on this machine (${file})`,
  ].join('\n')
}

/** Columns on a terminal: CJK characters take two. */
function width(text: string): number {
  let columns = 0
  for (const ch of text)
    columns += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1
  return columns
}
