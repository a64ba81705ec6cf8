/**
 * fast-check arbitraries of hostile HTTP requests, derived from the running service's `/openapi.json`: one
 * generator per operation, so a new route is fuzzed as soon as it is documented. A request keeps the
 * operation's method (mostly) and path shape, and varies everything a client controls: path parameters
 * (traversal, encodings, invalid UTF-8, DIDs of other networks), the query (repeated, `a[]=`, `a[b]=`,
 * undeclared, huge), the Authorization header (none, garbage, a department's, a relying party's or the
 * platform operator's valid key),
 * the content type, and the body (near-valid bodies with wrong types and missing or extra fields, any JSON,
 * deep nesting, huge strings up to the body limit and beyond, invalid UTF-8, multipart, garbage bytes).
 */
import fc from 'fast-check'
import { jsonBytes, utf8, type HostileRequest } from './raw-http.js'

/** What the generators need from the running service: keys, and real values that reach deeper code. */
export interface FuzzContext {
  departmentKeys: string[]
  relyingPartyKey: string
  /** The platform operator's key (the relying-party registration routes). */
  operatorKey: string
  /** Good values of path parameters, by parameter name (did, id, unitNumber, …). */
  pathValues: Record<string, string[]>
  /** Known-good bodies by operation (`POST /v1/credentials`), mutated by the generator. */
  bodies: Record<string, unknown[]>
}

export interface Operation {
  method: string
  path: string
  parameters: { in: string; name: string; schema?: Schema }[]
  bodySchema?: Schema
  /** 'department' (bearerAuth), 'relyingParty' (relyingPartyAuth), 'operator' (operatorAuth) or 'none'. */
  auth: 'department' | 'relyingParty' | 'operator' | 'none'
}

type Schema = Record<string, any>

/** Every operation of an OpenAPI 3 document. */
export function operationsOf(document: any): Operation[] {
  const operations: Operation[] = []
  for (const [path, item] of Object.entries<any>(document.paths ?? {})) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete', 'head', 'options'].includes(method)) continue
      const security = JSON.stringify(op.security ?? document.security ?? [])
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: any) => resolve(document, p))
      const bodySchema = op.requestBody?.content?.['application/json']?.schema
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters,
        bodySchema: bodySchema ? resolve(document, bodySchema) : undefined,
        auth: security.includes('bearerAuth')
          ? 'department'
          : security.includes('relyingPartyAuth')
            ? 'relyingParty'
            : security.includes('operatorAuth')
              ? 'operator'
              : 'none',
      })
    }
  }
  return operations
}

function resolve(document: any, node: any): any {
  if (!node || typeof node !== 'object' || typeof node.$ref !== 'string' || !node.$ref.startsWith('#/')) return node
  return resolve(
    document,
    node.$ref
      .slice(2)
      .split('/')
      .reduce((at: any, key: string) => at?.[key], document),
  )
}

// ————— strings —————

const HEX = '0123456789abcdef'
const hex = (length: number) => fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length })

/** Strings a parser chokes on: numbers in odd spellings, dates, prototype keys, control and unicode characters. */
const trickyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    '-0',
    'NaN',
    'Infinity',
    '0x10',
    '9'.repeat(400),
    '1.5',
    'true',
    'null',
    'undefined',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    'toString',
    'hasOwnProperty',
    '2026-13-45',
    '2026-02-30T25:61:61Z',
    '0000-01-01',
    '+275760-09-13T00:00:00.001Z',
    '1970-01-01T00:00:00Z',
    'active',
    'revoked',
    'suspended',
    'BusinessLicenseCredential',
    'VerifiableCredential',
    'did:ethr:govcred:0x0000000000000000000000000000000000000000',
    'did:key:z',
    '\u0000',
    '\u202e\u0645\u0631\u062d\u0628\u0627',
    '💥'.repeat(50),
    '\ud800',
    'a\r\nb',
    "' OR 1=1 --",
    '%00',
    '../../../../etc/passwd',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer().map(String),
  fc.double().map(String),
)

/** A DID-looking string: other networks, bad lengths, other methods. */
const didLike: fc.Arbitrary<string> = fc.oneof(
  hex(40).map((h) => `did:ethr:othernet:0x${h}`),
  hex(40).map((h) => `did:ethr:0x${h}`),
  hex(40).map((h) => `did:ethr:0x5:0x${h}`),
  hex(40).map((h) => `did:ethr:govcred:0x${h}`),
  hex(66).map((h) => `did:ethr:govcred:0x${h}`),
  hex(64).map((h) => `did:ethr:govcred:0x04${h}`),
  hex(39).map((h) => `did:ethr:govcred:0x${h}`),
  fc.constantFrom(
    'did:',
    'did:ethr',
    'did:ethr:',
    'did:ethr:govcred:',
    'did:web:example.com',
    'did:key:z6Mk',
    'DID:ETHR:GOVCRED:0x00',
    'did:ethr:govcred:0x',
  ),
  fc.string({ maxLength: 30 }).map((s) => `did:${s}`),
)

/** Path segment tricks, already in their on-the-wire (binary string) form. */
const pathTrick: fc.Arbitrary<string> = fc.constantFrom(
  '..',
  '../..',
  '%2e%2e',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2f..%2f..%2fpackage.json',
  '%252e%252e%252f',
  '%00',
  '%ff',
  '%c0%af',
  '%e4%b8',
  '%ed%a0%80',
  '%',
  '%zz',
  '%u002e',
  ';a=b',
  '.',
  '~',
  '\xff\xfe',
  '\xc3\x28',
  '\xe2\x82',
  '\xed\xa0\x80',
  'a'.repeat(5000),
  'x'.repeat(20_000),
  '%20',
  '\\..\\..\\',
  'urn:uuid:00000000-0000-0000-0000-000000000000',
  '00000000-0000-0000-0000-000000000000',
  '320106003005GB00123F00000001',
  '320106003005gb00123f0000000',
)

/** A path-parameter value as sent: a good one, a tricky one, encoded, raw, or double-encoded. */
function pathValue(name: string, context: FuzzContext): fc.Arbitrary<string> {
  const good = context.pathValues[name] ?? []
  const plain = fc.oneof(
    { weight: 4, arbitrary: good.length ? fc.constantFrom(...good) : trickyString },
    { weight: 2, arbitrary: didLike },
    { weight: 2, arbitrary: trickyString },
    { weight: 1, arbitrary: good.length ? fc.tuple(fc.constantFrom(...good), trickyString).map(([g, t]) => g + t) : trickyString },
  )
  return fc.oneof(
    { weight: 4, arbitrary: plain.map((v) => encodeURIComponent(toWellFormed(v))) },
    { weight: 1, arbitrary: plain.map((v) => utf8(v).replace(/[\s?#]/g, (c) => encodeURIComponent(c))) },
    { weight: 1, arbitrary: plain.map((v) => encodeURIComponent(encodeURIComponent(toWellFormed(v)))) },
    { weight: 3, arbitrary: pathTrick },
  )
}

/** Lone surrogates replaced, so that encodeURIComponent does not throw (the raw forms keep them). */
const toWellFormed = (value: string) => value.replace(/[\ud800-\udfff]/g, '\ufffd')

// ————— query —————

/** A value a query parameter accepts: its enum, an integer in range, or by its name a type, a DID, a date, an id. */
function goodQueryValue(parameter: Operation['parameters'][number], context: FuzzContext): fc.Arbitrary<string> {
  const schema = parameter.schema
  if (Array.isArray(schema?.enum)) return fc.constantFrom(...schema.enum.map(String))
  if (schema?.type === 'integer') return fc.integer({ min: schema.minimum ?? 0, max: schema.maximum ?? 1000 }).map(String)
  const name = parameter.name.toLowerCase()
  const known = (values: string[] | undefined, fallback: string[]) => fc.constantFrom(...(values?.length ? values : fallback))
  if (name === 'type')
    return fc.constantFrom('BusinessLicenseCredential', 'PropertyCertificateCredential', 'SocialSecurityStatusCredential')
  if (/holder|did|issuer/.test(name)) return known(context.pathValues.did, ['did:key:z6Mk'])
  if (/from|until|before|after|date/.test(name)) return fc.constantFrom('2026-01-01', '2026-01-01T00:00:00Z', '2030-12-31T23:59:59.999Z')
  if (/id$/.test(name)) return known(context.pathValues.id, ['urn:uuid:00000000-0000-0000-0000-000000000000'])
  return fc.string({ unit: fc.constantFrom(...HEX), minLength: 1, maxLength: 12 })
}

const enc = (s: string) => encodeURIComponent(toWellFormed(s))
type Twist = (items: string[]) => string[]

/**
 * The query as sent: a valid query of the declared parameters (a subset), with one twist: a parameter repeated
 * (`a=1&a=2`), as an array (`a[]=`) or an object (`a[b]=`, `a[__proto__][x]=`), bare, with a tricky value,
 * an undeclared one, or raw bytes.
 */
function queryFor(parameters: Operation['parameters'], context: FuzzContext): fc.Arbitrary<string> {
  const declared = parameters.filter((p) => p.in === 'query')
  const names = declared.length ? declared.map((p) => p.name) : ['limit', 'cursor']
  const valid: fc.Arbitrary<[string, string][]> = declared.length
    ? fc
        .tuple(...declared.map((p) => fc.option(goodQueryValue(p, context), { nil: undefined, freq: 2 })))
        .map((values) => declared.flatMap((p, i) => (values[i] === undefined ? [] : [[p.name, values[i]!] as [string, string]])))
    : fc.constant([])
  const value = fc.oneof(trickyString, fc.nat().map(String), fc.constantFrom('50', '1', '200', '201', '0', 'a'.repeat(10_000)))
  const name = fc.constantFrom(...names)
  const twist: fc.Arbitrary<Twist> = fc.oneof(
    { weight: 1, arbitrary: fc.constant((items: string[]) => items) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(name, value, value)
        .map(([n, v, w]) => (items: string[]) => [...items, `${enc(n)}=${enc(v)}`, `${enc(n)}=${enc(w)}`]),
    },
    { weight: 2, arbitrary: fc.tuple(name, value).map(([n, v]) => (items: string[]) => [...items, `${enc(n)}[]=${enc(v)}`]) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(name, value, fc.constantFrom('b', '__proto__][x', '0', ''))
        .map(([n, v, k]) => (items: string[]) => [...items, `${enc(n)}[${k}]=${enc(v)}`]),
    },
    { weight: 1, arbitrary: name.map((n) => (items: string[]) => [...items, enc(n)]) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(name, value)
        .map(([n, v]) => (items: string[]) => [...items.filter((i) => !i.startsWith(`${enc(n)}=`)), `${enc(n)}=${enc(v)}`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', '__proto__', 'constructor', 'toString', '', 'jwt', 'certificate', 'x'.repeat(300)), value)
        .map(([n, v]) => (items: string[]) => [...items, `${enc(n)}=${enc(v)}`]),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('=', '&&&', '%', '%ff=%fe', 'a=%', 'a=\xff', '%00=%00', 'a=1;b=2', 'a=' + '%41'.repeat(3000))
        .map((raw) => (items: string[]) => [...items, raw]),
    },
  )
  return fc
    .tuple(valid, twist)
    .map(([pairs, apply]) => apply(pairs.map(([n, v]) => `${enc(n)}=${enc(v)}`)))
    .map((items) => (items.length ? `?${items.join('&')}` : ''))
}

// ————— headers —————

function authorization(operation: Operation, context: FuzzContext): fc.Arbitrary<string | undefined> {
  const department = fc.constantFrom(...context.departmentKeys).map((k) => `Bearer ${k}`)
  const relyingParty = fc.constant(`Bearer ${context.relyingPartyKey}`)
  const garbage = fc.oneof(
    fc.constantFrom(
      'Bearer',
      'Bearer ',
      'Bearer  ',
      'bearer gck_',
      'Basic Zm9vOmJhcg==',
      'Digest username="a"',
      'Bearer gck_' + 'A'.repeat(43),
      'Bearer gck_\xff\xfe',
      'Bearer ' + 'x'.repeat(8000),
      'Bearer a.b.c',
      'Bearer null',
      'Bearer undefined',
      '\xe4\xb8\xad',
    ),
    fc.string({ maxLength: 60 }).map((s) => `Bearer ${s.replace(/[\r\n\u0000-\u001f\u007f]/g, '')}`),
    fc
      .tuple(fc.constantFrom(...context.departmentKeys), fc.constantFrom('x', ' ', ', Bearer gck_x', '=', '\t'))
      .map(([k, t]) => `Bearer ${k}${t}`),
    fc.constantFrom(...context.departmentKeys).map((k) => k),
    fc.constantFrom(...context.departmentKeys).map((k) => `Bearer ${k.slice(0, -1)}`),
  )
  // The operator routes: mostly the operator's key (to reach the routes' own checks), and every other kind.
  if (operation.auth === 'operator') {
    return fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: department },
      { weight: 1, arbitrary: relyingParty },
      { weight: 2, arbitrary: garbage },
      { weight: 7, arbitrary: fc.constant(`Bearer ${context.operatorKey}`) },
    )
  }
  const weights = { department: [2, 7, 1, 2], relyingParty: [3, 1, 5, 2], none: [4, 2, 2, 2] }[operation.auth]
  return fc.oneof(
    { weight: weights[0]!, arbitrary: fc.constant(undefined) },
    { weight: weights[1]!, arbitrary: department },
    { weight: weights[2]!, arbitrary: relyingParty },
    { weight: weights[3]!, arbitrary: garbage },
  )
}

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=utf-8',
      'application/json; charset="UTF-8"',
      'application/json; charset=koi8-r',
      'application/json;;;',
      'application/ld+json',
      'application/vc+jwt',
      'application/*+json',
      'APPLICATION/JSON',
      'application/jsonx',
      'json',
      '*/*',
      '',
      '\xff\xfe',
    ),
  },
)

const extraHeaders: fc.Arbitrary<[string, string][]> = fc.array(
  fc.constantFrom<[string, string]>(
    ['Content-Encoding', 'gzip'],
    ['Content-Encoding', 'br'],
    ['Content-Encoding', 'deflate'],
    ['Content-Encoding', 'x-unknown'],
    ['Content-Encoding', 'identity'],
    ['Prefer', 'respond-async'],
    ['Prefer', 'respond-async, wait=1'],
    ['Prefer', 'wait=-1, handling=lenient'],
    ['Prefer', '\xff'],
    ['Accept', 'application/xml'],
    ['Accept', '*/*;q=0'],
    ['Accept-Charset', 'latin1'],
    ['X-Forwarded-For', '203.0.113.9, 10.0.0.1'],
    ['X-HTTP-Method-Override', 'DELETE'],
    ['Expect', 'nothing'],
    ['Origin', 'https://evil.example'],
    ['Cookie', 'a=b'],
    ['Range', 'bytes=0-1'],
  ),
  { maxLength: 3 },
)

// ————— bodies —————

/** A JSON value shaped like a schema (its enums, consts, required and optional properties). */
function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 4) return fc.jsonValue({ maxDepth: 2 })
  if ('const' in schema) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum)
  const choices = schema.oneOf ?? schema.anyOf
  if (Array.isArray(choices) && choices.length) return fc.oneof(...choices.map((s: Schema) => fromSchema(s, depth + 1)))
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const properties: Record<string, Schema> = schema.properties ?? {}
      if (!Object.keys(properties).length) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 })
      const record: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [key, value] of Object.entries(properties)) record[key] = fromSchema(value, depth + 1)
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((k: string) => k in record) })
    }
    case 'array':
      return fc.array(fromSchema(schema.items, depth + 1), { maxLength: 4 })
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: schema.maximum ?? 1000 })
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true })
    case 'boolean':
      return fc.boolean()
    case 'string':
      return schema.format === 'date-time' ? fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) : trickyString
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

/** A value of the wrong JSON type (or an odd one of the right type). */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, '', [], {}, [[]], { '': '' }, '1', ['a', 'b']),
  fc.jsonValue({ maxDepth: 2 }),
  trickyString,
  fc.integer({ min: 500, max: 20_000 }).map((n) => 'x'.repeat(n)),
  fc.nat({ max: 600 }).map((n) => Array.from({ length: n }, (_, i) => `item-${i}`)),
)

type Mutation = { kind: 'set' | 'delete' | 'extra' | 'wrap'; at: number; key: string; value: unknown }

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'set', 'delete', 'extra', 'wrap'),
  at: fc.nat(),
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'type', '@context', 'jwt', 'proof', ''), fc.string({ maxLength: 8 })),
  value: wrongValue,
})

/** Every path (array of keys) to a value inside `value`, the root included. */
function pathsOf(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at)
  if (out.length > 400) return out
  if (Array.isArray(value)) value.slice(0, 20).forEach((v, i) => pathsOf(v, [...at, i], out))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out)
  return out
}

/** A deep copy of `value` with the mutation applied at one of its paths. */
export function mutate(value: unknown, m: Mutation): unknown {
  const copy = structuredClone(value)
  const paths = pathsOf(copy)
  const path = paths[m.at % paths.length]!
  if (path.length === 0) return m.kind === 'wrap' ? [copy] : m.kind === 'set' ? m.value : copy
  const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], copy)
  const last = path[path.length - 1]!
  if (m.kind === 'set') parent[last] = m.value
  else if (m.kind === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last]
  else if (m.kind === 'wrap') parent[last] = Array.isArray(parent[last]) ? { [m.key]: parent[last] } : [parent[last]]
  else {
    const target = parent[last]
    if (target && typeof target === 'object' && !Array.isArray(target))
      Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true })
    else parent[last] = { [m.key]: m.value }
  }
  return copy
}

const BODY_LIMIT = 256 * 1024

/** Bodies as sent (binary strings). `base` generates the operation's own JSON. */
function body(base: fc.Arbitrary<unknown>): fc.Arbitrary<string | undefined> {
  const nesting = fc
    .tuple(fc.constantFrom(100, 1_000, 10_000, 100_000, 130_000), fc.constantFrom('[', '{"a":'))
    .map(([depth, open]) => (open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : open.repeat(depth) + '1' + '}'.repeat(depth)))
  const huge = fc
    .tuple(base, fc.constantFrom(10_000, BODY_LIMIT - 200, BODY_LIMIT - 20, BODY_LIMIT + 1, 400_000), fc.string({ maxLength: 10 }))
    .map(([value, size, key]) => {
      const object = value && typeof value === 'object' && !Array.isArray(value) ? { ...value } : {}
      const text = JSON.stringify(object)
      ;(object as Record<string, unknown>)[key] = 'x'.repeat(Math.max(0, size - text.length - key.length - 10))
      return jsonBytes(object)
    })
  const invalidUtf8 = fc
    .tuple(base, fc.constantFrom('\xff', '\xfe\xff', '\xc0\xaf', '\xed\xa0\x80', '\xe2\x82', '\xf4\x90\x80\x80', '\x80'))
    .map(([value, bad]) => {
      const text = jsonBytes(value)
      const quote = text.indexOf('"', 1)
      return quote > 0 ? text.slice(0, quote) + bad + text.slice(quote) : `"${bad}"`
    })
  return fc.oneof(
    { weight: 12, arbitrary: base.map(jsonBytes) },
    { weight: 2, arbitrary: fc.jsonValue().map(jsonBytes) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        '{',
        '}',
        'null',
        '"string"',
        '1e400',
        '-0',
        '[]',
        '{"a":1,"a":2}',
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
        '\xef\xbb\xbf{}',
        '{"a":"\\ud800"}',
        '{"a":"\\u0000"}',
        'a=1&b[c]=2',
        '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
        '\x1f\x8b\x08\x00garbage',
        ' '.repeat(5000),
        '[' + '1,'.repeat(50_000) + '1]',
        '{' + Array.from({ length: 5000 }, (_, i) => `"k${i}":${i}`).join(',') + '}',
      ),
    },
    { weight: 2, arbitrary: nesting },
    { weight: 1, arbitrary: huge },
    { weight: 2, arbitrary: invalidUtf8 },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
  )
}

/** The JSON an operation's body is made of: a known-good body or a schema-shaped one, with 0–3 mutations. */
function bodyValue(operation: Operation, context: FuzzContext): fc.Arbitrary<unknown> {
  const good = context.bodies[`${operation.method} ${operation.path}`] ?? []
  const start = good.length
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fromSchema(operation.bodySchema) })
    : fromSchema(operation.bodySchema)
  return fc.tuple(start, fc.array(mutation, { maxLength: 3 })).map(([value, mutations]) => mutations.reduce(mutate, value))
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'get']

/** Hostile requests for one operation. */
export function requestFor(operation: Operation, context: FuzzContext): fc.Arbitrary<HostileRequest> {
  const pathParams = operation.parameters.filter((p) => p.in === 'path')
  const declaredQuery = operation.parameters.filter((p) => p.in === 'query')
  const takesBody = operation.bodySchema !== undefined
  const path = fc
    .tuple(...pathParams.map((p) => pathValue(p.name, context)))
    .map((values) => pathParams.reduce((at, p, i) => at.replace(`{${p.name}}`, values[i]!), operation.path))
  const query = fc.oneof(
    { weight: declaredQuery.length ? 1 : 3, arbitrary: fc.constant('') },
    { weight: declaredQuery.length ? 4 : 1, arbitrary: queryFor(operation.parameters, context) },
  )
  return fc
    .record({
      method: fc.oneof(
        { weight: 9, arbitrary: fc.constant(operation.method) },
        { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
      ),
      path,
      query,
      authorization: authorization(operation, context),
      contentType: takesBody
        ? contentType
        : fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: contentType }),
      extra: extraHeaders,
      body: takesBody
        ? body(bodyValue(operation, context))
        : fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: body(fc.jsonValue()) }),
      trailingSlash: fc.oneof({ weight: 9, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('/', '//', '/.', '%2f') }),
    })
    .map(({ method, path, query, authorization, contentType, extra, body, trailingSlash }) => {
      const headers: [string, string][] = []
      if (authorization !== undefined) headers.push(['Authorization', authorization])
      if (contentType !== undefined && body !== undefined) headers.push(['Content-Type', contentType])
      headers.push(...extra)
      return { label: `${operation.method} ${operation.path}`, method, target: `${path}${trailingSlash}${query}`, headers, body }
    })
}
