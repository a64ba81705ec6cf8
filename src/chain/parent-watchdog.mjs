// The embedded Anvil's watchdog: `node parent-watchdog.mjs <anvil pid>`, spawned by the govcred process that
// started Anvil, with a pipe from it as stdin. The pipe closes when that process ends in any way, kill -9
// included; then Anvil is asked to stop (SIGTERM: it dumps its state), and killed if it has not within a
// few seconds. The watchdog ends by itself when Anvil does. Plain JavaScript with node builtins only, so
// that it starts in a few tens of milliseconds without tsx.
import { readFileSync } from 'node:fs'

const anvilPid = Number(process.argv[2])
const KILL_AFTER_MS = 3_000
const POLL_MS = 250

if (!Number.isInteger(anvilPid) || anvilPid <= 0) {
  process.stderr.write('usage: parent-watchdog.mjs <anvil pid>\n')
  process.exit(2)
}

// A closed terminal, or Ctrl-C, reaches the whole process group: the parent decides how Anvil stops,
// and the watchdog acts only when the parent is gone.
for (const signal of ['SIGHUP', 'SIGINT']) process.on(signal, () => undefined)

const parent = process.ppid
const isAlive = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
// Only Anvil is ours to stop: a pid that now belongs to another program is left alone.
const isAnvil = () => {
  try {
    return readFileSync(`/proc/${anvilPid}/cmdline`, 'utf8').includes('anvil')
  } catch {
    return process.platform !== 'linux' && isAlive(anvilPid)
  }
}

let stopping = false
function stopAnvil() {
  if (stopping) return
  stopping = true
  if (!isAnvil()) process.exit(0)
  process.kill(anvilPid, 'SIGTERM')
  const deadline = Date.now() + KILL_AFTER_MS
  const check = setInterval(() => {
    if (!isAlive(anvilPid) || !isAnvil()) process.exit(0)
    if (Date.now() >= deadline) {
      try {
        process.kill(anvilPid, 'SIGKILL')
      } catch {
        // gone meanwhile
      }
      process.exit(0)
    }
  }, 50)
  check.ref()
}

process.stdin.on('data', () => undefined)
process.stdin.on('end', stopAnvil)
process.stdin.on('close', stopAnvil)
process.stdin.on('error', stopAnvil)
setInterval(() => {
  if (!isAlive(anvilPid) || !isAnvil()) process.exit(0) // Anvil ended first: nothing to watch
  if (process.ppid !== parent) stopAnvil() // reparented: the parent is gone, even if the pipe was shared
}, POLL_MS)
