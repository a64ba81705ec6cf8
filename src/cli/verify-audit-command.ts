import { NotFoundError } from '../shared/errors/app-error.js'
import type { ServiceContext } from '../app/service-context.js'
import { AuditAnchoring } from '../issuing/audit/audit-anchoring.js'
import { AuditLog, type AuditVerification } from '../issuing/audit/audit-log.js'

/**
 * `govcred audit verify [--department ID]`: checks each department's audit chain, its recorded anchors and
 * its on-chain heads. The CLI exits 1 when any result is not ok.
 *
 * @example
 * const results = await verifyAuditCommand(ctx)
 * process.stdout.write(formatAuditVerifications(results))
 * process.exitCode = results.every((r) => r.ok) ? 0 : 1
 */
export async function verifyAuditCommand(ctx: ServiceContext, departmentId?: string): Promise<AuditVerification[]> {
  const log = new AuditLog(ctx.db)
  const anchoring = new AuditAnchoring({
    db: ctx.db,
    log,
    writer: ctx.writer,
    registries: ctx.registries,
    departments: ctx.departments,
  })
  let ids: string[]
  if (departmentId !== undefined) {
    if (!(await ctx.departments.get(departmentId)))
      throw new NotFoundError('ERR_DEPARTMENT_NOT_FOUND', `no department ${departmentId} on this node`)
    ids = [departmentId]
  } else {
    ids = (await ctx.departments.list()).map((d) => d.id)
  }
  const results: AuditVerification[] = []
  for (const id of ids) results.push(await anchoring.verifyOnChain(id))
  return results
}

/** Human-readable lines for the CLI: one per department, then one per problem. */
export function formatAuditVerifications(results: readonly AuditVerification[]): string {
  const lines: string[] = []
  for (const result of results) {
    const head = result.head ? `head ${result.head.seq} ${result.head.hash}` : 'no entries'
    lines.push(`${result.ok ? 'ok  ' : 'FAIL'} ${result.departmentId}: ${result.entries} entries, ${head}`)
    for (const problem of result.problems) lines.push(`     ${problem.code} at ${problem.seq ?? '-'}: ${problem.message}`)
  }
  return `${lines.join('\n')}\n`
}
