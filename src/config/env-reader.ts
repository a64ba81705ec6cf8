/**
 * Typed reads of environment variables that collect every problem instead of stopping at the first.
 *
 * @example
 * const read = envReader(process.env)
 * const port = read.int('PORT', 8080, 0, 65535)
 * if (read.problems.length) throw new ConfigError(read.problems)
 */
export function envReader(env: NodeJS.ProcessEnv) {
  const problems: string[] = []
  return {
    problems,
    /** The value, or undefined when unset or empty. */
    string(name: string): string | undefined {
      const raw = env[name]
      return raw === undefined || raw === '' ? undefined : raw
    },
    int(name: string, fallback: number, min: number, max: number): number {
      const raw = env[name]
      if (raw === undefined || raw === '') return fallback
      const value = Number(raw)
      if (!Number.isInteger(value) || value < min || value > max) {
        problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`)
        return fallback
      }
      return value
    },
    bool(name: string, fallback: boolean): boolean {
      const raw = env[name]
      if (raw === undefined || raw === '') return fallback
      if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true
      if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false
      problems.push(`${name} must be true or false (got "${raw}")`)
      return fallback
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const raw = env[name]
      if (raw === undefined || raw === '') return fallback
      if ((allowed as readonly string[]).includes(raw)) return raw as T
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`)
      return fallback
    },
  }
}
