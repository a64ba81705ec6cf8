import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { AgentConfigError, loadAgentConfig } from '../../src/agent/agent-config-loader.js'

let dir: string

/** A module the yml files `$require` by relative path, exercising each kind of export. */
const MODULE = `
export class Greeter {
  constructor(options = {}, suffix = '!') {
    this.options = options
    this.suffix = suffix
  }
  greet(name) { return (this.options.greeting ?? 'hello') + ' ' + name + this.suffix }
}
export function makeResolvers(options = {}) {
  return { ethr: { network: options.network ?? 'none', resolve: () => 'ethr' }, key: { resolve: () => 'key' } }
}
export async function makeAsync(value) { return { value } }
export const settings = { nested: { answer: 42 } }
export class Exploding { constructor() { throw new Error('boom in constructor') } }
export default { fromDefault: 'default export' }
`

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'govcred-agent-yml-'))
  writeFileSync(join(dir, 'parts.mjs'), MODULE)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => vi.restoreAllMocks())

let counter = 0
function yml(text: string): string {
  const file = join(dir, `config-${++counter}.yml`)
  writeFileSync(file, text)
  return file
}

/** Loads the file and builds `pointer`, returning the AgentConfigError it fails with. */
async function failureOf(file: string, pointer: string, env: Record<string, string | undefined> = {}): Promise<AgentConfigError> {
  const exit = vi.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw new Error(`process.exit(${code}) called`)
  }) as typeof process.exit)
  let caught: unknown
  try {
    const objects = await loadAgentConfig(file, { env })
    await objects.get(pointer)
  } catch (error) {
    caught = error
  }
  expect(exit).not.toHaveBeenCalled()
  expect(caught).toBeInstanceOf(AgentConfigError)
  return caught as AgentConfigError
}

describe('$require', () => {
  it('builds a class (the default kind) with $args', async () => {
    const file = yml(`
greeter:
  $require: ./parts.mjs#Greeter
  $args:
    - greeting: 你好
    - '?'
`)
    const greeter = (await (await loadAgentConfig(file, { env: {} })).get('/greeter')) as {
      greet(n: string): string
      constructor: { name: string }
    }
    expect(greeter.constructor.name).toBe('Greeter')
    expect(greeter.greet('市民')).toBe('你好 市民?')
  })

  it('calls a function with ?t=function and takes a part of its result with &p=', async () => {
    const file = yml(`
ethrResolver:
  $require: ./parts.mjs?t=function&p=/ethr#makeResolvers
  $args:
    - network: govcred
asyncValue:
  $require: ./parts.mjs?t=function#makeAsync
  $args: [7]
`)
    const objects = await loadAgentConfig(file, { env: {} })
    const ethr = (await objects.get('/ethrResolver')) as { network: string; resolve(): string }
    expect(ethr.network).toBe('govcred')
    expect(ethr.resolve()).toBe('ethr')
    expect(await objects.get('/asyncValue')).toEqual({ value: 7 })
  })

  it('takes an export as it is with ?t=object, also through &p= and from a default export', async () => {
    const file = yml(`
answer: { $require: './parts.mjs?t=object&p=/nested/answer#settings' }
whole: { $require: './parts.mjs?t=object#settings' }
fromDefault: { $require: './parts.mjs?t=object#fromDefault' }
fromPackage: { $require: 'ethers?t=object#ZeroHash' }
`)
    const objects = await loadAgentConfig(file, { env: {} })
    expect(await objects.get('/answer')).toBe(42)
    expect(await objects.get('/whole')).toEqual({ nested: { answer: 42 } })
    expect(await objects.get('/fromDefault')).toBe('default export')
    expect(await objects.get('/fromPackage')).toBe(`0x${'0'.repeat(64)}`)
  })
})

describe('$ref', () => {
  it('reuses one instance wherever it is referenced', async () => {
    const file = yml(`
shared:
  $require: ./parts.mjs#Greeter
first:
  $require: ./parts.mjs#Greeter
  $args: [{ inner: { $ref: /shared } }]
second:
  holder: { $ref: /shared }
  list: [{ $ref: /shared }, { $ref: /shared }]
`)
    const objects = await loadAgentConfig(file, { env: {} })
    const shared = await objects.get('/shared')
    const first = (await objects.get('/first')) as { options: { inner: unknown } }
    const second = (await objects.get('/second')) as { holder: unknown; list: unknown[] }
    expect(first.options.inner).toBe(shared)
    expect(second.holder).toBe(shared)
    expect(second.list[0]).toBe(shared)
    expect(second.list[1]).toBe(shared)
    expect(await objects.get('/first')).toBe(first)
  })

  it('fails with the pointer when the reference points at nothing', async () => {
    const file = yml(`
holder: { $ref: /missing }
`)
    const error = await failureOf(file, '/holder')
    expect(error.pointer).toBe('/missing')
    expect(error.message).toContain('/missing')
  })
})

describe('$env', () => {
  it('takes values from the given environment, with $default as a fallback', async () => {
    const file = yml(`
settings:
  url: { $env: GOVCRED_TEST_URL }
  name: { $env: GOVCRED_TEST_NAME, $default: fallback }
`)
    const objects = await loadAgentConfig(file, { env: { GOVCRED_TEST_URL: 'http://127.0.0.1:8545' } })
    expect(await objects.get('/settings')).toEqual({ url: 'http://127.0.0.1:8545', name: 'fallback' })
  })

  it('names the pointer and the variable when the variable is missing', async () => {
    const file = yml(`
agent:
  plugins:
    - kms:
        secret: { $env: GOVCRED_TEST_SECRET }
`)
    const error = await failureOf(file, '/agent', {})
    expect(error.pointer).toBe('/agent/plugins/0/kms/secret')
    expect(error.message).toContain('/agent/plugins/0/kms/secret')
    expect(error.message).toContain('GOVCRED_TEST_SECRET')
  })
})

describe('errors are AgentConfigError, never process.exit', () => {
  it('bad YAML', async () => {
    const file = yml('agent:\n  plugins: [unclosed\n   - : :\n')
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => {
      throw new Error('process.exit called')
    }) as typeof process.exit)
    await expect(loadAgentConfig(file, { env: {} })).rejects.toThrow(AgentConfigError)
    await expect(loadAgentConfig(file, { env: {} })).rejects.toThrow(/not valid YAML/)
    expect(exit).not.toHaveBeenCalled()
  })

  it('a document that is not a mapping', async () => {
    const file = yml('just a string\n')
    await expect(loadAgentConfig(file, { env: {} })).rejects.toThrow(AgentConfigError)
  })

  it('an unknown module, relative or from a package', async () => {
    const relative = await failureOf(yml(`thing: { $require: ./no-such-module.mjs#Thing }\n`), '/thing')
    expect(relative.pointer).toBe('/thing')
    expect(relative.message).toMatch(/cannot load module "\.\/no-such-module\.mjs"/)
    const fromPackage = await failureOf(yml(`thing: { $require: 'govcred-no-such-package#Thing' }\n`), '/thing')
    expect(fromPackage.message).toContain('govcred-no-such-package')
  })

  it('an unknown export', async () => {
    const error = await failureOf(yml(`thing: { $require: ./parts.mjs#NoSuchExport }\n`), '/thing')
    expect(error.pointer).toBe('/thing')
    expect(error.message).toContain('has no export "NoSuchExport"')
  })

  it('an unknown $require kind', async () => {
    const error = await failureOf(yml(`thing: { $require: './parts.mjs?t=singleton#Greeter' }\n`), '/thing')
    expect(error.message).toContain('t=singleton')
  })

  it('a constructor that throws, keeping the cause', async () => {
    const error = await failureOf(yml(`thing: { $require: ./parts.mjs#Exploding }\n`), '/thing')
    expect(error.message).toContain('boom in constructor')
    expect((error.cause as Error).message).toBe('boom in constructor')
  })

  it('a pointer with nothing at it', async () => {
    const error = await failureOf(yml(`thing: 1\n`), '/agent')
    expect(error.pointer).toBe('/agent')
  })
})
