import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Ajv2020Module from 'ajv/dist/2020.js'
import { keccak256, toUtf8Bytes } from 'ethers'
import { describe, expect, it } from 'vitest'
import { loadAllSchemas, loadSchema, schemasDir } from '../../src/catalog/schemas/load-schemas.js'
import { schemaContentHash } from '../../src/catalog/schemas/schema-hash.js'
import { createClaimsAjv } from '../../src/catalog/schemas/validate-claims.js'
import { CREDENTIAL_TYPES, CREDENTIAL_TYPE_NAMES, credentialTypeHash, isCredentialTypeName } from '../../src/catalog/credential-types.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const fileJson = (file: string): Record<string, Json> => JSON.parse(readFileSync(join(schemasDir(), file), 'utf8'))

/** Same JSON, every object's keys in reverse order. */
function reverseKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(reverseKeys)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  )
}

/** Every schema node reachable through `properties` and `items`, with a readable path. */
function* fields(node: Record<string, Json>, path = ''): Generator<[string, Record<string, Json>]> {
  const properties = (node.properties ?? {}) as Record<string, Record<string, Json>>
  for (const [name, child] of Object.entries(properties)) {
    yield [`${path}/${name}`, child]
    yield* fields(child, `${path}/${name}`)
  }
  if (node.items && typeof node.items === 'object' && !Array.isArray(node.items)) {
    const items = node.items as Record<string, Json>
    yield [`${path}/[]`, items]
    yield* fields(items, `${path}/[]`)
  }
}

const HAN = /\p{Script=Han}/u
const LATIN = /[A-Za-z]/

/** "中文 / English": Chinese before the separator, English (no Han) after it. */
function isBilingualTitle(title: Json | undefined): boolean {
  if (typeof title !== 'string') return false
  const parts = title.split(' / ')
  return parts.length === 2 && HAN.test(parts[0]!) && LATIN.test(parts[1]!) && !HAN.test(parts[1]!)
}

/** Descriptions may quote Chinese terms in the English half, so only require both halves. */
function isBilingualDescription(description: Json | undefined): boolean {
  if (typeof description !== 'string') return false
  const at = description.indexOf(' / ')
  return at > 0 && HAN.test(description.slice(0, at)) && LATIN.test(description.slice(at + 3))
}

const schemas = CREDENTIAL_TYPE_NAMES.map((type) => ({ type, json: fileJson(CREDENTIAL_TYPES[type].schemaFile) }))

describe('schemaContentHash', () => {
  const base = fileJson(CREDENTIAL_TYPES.BusinessLicenseCredential.schemaFile)
  const baseHash = schemaContentHash(base)

  it('is keccak256 over the RFC 8785 canonical form', () => {
    expect(schemaContentHash({ b: [1, '营'], a: { d: true, c: null } })).toBe(
      keccak256(toUtf8Bytes('{"a":{"c":null,"d":true},"b":[1,"营"]}')),
    )
  })

  it.each(schemas)('is stable under key reordering and reformatting for $type', ({ json }) => {
    const hash = schemaContentHash(json)
    expect(schemaContentHash(reverseKeys(json))).toBe(hash)
    expect(schemaContentHash(JSON.parse(JSON.stringify(json, null, 7)))).toBe(hash)
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it.each([
    { name: 'a title changes', edit: (s: any) => (s.properties.enterpriseName.title = '企业名称 / Enterprise name') },
    { name: 'a maxLength changes', edit: (s: any) => (s.properties.enterpriseName.maxLength = 201) },
    { name: 'a number becomes a string', edit: (s: any) => (s.properties.registeredCapital.properties.amount.minimum = '0') },
    { name: 'a required claim is dropped', edit: (s: any) => s.required.pop() },
    { name: 'required claims are reordered', edit: (s: any) => s.required.reverse() },
    { name: 'a property is added', edit: (s: any) => (s.properties.paidInCapital = { type: 'number' }) },
    { name: 'the version changes', edit: (s: any) => (s['x-govcred'].version = '1.0.1') },
    { name: 'a trailing space is added to a description', edit: (s: any) => (s.description += ' ') },
  ])('changes when $name', ({ edit }) => {
    const changed = structuredClone(base)
    edit(changed)
    expect(schemaContentHash(changed)).not.toBe(baseHash)
  })

  it('throws TypeError for a value with no JSON form', () => {
    expect(() => schemaContentHash(undefined)).toThrow(TypeError)
  })
})

describe('loadAllSchemas', () => {
  it('loads every catalogue type with its hash, version and $id', () => {
    const loaded = loadAllSchemas()
    expect(loaded.map((s) => s.schemaId)).toEqual([...CREDENTIAL_TYPE_NAMES])
    for (const s of loaded) {
      const json = fileJson(CREDENTIAL_TYPES[s.schemaId].schemaFile)
      expect(s.contentHash).toBe(schemaContentHash(json))
      expect(s.version).toBe('1.0.0')
      expect(s.uri).toBe(json.$id)
      expect(s.schema).toEqual(json)
      expect(Object.isFrozen(s.schema)).toBe(true)
    }
  })

  it('returns the same object on repeated loads', () => {
    expect(loadSchema('PropertyCertificateCredential')).toBe(loadSchema('PropertyCertificateCredential'))
  })

  // Published schemas are immutable: an edit must ship as a new version file, not change these.
  it('keeps the published v1.0.0 hashes', () => {
    expect(Object.fromEntries(loadAllSchemas().map((s) => [s.schemaId, s.contentHash]))).toEqual({
      BusinessLicenseCredential: '0x6326f80b93b52f592dceef892f1415165818be7eaec3d1dd6e122b028d28842b',
      PropertyCertificateCredential: '0x8c7878eae0fee937beae839b2fef0a9d4b87a0be6e493bd92a22bc06c8265dff',
      SocialSecurityStatusCredential: '0x329d9f6fd229fed33b806649376ab3a463b394bc12fb568c03a0362cc36a42bc',
      SocialInsuranceRegistrationCredential: '0x1641ade40e7312e8064a1560f8677b4c3eb480e29c70354d29bed942c7291de8',
    })
  })
})

describe.each(schemas)('schema of $type', ({ type, json }) => {
  it('compiles in ajv strict mode', () => {
    expect(() => createClaimsAjv().compile(json)).not.toThrow()
  })

  it('is rejected by a strict ajv that does not know x-govcred, so strict mode is in force', () => {
    const Ajv2020 = Ajv2020Module.default
    expect(() => new Ajv2020({ strict: true }).compile(json)).toThrow(/x-govcred|unknown format/)
  })

  it('declares its identity consistently with the catalogue', () => {
    const entry = CREDENTIAL_TYPES[type]
    const kebab = entry.schemaFile.replace(/\.v\d+\.\d+\.\d+\.json$/, '')
    expect(json.$schema).toBe('https://json-schema.org/draft/2020-12/schema')
    expect(json.$id).toBe(`https://schemas.govcred.example/${kebab}/${entry.schemaVersion}`)
    expect(json['x-govcred']).toEqual({ credentialType: type, version: entry.schemaVersion })
    expect(json.type).toBe('object')
    expect(json.additionalProperties).toBe(false)
    expect(json.required).toContain(entry.subjectKey)
  })

  it('has a bilingual title and description, on the schema and on every field', () => {
    const missing: string[] = []
    for (const [path, node] of [['', json] as [string, Record<string, Json>], ...fields(json)]) {
      if (!isBilingualTitle(node.title)) missing.push(`${path || '/'} title`)
      if (!isBilingualDescription(node.description)) missing.push(`${path || '/'} description`)
    }
    expect(missing).toEqual([])
  })

  it('closes every object and bounds every string', () => {
    const problems: string[] = []
    for (const [path, node] of fields(json)) {
      const types = ([] as Json[]).concat(node.type ?? [])
      if (types.includes('object') && node.additionalProperties !== false) problems.push(`${path} is open`)
      if (types.includes('string') && node.enum === undefined && typeof node.maxLength !== 'number') {
        problems.push(`${path} has no maxLength`)
      }
    }
    expect(problems).toEqual([])
  })

  it('makes the holder DID optional', () => {
    expect(json.required).not.toContain('id')
    expect(json.properties).toMatchObject({ id: { type: 'string', pattern: '^did:' } })
  })
})

describe('credential type catalogue', () => {
  it.each(CREDENTIAL_TYPE_NAMES)('%s is keyed by its own type and schema id', (name) => {
    expect(CREDENTIAL_TYPES[name].type).toBe(name)
    expect(CREDENTIAL_TYPES[name].schemaId).toBe(name)
    expect(credentialTypeHash(name)).toBe(keccak256(toUtf8Bytes(name)))
  })

  it.each([
    { pass: true, value: 'BusinessLicenseCredential' },
    { pass: true, value: 'SocialSecurityStatusCredential' },
    { pass: false, value: 'VerifiableCredential' },
    { pass: false, value: 'toString' },
    { pass: false, value: 'businesslicensecredential' },
    { pass: false, value: 42 },
    { pass: false, value: undefined },
  ])('isCredentialTypeName($value) is $pass', ({ pass, value }) => {
    expect(isCredentialTypeName(value)).toBe(pass)
  })

  it('is frozen', () => {
    expect(Object.isFrozen(CREDENTIAL_TYPES)).toBe(true)
    expect(Object.isFrozen(CREDENTIAL_TYPES.BusinessLicenseCredential)).toBe(true)
  })
})
