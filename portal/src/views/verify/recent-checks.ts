import { ref } from 'vue'
import type { Bilingual } from './verify-api'

/** How a check ended, as the list shows it. */
export type CheckOutcome = 'pending' | 'passed' | 'failed' | 'declined' | 'expired'

/** A check of this sign-in: its id, purpose, when and how it ended; never a claim of the holder. */
export interface RecentCheck {
  id: string
  purpose: Bilingual
  createdAt: string
  outcome: CheckOutcome
}

const STORAGE_PREFIX = 'govcred.verify.recent.'
const MAX_KEPT = 20

/**
 * The checks the signed-in officer made in this browser tab (sessionStorage, under their username), newest
 * first; the service has no list of a bank's requests. Cleared at sign-out. Holds no personal data of the
 * holder, only the purpose and the outcome.
 */
export const recentChecks = ref<RecentCheck[]>([])
let owner: string | undefined

/** Loads the list of `username` (undefined at sign-out: the list is forgotten). */
export function useRecentChecksOf(username: string | undefined): void {
  if (owner && owner !== username) forget(owner)
  owner = username
  recentChecks.value = username ? read(username) : []
}

/** Adds a check, or updates its outcome. */
export function rememberCheck(check: RecentCheck): void {
  if (!owner) return
  const others = recentChecks.value.filter((c) => c.id !== check.id)
  const known = recentChecks.value.find((c) => c.id === check.id)
  recentChecks.value = known ? recentChecks.value.map((c) => (c.id === check.id ? check : c)) : [check, ...others].slice(0, MAX_KEPT)
  write(owner, recentChecks.value)
}

function read(username: string): RecentCheck[] {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(STORAGE_PREFIX + username) ?? '[]')
    return Array.isArray(parsed) ? (parsed as RecentCheck[]).filter((c) => typeof c?.id === 'string').slice(0, MAX_KEPT) : []
  } catch {
    return []
  }
}

function write(username: string, list: RecentCheck[]): void {
  try {
    sessionStorage.setItem(STORAGE_PREFIX + username, JSON.stringify(list))
  } catch {
    // storage refused: the list lasts for this page
  }
}

function forget(username: string): void {
  try {
    sessionStorage.removeItem(STORAGE_PREFIX + username)
  } catch {
    // nothing kept
  }
}
