/**
 * Prints what an example does in plain words, Chinese first and English under it, for readers who
 * know nothing of blockchains.
 *
 * @example
 * const say = new Narrator(console.log)
 * say.step('签发营业执照', 'Issue the business licence')
 * say.fact('凭证编号', 'Credential id', issued.id)
 */
import type { CredentialState, OnChainStatus } from './client.js'

export type LogLine = (line: string) => void

const INDENT = '     '

export class Narrator {
  private steps = 0

  constructor(private readonly out: LogLine = (line) => console.log(line)) {}

  line(text = ''): void {
    this.out(text)
  }

  title(zh: string, en: string): void {
    const rule = '═'.repeat(Math.max(displayWidth(zh), displayWidth(en)) + 4)
    this.out('')
    this.out(rule)
    this.out(`  ${zh}`)
    this.out(`  ${en}`)
    this.out(rule)
  }

  /** A paragraph of explanation (under the current step, if any). */
  note(zh: string, en: string): void {
    const indent = this.steps === 0 ? '  ' : INDENT
    this.out(`${indent}${zh}`)
    this.out(`${indent}${en}`)
  }

  /** A numbered step: what happens next, in both languages. */
  step(zh: string, en: string): void {
    this.steps += 1
    const number = `${this.steps}.`.padEnd(4)
    this.out('')
    this.out(` ${number}${zh}`)
    this.out(`${INDENT}${en}`)
  }

  /** One labelled value under the current step. */
  fact(zh: string, en: string, value: string): void {
    this.out(`${INDENT}· ${zh} / ${en}: ${value}`)
  }

  ok(zh: string, en: string): void {
    this.out(`${INDENT}✓ ${zh} / ${en}`)
  }

  /** Preformatted lines (e.g. a QR code drawn for the terminal), indented under the current step. */
  block(text: string): void {
    for (const line of text.replace(/\n+$/, '').split('\n')) this.out(`${INDENT}${line}`)
  }

  bad(zh: string, en: string): void {
    this.out(`${INDENT}✗ ${zh} / ${en}`)
  }

  /** The status a department reads from the chain, in words. */
  status(label: { zh: string; en: string }, status: OnChainStatus): void {
    const [zh, en] = STATE_WORDS[status.status]
    const agree = status.inSync
      ? '与部门记录一致 / matches the department records'
      : `部门记录为 / the department records say ${STATE_WORDS[status.recorded].join(' / ')}`
    this.out(`${INDENT}· ${label.zh}链上状态 / On-chain status of ${label.en}: ${zh} / ${en}  (${agree})`)
  }

  /** A table with aligned columns (CJK characters count as two columns). */
  table(header: string[], rows: string[][]): void {
    const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))))
    const render = (cells: string[]) =>
      `${INDENT}${cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join('  ')}`.trimEnd()
    this.out(render(header))
    this.out(`${INDENT}${widths.map((w) => '─'.repeat(w)).join('  ')}`)
    for (const row of rows) this.out(render(row))
  }
}

export const STATE_WORDS: Record<CredentialState, [zh: string, en: string]> = {
  active: ['有效', 'valid'],
  suspended: ['已暂停', 'suspended'],
  revoked: ['已撤销（永久失效）', 'revoked (for good)'],
}

/** `0x12345678…cdef`: enough of a transaction hash to recognise it. */
export function shortHash(hash: string | null | undefined): string {
  if (!hash) return '—'
  return hash.length > 18 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash
}

/** `did:key:zQ3shXyz…AbCdEf`: a DID shortened for display. */
export function shortDid(did: string): string {
  return did.length > 40 ? `${did.slice(0, 28)}…${did.slice(-8)}` : did
}

/** Terminal columns a string takes: East Asian wide and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0
  for (const char of text) {
    const code = char.codePointAt(0)!
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6)
    width += wide ? 2 : 1
  }
  return width
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)))
}
