import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/config.js'

const SECRET = 'ab'.repeat(32)

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw one). */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).problems
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`)
}

describe('loadConfig: every problem at once', () => {
  it('lists a bad PORT, a bad GOVCRED_CHAIN_MODE and a bad secret together', () => {
    const problems = problemsOf({ PORT: 'notaport', GOVCRED_CHAIN_MODE: 'cloud', GOVCRED_KMS_SECRET: 'not-hex' })
    expect(problems).toHaveLength(3)
    expect(problems.find((p) => p.startsWith('PORT'))).toContain('"notaport"')
    expect(problems.find((p) => p.startsWith('GOVCRED_CHAIN_MODE'))).toContain('"cloud"')
    expect(problems.find((p) => p.startsWith('GOVCRED_KMS_SECRET'))).toMatch(/64 hex digits/)
  })

  it('lists an external chain without RPC URL and without KMS secret, beside a bad PORT', () => {
    const problems = problemsOf({ GOVCRED_CHAIN_MODE: 'external', PORT: '70000' })
    expect(problems).toHaveLength(3)
    expect(problems.some((p) => p.startsWith('PORT') && p.includes('"70000"'))).toBe(true)
    expect(problems.some((p) => p.startsWith('GOVCRED_RPC_URL is required'))).toBe(true)
    expect(problems.some((p) => p.startsWith('GOVCRED_KMS_SECRET is required'))).toBe(true)
  })

  it('lists every malformed setting, and the message names each one', () => {
    const env = {
      PORT: '-1',
      GOVCRED_CHAIN_MODE: 'external',
      GOVCRED_RPC_URL: 'ftp://node.example',
      GOVCRED_KMS_SECRET: 'ab'.repeat(31),
      GOVCRED_CHAIN_ID: '0',
      GOVCRED_NETWORK_NAME: 'Not_A_Name',
      GOVCRED_STATE_INTERVAL: '1.5',
      GOVCRED_ANVIL_PORT: 'x',
      GOVCRED_DEMO: 'maybe',
    }
    let error: ConfigError | undefined
    try {
      loadConfig(env)
    } catch (caught) {
      error = caught as ConfigError
    }
    expect(error).toBeInstanceOf(ConfigError)
    const named = [
      'PORT',
      'GOVCRED_RPC_URL',
      'GOVCRED_KMS_SECRET',
      'GOVCRED_CHAIN_ID',
      'GOVCRED_NETWORK_NAME',
      'GOVCRED_STATE_INTERVAL',
      'GOVCRED_ANVIL_PORT',
      'GOVCRED_DEMO',
    ]
    expect(error!.problems).toHaveLength(named.length)
    for (const name of named) {
      expect(error!.problems.some((p) => p.startsWith(name))).toBe(true)
      expect(error!.message).toContain(name)
    }
  })

  it('does not echo a malformed secret back', () => {
    const secret = 'zz'.repeat(32)
    const problems = problemsOf({ GOVCRED_KMS_SECRET: secret })
    expect(problems.join('\n')).not.toContain(secret)
  })
})

describe('loadConfig: defaults', () => {
  it('runs embedded on 127.0.0.1:8080 with ./data resolved, chain 20191 named govcred, demo on', () => {
    const config = loadConfig({})
    expect(config.port).toBe(8080)
    expect(config.host).toBe('127.0.0.1')
    expect(config.dataDir).toBe(resolve('./data'))
    expect(config.databaseFile).toBe(resolve('./data', 'govcred.sqlite'))
    expect(config.chain).toMatchObject({
      mode: 'embedded',
      rpcUrl: undefined,
      chainId: 20191,
      networkName: 'govcred',
      deploymentsFile: resolve('./data', 'deployments.json'),
      stateFile: resolve('./data', 'chain', 'anvil-state.json'),
      stateIntervalSeconds: 5,
      embeddedPort: 0,
    })
    expect(config.kmsSecret).toBeUndefined()
    expect(config.demo).toBe(true)
    expect(config.publicUrl).toBe('http://127.0.0.1:8080')
  })

  it('resolves a relative data directory and puts the database and deployments file in it', () => {
    const config = loadConfig({ GOVCRED_DATA_DIR: 'some/where', PORT: '0' })
    expect(config.dataDir).toBe(resolve('some/where'))
    expect(config.databaseFile).toBe(resolve('some/where/govcred.sqlite'))
    expect(config.chain.deploymentsFile).toBe(resolve('some/where/deployments.json'))
    expect(config.port).toBe(0)
  })

  it('takes an RPC URL alone to mean an external chain, with the demo off', () => {
    const config = loadConfig({ GOVCRED_RPC_URL: 'http://10.0.0.5:8545', GOVCRED_KMS_SECRET: SECRET })
    expect(config.chain.mode).toBe('external')
    expect(config.chain.rpcUrl).toBe('http://10.0.0.5:8545')
    expect(config.kmsSecret).toBe(SECRET)
    expect(config.demo).toBe(false)
  })
})

describe('loadConfig: the result is frozen', () => {
  it('refuses changes at the top level and in chain', () => {
    const config = loadConfig({})
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.chain)).toBe(true)
    expect(() => {
      ;(config as { port: number }).port = 1
    }).toThrow(TypeError)
    expect(() => {
      ;(config.chain as { rpcUrl?: string }).rpcUrl = 'http://evil'
    }).toThrow(TypeError)
    expect(config.port).toBe(8080)
  })
})

describe('one-stop settings', () => {
  it('keeps finished cases 30 days and lets 10,000 wait by default; validates both', () => {
    expect(loadConfig({}).onestop).toMatchObject({ caseTtlSeconds: 30 * 86_400, maxOpenCases: 10_000 })
    const set = loadConfig({ GOVCRED_ONESTOP_CASE_TTL_SECONDS: '7200', GOVCRED_ONESTOP_MAX_OPEN_CASES: '3' }).onestop
    expect(set).toMatchObject({ caseTtlSeconds: 7200, maxOpenCases: 3 })
    expect(problemsOf({ GOVCRED_ONESTOP_CASE_TTL_SECONDS: '60', GOVCRED_ONESTOP_MAX_OPEN_CASES: '0' })).toEqual([
      'GOVCRED_ONESTOP_CASE_TTL_SECONDS must be an integer between 3600 and 315360000 (got "60")',
      'GOVCRED_ONESTOP_MAX_OPEN_CASES must be an integer between 1 and 1000000 (got "0")',
    ])
  })
})

describe('settings that were read outside config/ before', () => {
  it('validates GOVCRED_STATUS_BATCH_MAX (1 to 1,000) instead of letting "abc" become NaN', () => {
    expect(problemsOf({ GOVCRED_STATUS_BATCH_MAX: 'abc' })).toEqual([
      'GOVCRED_STATUS_BATCH_MAX must be an integer between 1 and 1000 (got "abc")',
    ])
    expect(problemsOf({ GOVCRED_STATUS_BATCH_MAX: '5000' })).toHaveLength(1)
    expect(loadConfig({ GOVCRED_STATUS_BATCH_MAX: '64' }).issuance.statusBatchMax).toBe(64)
    expect(loadConfig({}).issuance.statusBatchMax).toBe(1000)
  })

  it('validates GOVCRED_PUBLIC_RPC_URL and keeps it in the config', () => {
    expect(problemsOf({ GOVCRED_PUBLIC_RPC_URL: 'node.example:8545' })[0]).toMatch(/^GOVCRED_PUBLIC_RPC_URL must be an http\(s\) URL/)
    expect(loadConfig({ GOVCRED_PUBLIC_RPC_URL: 'https://rpc.example.gov.cn' }).chain.publicRpcUrl).toBe('https://rpc.example.gov.cn')
    expect(loadConfig({}).chain.publicRpcUrl).toBeUndefined()
  })

  it('validates GOVCRED_LOG_FORMAT and GOVCRED_LOG_LEVEL', async () => {
    const { loadLogSettings } = await import('../../src/config/log-settings.js')
    expect(loadLogSettings({})).toEqual({ format: 'text', level: 'info' })
    expect(loadLogSettings({ GOVCRED_LOG_FORMAT: 'json', GOVCRED_LOG_LEVEL: 'silent' })).toEqual({ format: 'json', level: 'silent' })
    expect(() => loadLogSettings({ GOVCRED_LOG_FORMAT: 'xml', GOVCRED_LOG_LEVEL: 'loud' })).toThrow(ConfigError)
    try {
      loadLogSettings({ GOVCRED_LOG_FORMAT: 'xml', GOVCRED_LOG_LEVEL: 'loud' })
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2)
    }
  })
})
