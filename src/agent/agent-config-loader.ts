import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse as parseYaml } from 'yaml'

/** A problem in agent.yml, with the JSON pointer where it happened. Never exits the process. */
export class AgentConfigError extends Error {
  constructor(
    message: string,
    readonly pointer: string,
    options?: { cause?: unknown },
  ) {
    super(`agent.yml ${pointer || '/'}: ${message}`, options)
    this.name = 'AgentConfigError'
  }
}

export interface LoadOptions {
  /** Values for `$env`: the caller's validated settings, never the process environment itself. */
  env: Record<string, string | undefined>
}

/**
 * Reads a Veramo-style config file and builds the objects it names, following Veramo's syntax:
 * `$require: 'module?t=class|function|object&p=/pointer#Export'`, `$args: [...]`, `$ref: /pointer`, `$env: NAME`.
 * Unlike Veramo's CLI loader it throws (AgentConfigError) instead of calling process.exit.
 *
 * @example
 * const objects = await loadAgentConfig('agent.yml', { env })
 * const agent = await objects.get('/agent')
 */
export async function loadAgentConfig(file: string, options: LoadOptions) {
  const text = await readFile(file, 'utf8')
  let config: unknown
  try {
    config = parseYaml(text)
  } catch (cause) {
    throw new AgentConfigError(`not valid YAML: ${(cause as Error).message}`, '', { cause })
  }
  if (!config || typeof config !== 'object') throw new AgentConfigError('must be a mapping', '')
  return new ObjectCreator(config as Record<string, unknown>, dirname(resolve(file)), options.env)
}

class ObjectCreator {
  private readonly built = new Map<string, Promise<unknown>>()
  constructor(
    private readonly config: Record<string, unknown>,
    private readonly baseDir: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Builds (once) and returns the object at a JSON pointer such as `/agent`. */
  get(pointer: string): Promise<unknown> {
    let existing = this.built.get(pointer)
    if (!existing) {
      existing = this.resolveValue(jsonPointerGet(this.config, pointer), pointer)
      this.built.set(pointer, existing)
    }
    return existing
  }

  private async resolveValue(value: unknown, pointer: string): Promise<unknown> {
    if (value === undefined) throw new AgentConfigError('nothing at this pointer', pointer)
    if (Array.isArray(value)) {
      return Promise.all(value.map((item, i) => this.resolveValue(item, `${pointer}/${i}`)))
    }
    if (!value || typeof value !== 'object') return value
    const record = value as Record<string, unknown>
    if ('$ref' in record) return this.get(String(record.$ref))
    if ('$env' in record) {
      const name = String(record.$env)
      const found = this.env[name]
      if (found === undefined && !('$default' in record)) throw new AgentConfigError(`environment variable ${name} is not set`, pointer)
      return found ?? record.$default
    }
    if ('$require' in record) return this.instantiate(record, pointer)
    const out: Record<string, unknown> = {}
    for (const [key, child] of Object.entries(record)) out[key] = await this.resolveValue(child, `${pointer}/${key}`)
    return out
  }

  private async instantiate(record: Record<string, unknown>, pointer: string): Promise<unknown> {
    const spec = String(record.$require)
    const modulePath = spec.split(/[?#]/)[0]
    const member = /#([^?]*)/.exec(spec)?.[1] || undefined
    const query = /\?([^#]*)/.exec(spec)?.[1] ?? ''
    const params = new URLSearchParams(query)
    const kind = params.get('t') ?? 'class'
    const subPointer = params.get('p')
    const args = record.$args === undefined ? [] : await this.resolveValue(record.$args, `${pointer}/$args`)
    if (!Array.isArray(args)) throw new AgentConfigError('$args must be a list', pointer)

    let moduleExports: Record<string, unknown>
    try {
      moduleExports = await import(this.moduleUrl(modulePath))
    } catch (cause) {
      throw new AgentConfigError(`cannot load module "${modulePath}": ${(cause as Error).message}`, pointer, { cause })
    }
    const target = member
      ? (moduleExports[member] ?? (moduleExports.default as Record<string, unknown> | undefined)?.[member])
      : (moduleExports.default ?? moduleExports)
    if (target === undefined) throw new AgentConfigError(`module "${modulePath}" has no export "${member}"`, pointer)
    let object: unknown
    try {
      if (kind === 'object') object = target
      else if (kind === 'function') object = await (target as (...a: unknown[]) => unknown)(...args)
      else if (kind === 'class') object = new (target as new (...a: unknown[]) => unknown)(...args)
      else throw new AgentConfigError(`unknown $require type t=${kind} (class, function or object)`, pointer)
    } catch (cause) {
      if (cause instanceof AgentConfigError) throw cause
      throw new AgentConfigError(`building ${spec} failed: ${(cause as Error).message}`, pointer, { cause })
    }
    return subPointer ? jsonPointerGet(object, subPointer) : object
  }

  private moduleUrl(modulePath: string): string {
    if (modulePath.startsWith('.') || isAbsolute(modulePath)) return pathToFileURL(resolve(this.baseDir, modulePath)).href
    return modulePath
  }
}

function jsonPointerGet(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return root
  let current: unknown = root
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (current === null || typeof current !== 'object') return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}
