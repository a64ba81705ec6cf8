import { readFileSync } from 'node:fs'
import { join } from 'node:path'
/**
 * One rule for query parameters, on every route that declares them in /openapi.json (read from the running
 * service, so a new route is covered without touching this file): a declared parameter is given at most once,
 * as plain text of its kind; repeated, in array or object form, of the wrong kind, or undeclared, it is a 400
 * ERR_INVALID_QUERY whose message names the parameter and says what it accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestService, type TestService } from '../helpers/service.js'
import { bearer, readDemo, type Demo } from '../issuance/issuance-helpers.js'

interface Schema {
  type?: string
  enum?: string[]
  minimum?: number
  maximum?: number
  minLength?: number
  maxLength?: number
}
interface Parameter {
  name: string
  in: string
  schema?: Schema
}
interface Operation {
  method: string
  path: string
  query: Parameter[]
  /** Whether only a platform operator may call it (its security names operatorAuth, not bearerAuth). */
  operatorOnly: boolean
}

let service: TestService
let demo: Demo
let operations: Operation[]
let operatorKey: string

beforeAll(async () => {
  service = await startTestService()
  demo = readDemo(service)
  const { status, body } = await service.api('/openapi.json')
  if (status !== 200) throw new Error(`setup: /openapi.json answered ${status}`)
  operations = []
  operatorKey = JSON.parse(readFileSync(join(service.dataDir, 'demo.json'), 'utf8')).operator.apiKey
  type Op = { parameters?: Parameter[]; security?: Record<string, unknown>[] }
  for (const [path, item] of Object.entries(body.paths as Record<string, Record<string, Op>>)) {
    for (const [method, op] of Object.entries(item)) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query')
      const schemes = (op.security ?? []).flatMap((alternative) => Object.keys(alternative))
      const operatorOnly = schemes.includes('operatorAuth') && !schemes.includes('bearerAuth')
      if (query.length > 0) operations.push({ method: method.toUpperCase(), path, query, operatorOnly })
    }
  }
}, 120_000)
afterAll(async () => {
  await service?.dispose()
})

/** A value the parameter accepts on its own (when its schema says enough to make one). */
function goodValue(schema: Schema = {}): string | undefined {
  if (schema.enum) return schema.enum[0]
  if (schema.type === 'integer') return String(schema.minimum ?? 1)
  if (schema.type === 'boolean') return 'true'
  return undefined
}

/** Values of the wrong kind for the parameter, from its schema. */
function wrongValues(schema: Schema = {}): string[] {
  const values: string[] = []
  if (schema.enum) values.push('not-one-of-them')
  if (schema.type === 'integer') {
    values.push('abc', '1.5', '1e3', ' 1')
    // A negative number is wrong only where the schema says so (a UTC offset may be negative).
    if (schema.minimum === undefined || schema.minimum >= 0) values.push('-1')
    if (schema.maximum !== undefined) values.push(String(schema.maximum + 1))
    if (schema.minimum !== undefined) values.push(String(schema.minimum - 1))
  }
  if (schema.type === 'boolean') values.push('yes')
  if (schema.minLength !== undefined && schema.minLength > 0) values.push('')
  if (schema.maxLength !== undefined) values.push('x'.repeat(schema.maxLength + 1))
  return values
}

/** Words the 400's message must contain to say what the parameter accepts. */
function acceptsWords(schema: Schema = {}): string[] {
  if (schema.enum) return [schema.enum[0]!]
  if (schema.type === 'integer' && schema.maximum !== undefined) return [String(schema.maximum)]
  return []
}

async function call(op: Operation, query: string) {
  const path = op.path.replace(/\{[^}]+\}/g, 'x')
  return service.api(`${path}?${query}`, {
    method: op.method,
    headers: bearer(op.operatorOnly ? operatorKey : demo.market.apiKey),
    ...(op.method === 'GET' ? {} : { body: {} }),
  })
}

function expectInvalidQuery(answer: { status: number; body: any }, what: string, words: string[]): void {
  expect({ what, status: answer.status, code: answer.body?.error?.code }).toEqual({ what, status: 400, code: 'ERR_INVALID_QUERY' })
  for (const word of words) expect(answer.body.error.message, what).toContain(word)
}

describe('query parameters, on every route that declares them', () => {
  it('finds the routes in /openapi.json (the list is not empty)', () => {
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['GET /v1/credentials', 'GET /v1/audit']))
  })

  it('a declared parameter given once with a good value is accepted', async () => {
    for (const op of operations) {
      for (const p of op.query) {
        const value = goodValue(p.schema)
        if (value === undefined) continue
        const answer = await call(op, `${p.name}=${encodeURIComponent(value)}`)
        expect({ route: `${op.method} ${op.path}`, p: p.name, status: answer.status }).toEqual({
          route: `${op.method} ${op.path}`,
          p: p.name,
          status: 200,
        })
      }
    }
  })

  it('a repeated parameter is a 400 ERR_INVALID_QUERY naming it and what it accepts', async () => {
    for (const op of operations) {
      for (const p of op.query) {
        const value = encodeURIComponent(goodValue(p.schema) ?? 'x')
        const what = `${op.method} ${op.path}?${p.name}=…&${p.name}=…`
        expectInvalidQuery(await call(op, `${p.name}=${value}&${p.name}=${value}`), what, [p.name, ...acceptsWords(p.schema)])
      }
    }
  })

  it('an array or object parameter (a[]=1, a[b]=1, percent-encoded too) is a 400 ERR_INVALID_QUERY naming it', async () => {
    for (const op of operations) {
      for (const p of op.query) {
        const value = encodeURIComponent(goodValue(p.schema) ?? 'x')
        for (const key of [`${p.name}[]`, `${p.name}[0]`, `${p.name}[key]`, encodeURIComponent(`${p.name}[]`)]) {
          const what = `${op.method} ${op.path}?${key}=${value}`
          expectInvalidQuery(await call(op, `${key}=${value}`), what, [p.name, ...acceptsWords(p.schema)])
        }
      }
    }
  })

  it('a value of the wrong kind is a 400 ERR_INVALID_QUERY naming the parameter and what it accepts', async () => {
    let checked = 0
    for (const op of operations) {
      for (const p of op.query) {
        for (const value of wrongValues(p.schema)) {
          const what = `${op.method} ${op.path}?${p.name}=${JSON.stringify(value).slice(0, 40)}`
          expectInvalidQuery(await call(op, `${p.name}=${encodeURIComponent(value)}`), what, [p.name, ...acceptsWords(p.schema)])
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(0)
  })

  it('an undeclared parameter (a typo of a filter) is a 400 ERR_INVALID_QUERY naming it and the accepted ones', async () => {
    for (const op of operations) {
      const what = `${op.method} ${op.path}?limt=5`
      expectInvalidQuery(await call(op, 'limt=5'), what, ['limt', ...op.query.map((p) => p.name)])
    }
  })
})

describe('a certificate in the query string of the property check', () => {
  const unit = '110101001001GB00001F00010001'
  it('is ERR_CERTIFICATE_IN_QUERY in every form it can take: once, repeated, as an array or object', async () => {
    for (const query of [
      'certificate=a.b.c',
      'certificate=a&certificate=b',
      'certificate[]=a.b.c',
      'certificate[0]=a.b.c',
      'certificate%5Bx%5D=a',
    ]) {
      const answer = await service.api(`/v1/property/units/${unit}/current?${query}`, { body: { certificate: 'not.a.jwt' } })
      expect({ query, status: answer.status, code: answer.body?.error?.code }).toEqual({
        query,
        status: 400,
        code: 'ERR_CERTIFICATE_IN_QUERY',
      })
    }
  })

  it('any other parameter is refused as the rule says', async () => {
    const answer = await service.api(`/v1/property/units/${unit}/current?certificat=a`, { body: { certificate: 'not.a.jwt' } })
    expect([answer.status, answer.body.error.code]).toEqual([400, 'ERR_INVALID_QUERY'])
    expect(answer.body.error.message).toContain('certificat')
  })
})
