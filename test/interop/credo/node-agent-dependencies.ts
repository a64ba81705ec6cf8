/**
 * credo-ts's `agentDependencies` for Node, built by hand: `@credo-ts/node` 0.6 is not on the registry. Its
 * `packages/node/src/index.ts` gives FileSystem, fetch, EventEmitter and WebSocket (from `ws`); here the
 * FileSystem is in memory (the holder writes no files in this flow), fetch and EventEmitter are Node's, and
 * WebSocket, which only DIDComm transports use, refuses: this holder speaks OpenID4VCI over HTTPS/HTTP only.
 */
import { EventEmitter } from 'node:events'
import type { AgentDependencies, DownloadToFileOptions, FileSystem } from '@credo-ts/core'

class InMemoryFileSystem implements FileSystem {
  readonly dataPath = '/credo/data'
  readonly cachePath = '/credo/cache'
  readonly tempPath = '/credo/tmp'
  readonly #files = new Map<string, string>()

  async exists(path: string): Promise<boolean> {
    return this.#files.has(path)
  }
  async createDirectory(): Promise<void> {}
  async copyFile(sourcePath: string, destinationPath: string): Promise<void> {
    this.#files.set(destinationPath, await this.read(sourcePath))
  }
  async write(path: string, data: string): Promise<void> {
    this.#files.set(path, data)
  }
  async read(path: string): Promise<string> {
    const data = this.#files.get(path)
    if (data === undefined) throw new Error(`ENOENT: no such file '${path}'`)
    return data
  }
  async delete(path: string): Promise<void> {
    for (const key of [...this.#files.keys()]) if (key === path || key.startsWith(`${path}/`)) this.#files.delete(key)
  }
  async downloadToFile(url: string, path: string, _options?: DownloadToFileOptions): Promise<void> {
    const res = await fetch(url)
    if (res.status !== 200) throw new Error(`Unable to download file from url: ${url}. Response status was ${res.status}`)
    this.#files.set(path, await res.text())
  }
}

class NoWebSocket {
  constructor() {
    throw new Error('this holder has no WebSocket transport (DIDComm is not used)')
  }
}

export const nodeAgentDependencies: AgentDependencies = {
  FileSystem: InMemoryFileSystem,
  fetch,
  EventEmitterClass: EventEmitter,
  WebSocketClass: NoWebSocket as unknown as AgentDependencies['WebSocketClass'],
}
