/**
 * Issue 9, "writes that fail are failures": a real govcred (`node --import tsx src/main.ts start --demo`) whose
 * data directory is a small tmpfs, mounted in a private mount namespace (`unshare -m`) that a holder process
 * keeps alive; the service runs inside it (`nsenter -m`), the test fills and frees the tmpfs through
 * `/proc/<holder>/root`, and a second, separate SQLite connection (another process in the namespace) counts
 * what was committed. Needs root (CI runs as root); skipped with the reason otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { businessLicenseClaims } from '../fixtures/claims.js'

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url))
const TMPFS_SIZE = '16m'

/** Why this test cannot run here, or undefined when it can (root, unshare and nsenter with mount namespaces). */
function unavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux mount namespaces'
  if (process.getuid?.() !== 0) return 'needs root to mount a tmpfs in a private mount namespace (CI runs as root)'
  const probe = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs -o size=1m probe /tmp && nsenter --version'],
    {
      encoding: 'utf8',
    },
  )
  if (probe.status !== 0)
    return `cannot mount a tmpfs with unshare -m / nsenter here: ${(probe.stderr || probe.error?.message || '').trim()}`
  return undefined
}

const skipReason = unavailableReason()
if (skipReason) console.warn(`disk-full.test.ts skipped: ${skipReason}`)

interface Service {
  child: ChildProcess
  url: string
  output(): string
  exited: Promise<number | null>
}

interface Answer {
  status: number
  body: any
}

describe.skipIf(skipReason !== undefined)('a full disk: no acknowledgement for an uncommitted write (issue 9)', () => {
  let holder: ChildProcess
  /** The tmpfs as the namespace sees it (what the service is told). */
  let mountPoint: string
  /** The same tmpfs as this process reaches it. */
  let fromHere: string
  let dataDir: string
  const services: Service[] = []

  beforeAll(async () => {
    mountPoint = mkdtempSync(join(tmpdir(), 'govcred-disk-full-'))
    holder = spawn(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs -o size=${TMPFS_SIZE} govcred-disk-full "$0" && echo mounted && exec sleep 600`,
        mountPoint,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    await new Promise<void>((resolve, reject) => {
      let seen = ''
      holder.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()).includes('mounted') && resolve())
      holder.stderr!.on('data', (chunk: Buffer) => (seen += chunk.toString()))
      holder.once('exit', (code) => reject(new Error(`the namespace holder exited (${code}): ${seen}`)))
    })
    fromHere = `/proc/${holder.pid}/root${mountPoint}`
    dataDir = join(mountPoint, 'data')
    mkdirSync(join(fromHere, 'data'))
  })

  afterAll(async () => {
    for (const service of services) {
      if (service.child.exitCode === null && service.child.signalCode === null) {
        try {
          process.kill(-service.child.pid!, 'SIGKILL')
        } catch {
          // gone
        }
        await Promise.race([service.exited, delay(5000)])
      }
    }
    holder?.kill('SIGKILL')
    if (mountPoint) rmSync(mountPoint, { recursive: true, force: true })
  })

  /** `govcred start --demo` inside the namespace, on the tmpfs data directory. */
  async function startService(): Promise<Service> {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('GOVCRED_') && !key.startsWith('npm_') && key !== 'PORT'),
    )
    const child = spawn(
      'nsenter',
      ['-t', String(holder.pid), '-m', `--wd=${PROJECT_ROOT}`, '--', process.execPath, '--import', 'tsx', 'src/main.ts', 'start', '--demo'],
      {
        env: { ...env, GOVCRED_DATA_DIR: dataDir, PORT: '0', GOVCRED_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    )
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    const service: Service = { child, url: '', output: () => output, exited }
    services.push(service)
    const deadline = Date.now() + 45_000
    for (;;) {
      const url = /API\s+(http:\/\/\S+)/.exec(output)?.[1]
      if (url) return { ...service, url }
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`govcred did not start:\n${output}`)
      await delay(100)
    }
  }

  async function stopService(service: Service): Promise<number | null> {
    service.child.kill('SIGTERM')
    return Promise.race([service.exited, delay(20_000).then(() => Promise.reject(new Error(`no clean stop:\n${service.output()}`)))])
  }

  async function call(service: Service, path: string, init: { body?: unknown; key?: string } = {}): Promise<Answer> {
    const res = await fetch(`${service.url}${path}`, {
      method: init.body === undefined ? 'GET' : 'POST',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {
      // not JSON
    }
    return { status: res.status, body }
  }

  function issue(service: Service, key: string, n: number): Promise<Answer> {
    const { id: _holder, ...claims } = businessLicenseClaims({ enterpriseName: `南京磁盘测试${n}有限公司` })
    return call(service, '/v1/credentials', {
      key,
      body: { type: 'BusinessLicenseCredential', holder: `did:ethr:0x${(0x5000 + n).toString(16).padStart(40, '0')}`, claims },
    })
  }

  /** The credential ids committed in the database, read by a separate process with its own sqlite3 connection. */
  function committedIds(): string[] {
    const script = `const sqlite3 = require('sqlite3')
const db = new sqlite3.Database(process.argv[1], sqlite3.OPEN_READONLY)
db.all('SELECT id FROM govcred_credentials', (error, rows) => {
  if (error) { console.error(error.message); process.exit(1) }
  process.stdout.write(JSON.stringify(rows.map((r) => r.id)))
  db.close()
})`
    const read = spawnSync(
      'nsenter',
      ['-t', String(holder.pid), '-m', `--wd=${PROJECT_ROOT}`, '--', process.execPath, '-e', script, join(dataDir, 'govcred.sqlite')],
      { encoding: 'utf8' },
    )
    if (read.status !== 0) throw new Error(`the second connection failed: ${read.stderr}`)
    return JSON.parse(read.stdout) as string[]
  }

  /** Fills the tmpfs to the last page; returns the filler files. */
  function fillDisk(): string[] {
    const files: string[] = []
    for (const size of [1 << 20, 64 << 10, 4 << 10]) {
      for (;;) {
        const file = join(fromHere, `filler-${files.length}`)
        files.push(file)
        try {
          writeFileSync(file, Buffer.alloc(size, 1))
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
          break
        }
      }
    }
    return files
  }

  it('answers 503 ERR_STORAGE_UNAVAILABLE (never 201) for what it cannot commit, turns /healthz red, and recovers when space returns', async () => {
    const service = await startService()
    const { departments } = JSON.parse(readFileSync(join(fromHere, 'data', 'demo.json'), 'utf8')) as {
      departments: { id: string; apiKey: string }[]
    }
    const key = departments.find((d) => d.id === 'market-supervision')!.apiKey
    const before = new Set(committedIds())

    // A burst of issuances, 4 in flight; the disk fills up after the first 30 answers.
    const answers: Answer[] = []
    let filler: string[] = []
    let sent = 0
    const worker = async () => {
      while (sent < 600 && answers.filter((a) => a.status === 503).length < 30) {
        const answer = await issue(service, key, sent++)
        answers.push(answer)
        if (answers.length === 30 && filler.length === 0) filler = fillDisk()
      }
    }
    await Promise.all([worker(), worker(), worker(), worker()])
    expect(filler.length, 'the disk was filled during the burst').toBeGreaterThan(0)

    const statuses = answers.reduce<Record<number, number>>((count, a) => ({ ...count, [a.status]: (count[a.status] ?? 0) + 1 }), {})
    expect(Object.keys(statuses).map(Number).sort(), `only 201 and 503: ${JSON.stringify(statuses)}`).toEqual([201, 503])
    for (const failed of answers.filter((a) => a.status === 503)) {
      expect(failed.body.error.code).toBe('ERR_STORAGE_UNAVAILABLE')
      expect(failed.body.error.message).toMatch(/SQLITE_FULL|SQLITE_IOERR/)
    }

    // A second connection sees every acknowledged credential, and none that was refused (with TypeORM's
    // stale transaction state, later writes answered 201 inside a transaction that was never committed).
    const acknowledgedInBurst = answers.filter((a) => a.status === 201).map((a) => a.body.id as string)
    expect(new Set(committedIds().filter((id) => !before.has(id)))).toEqual(new Set(acknowledgedInBurst))

    // While writes fail, /healthz says so and names the database.
    const unhealthy = await call(service, '/healthz')
    expect(unhealthy.status).toBe(503)
    expect(unhealthy.body.database.ok).toBe(false)
    expect(unhealthy.body.database.error).toMatch(/SQLITE_FULL|SQLITE_IOERR/)

    // Space returns: health turns green and writes resume.
    for (const file of filler) unlinkSync(file)
    const healthy = await call(service, '/healthz')
    expect(healthy.status, JSON.stringify(healthy.body)).toBe(200)
    for (let n = 0; n < 5; n++) {
      const answer = await issue(service, key, 1000 + n)
      expect(answer.status, JSON.stringify(answer.body)).toBe(201)
      answers.push(answer)
    }

    // After a clean stop, a second connection sees exactly the acknowledged credentials: none lost, none
    // committed behind a 503.
    expect(await stopService(service)).toBe(0)
    const acknowledged = answers.filter((a) => a.status === 201).map((a) => a.body.id as string)
    const committed = committedIds().filter((id) => !before.has(id))
    expect(committed.length).toBe(acknowledged.length)
    expect(new Set(committed)).toEqual(new Set(acknowledged))

    // The data directory starts again, healthy, and takes writes.
    const again = await startService()
    expect((await call(again, '/healthz')).status).toBe(200)
    const after = await issue(again, key, 2000)
    expect(after.status, JSON.stringify(after.body)).toBe(201)
    expect(await stopService(again)).toBe(0)
    expect(committedIds()).toContain(after.body.id)
    const stateFiles = readdirSync(join(fromHere, 'data', 'chain')).map((f) => statSync(join(fromHere, 'data', 'chain', f)))
    expect(
      stateFiles.every((s) => !s.isFile() || s.size > 0),
      'no chain file left empty',
    ).toBe(true)
  })
})
