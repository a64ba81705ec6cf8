/** The days a dashboard counts: from `since` (an instant, ISO 8601) on, each day as the local date at `utcOffsetMinutes`. */
export interface DailyWindow {
  since: string
  /** Minutes east of UTC of the dashboard's clock (480 for China Standard Time). */
  utcOffsetMinutes: number
  /** Only these credential types (a key's or a clerk's scopes); all when absent. */
  types?: readonly string[]
}

/** One day and type of a department's credentials. */
export interface DailyCount {
  date: string
  type: string
  issued: number
  revoked: number
  suspended: number
}

/** SQLite's date() modifier that moves a UTC instant to the window's local clock: `+480 minutes`. */
export const offsetModifier = (window: DailyWindow): string =>
  `${window.utcOffsetMinutes >= 0 ? '+' : ''}${Math.trunc(window.utcOffsetMinutes)} minutes`

export interface CredentialStatsDeps {
  credentials: { issuedPerDay(departmentId: string, window: DailyWindow): Promise<{ date: string; type: string; issued: number }[]> }
  statusChanges: {
    statusChangesPerDay(
      departmentId: string,
      window: DailyWindow,
    ): Promise<{ date: string; type: string; revoked: number; suspended: number }[]>
  }
}

/**
 * A department's credentials issued, revoked and suspended per local day and type over the last `days` days
 * (today included): every day × every type that the department issues or that appears in the counts, zeros
 * included, oldest first. Revoked and suspended count the status bits set that day (a supersession or a
 * transfer revokes too; a change the chain refused does not count).
 *
 * @example
 * await credentialStats(deps, 'market-supervision', { days: 7, utcOffsetMinutes: 480, types: ['BusinessLicenseCredential'] })
 */
export async function credentialStats(
  deps: CredentialStatsDeps,
  departmentId: string,
  options: { days: number; utcOffsetMinutes: number; types?: readonly string[]; knownTypes: readonly string[]; now?: Date },
): Promise<{ days: DailyCount[] }> {
  const offsetMs = options.utcOffsetMinutes * 60_000
  const now = options.now ?? new Date()
  // Midnight of the local today, written as a UTC instant (so that toISOString() gives the local date).
  const local = new Date(now.getTime() + offsetMs)
  const localToday = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate())
  const firstDay = localToday - (options.days - 1) * 86_400_000
  const window: DailyWindow = {
    since: new Date(firstDay - offsetMs).toISOString(),
    utcOffsetMinutes: options.utcOffsetMinutes,
    ...(options.types ? { types: options.types } : {}),
  }
  const [issued, changes] = await Promise.all([
    deps.credentials.issuedPerDay(departmentId, window),
    deps.statusChanges.statusChangesPerDay(departmentId, window),
  ])
  const visible = (type: string) => !options.types || options.types.includes(type)
  const types = [...new Set([...options.knownTypes.filter(visible), ...issued.map((r) => r.type), ...changes.map((r) => r.type)])].sort()
  const counts = new Map<string, DailyCount>()
  for (let day = firstDay; day <= localToday; day += 86_400_000) {
    const date = new Date(day).toISOString().slice(0, 10)
    for (const type of types) counts.set(`${date}|${type}`, { date, type, issued: 0, revoked: 0, suspended: 0 })
  }
  for (const row of issued) {
    const entry = counts.get(`${row.date}|${row.type}`)
    if (entry) entry.issued += row.issued
  }
  for (const row of changes) {
    const entry = counts.get(`${row.date}|${row.type}`)
    if (entry) {
      entry.revoked += row.revoked
      entry.suspended += row.suspended
    }
  }
  return { days: [...counts.values()] }
}
