/**
 * What the serving node offers: `full` (a department node: console, wallet, verification, public pages) or
 * `verifier` (a bank's verifier-only node: public pages and verification). The express app writes it into
 * index.html's `<meta name="govcred-mode">`.
 */
export type NodeMode = 'full' | 'verifier'

export function nodeMode(): NodeMode {
  const content = document.querySelector('meta[name="govcred-mode"]')?.getAttribute('content')
  return content === 'verifier' ? 'verifier' : 'full'
}
