import { isIP } from 'node:net'
import { ValidationError } from '../../shared/errors/app-error.js'

/** What a relying party's id, names and domain may be: one set of rules for the CLI, the HTTP API and the store. */
export const RELYING_PARTY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/
export const RELYING_PARTY_NAME_MAX = 200

const DNS_LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?'
const DOMAIN_PATTERN = new RegExp(`^(?=.{1,253}$)${DNS_LABEL}(?:\\.${DNS_LABEL})*$`)
const CONTROL = /\p{Cc}/u

/** Why `id` is not a relying party id (a slug: 2 to 63 lowercase letters, digits and dashes), or undefined. */
export function relyingPartyIdProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || !RELYING_PARTY_ID_PATTERN.test(id))
    return 'a relying party id is 2 to 63 lowercase letters, digits and dashes, starting with a letter or digit'
  return undefined
}

/** Why `name` (already trimmed) is not a display name, or undefined: 1 to 200 characters, no control characters. */
export function relyingPartyNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0 || name.length > RELYING_PARTY_NAME_MAX)
    return `a display name is a non-empty text of at most ${RELYING_PARTY_NAME_MAX} characters`
  if (CONTROL.test(name)) return 'a display name has no control characters (line breaks, tabs, …)'
  return undefined
}

/**
 * Why `domain` is not a relying party's domain, or undefined: a DNS name such as bank.example, or an IPv4
 * literal (a loopback demo). A name of digits and dots only must be a valid IPv4 address.
 */
export function relyingPartyDomainProblem(domain: unknown): string | undefined {
  const normalized = typeof domain === 'string' ? domain.trim().toLowerCase() : undefined
  const why = `a relying party's domain is a DNS name such as bank.example, or an IPv4 address`
  if (normalized === undefined || !DOMAIN_PATTERN.test(normalized)) return why
  if (/^[\d.]+$/.test(normalized) && isIP(normalized) !== 4) return why
  return undefined
}

/** A relying party's domain, lowercased; a ValidationError unless it is a DNS name (or an IPv4 literal, for a loopback demo). */
export function normalizeDomain(domain: string): string {
  const problem = relyingPartyDomainProblem(domain)
  if (problem) throw new ValidationError('ERR_INVALID_REQUEST', `${problem} (got "${domain}")`)
  return domain.trim().toLowerCase()
}
