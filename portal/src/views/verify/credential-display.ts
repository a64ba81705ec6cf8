import { listSchemas, localTitle, type JsonSchema, type PublishedSchema } from '../../api/public-api'
import type { Bilingual } from './verify-api'

/**
 * The names a person reads for credential types and their claims, from the published schemas (GET /v1/schemas:
 * each title "名称 / Enterprise name" in both languages), loaded once per page.
 */
export interface CredentialCatalog {
  schemas: PublishedSchema[]
  /** The type's name ("营业执照" / "Business licence"); the type itself when it is not published. */
  typeName(type: string): Bilingual
  /** The claims a holder can disclose one by one: the schema's top-level properties but the holder's `id`. */
  claimsOf(type: string): { name: string; label: Bilingual }[]
  /** The label of a claim path: `enterpriseName`, `owners.*.name`, `area.buildingArea`; the last name when unknown. */
  label(type: string, path: string): Bilingual
}

let loading: Promise<CredentialCatalog> | undefined

/** The catalogue (fetched on first use; a failed fetch is not kept, the next call tries again). */
export function loadCatalog(): Promise<CredentialCatalog> {
  loading ??= listSchemas().then(catalogOf, (error: unknown) => {
    loading = undefined
    throw error
  })
  return loading
}

const bilingual = (title: string | undefined, fallback: string): Bilingual => ({
  'zh-CN': localTitle(title, 'zh-CN') || fallback,
  en: localTitle(title, 'en') || fallback,
})

function catalogOf(schemas: PublishedSchema[]): CredentialCatalog {
  const labels = new Map<string, Map<string, Bilingual>>()
  for (const published of schemas) {
    const own = new Map<string, Bilingual>()
    const walk = (node: JsonSchema, prefix: string) => {
      for (const [name, child] of Object.entries(node.properties ?? {})) {
        const path = prefix ? `${prefix}.${name}` : name
        own.set(path, bilingual(child.title, name))
        walk(child, path)
        if (child.items) walk(child.items, `${path}.*`)
      }
    }
    walk(published.schema, '')
    labels.set(published.type, own)
  }
  const schemaOf = (type: string) => schemas.find((s) => s.type === type)
  return {
    schemas,
    typeName: (type) => schemaOf(type)?.title ?? { 'zh-CN': type, en: type },
    claimsOf: (type) =>
      Object.keys(schemaOf(type)?.schema.properties ?? {})
        .filter((name) => name !== 'id')
        .map((name) => ({ name, label: labels.get(type)?.get(name) ?? { 'zh-CN': name, en: name } })),
    label: (type, path) => {
      const found = labels.get(type)?.get(path)
      if (found) return found
      const last = path.split('.').pop() ?? path
      return { 'zh-CN': last, en: last }
    },
  }
}
