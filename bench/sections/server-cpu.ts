/**
 * What the SD-JWT sections record of the server around a timed batch: its CPU time per request (all threads,
 * from /proc; steadier than the rate when other work shares the machine) and the batch's window on the clock
 * of V8's .cpuprofile (see bench/profile-summary.ts).
 *
 * @example
 * const load = await windowed(() => withServerCpu(service.serverPid(), () => runLoad(items, 16, task)))
 * load.serverCpuMsPerItem // 2.3
 */
import { existsSync, readFileSync } from 'node:fs'

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc; undefined elsewhere. On a
 * shared machine its difference over a batch, per request, is steadier than the rate.
 */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined || !existsSync(`/proc/${pid}/stat`)) return undefined
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Runs `batch` and answers the server's CPU milliseconds per item (undefined without /proc). */
export async function withServerCpu<T extends { count: number }>(
  pid: number | undefined,
  batch: () => Promise<T>,
): Promise<T & { serverCpuMsPerItem?: number }> {
  const before = cpuSecondsOf(pid)
  const result = await batch()
  const after = cpuSecondsOf(pid)
  return before === undefined || after === undefined ? result : { ...result, serverCpuMsPerItem: ((after - before) * 1000) / result.count }
}

/** The batch's window on CLOCK_MONOTONIC in µs, the clock of V8's .cpuprofile (see bench/profile-summary.ts). */
export async function windowed<T extends object>(run: () => Promise<T>): Promise<T & { window: { startUs: number; endUs: number } }> {
  const startUs = Number(process.hrtime.bigint() / 1000n)
  const result = await run()
  return { ...result, window: { startUs, endUs: Number(process.hrtime.bigint() / 1000n) } }
}
