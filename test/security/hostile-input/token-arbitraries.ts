/**
 * Hostile JWTs for the verifiers' token parsers: `alg: none`, HS256 keyed with the issuer's public key,
 * signatures by a key that is not the issuer's, other algorithms, truncated / oversized / non-JSON segments,
 * payloads of the wrong JSON types, presentations with hundreds of credentials or nested JWTs, numbers
 * where strings go (and strings where numbers go), unicode — and presentations or credentials that ARE
 * validly signed by a holder's own did:key but carry all of that inside, so that the checks after the
 * signature are reached too.
 *
 * A case is a *recipe*: it is turned into a token once the test knows the request's challenge and domain.
 *
 * Hook point for SD-JWT: no SD-JWT parser exists yet. When one does, add its route to `TOKEN_TARGETS`
 * (with how its body wraps the token) and SD-JWT shapes (`<jwt>~<disclosure>~…~<kb-jwt>`) to `structural`;
 * the `~`-joined shapes below are already sent to the JWT parsers.
 */
import fc from 'fast-check'
import { createHash, createHmac } from 'node:crypto'
import { SigningKey, encodeBase58, getBytes, sha256 } from 'ethers'
import { mutate } from './request-arbitraries.js'

/** Routes that parse a token, and how each wraps one in its body. SD-JWT routes go here once they exist. */
export const TOKEN_TARGETS = {
  'POST /v1/presentations/verify': (token: unknown, env: TokenEnv) => ({ presentation: token, requestId: env.requestId }),
  'POST /presentations/verify': (token: unknown, env: TokenEnv) => ({
    verifiablePresentation: token,
    options: { challenge: env.challenge, domain: env.domain },
  }),
  'POST /credentials/verify': (token: unknown) => ({ verifiableCredential: token }),
  'POST /v1/property/units/{unitNumber}/current': (token: unknown) => ({ certificate: token }),
} as const

export type TokenTarget = keyof typeof TOKEN_TARGETS

/** What a recipe needs at run time. */
export interface TokenEnv {
  challenge: string
  domain: string
  requestId: string
  /** Real VC-JWTs issued by the service. */
  credentials: string[]
  /** The demo departments' DIDs (did:ethr:govcred:<compressed public key>). */
  issuerDids: string[]
  holder: Signer
  attacker: Signer
}

export interface Signer {
  did: string
  kid: string
  key: SigningKey
}

/** A did:key of a secp256k1 key (multicodec 0xe7). */
export function didKeySigner(privateKey: string): Signer {
  const key = new SigningKey(privateKey)
  const multibase = `z${encodeBase58(new Uint8Array([0xe7, 0x01, ...getBytes(key.compressedPublicKey)]))}`
  return { did: `did:key:${multibase}`, kid: `did:key:${multibase}#${multibase}`, key }
}

const b64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url')
const segment = (value: unknown) => b64url(typeof value === 'string' ? value : JSON.stringify(value))

/** A compact JWT signed ES256K (low-s) by `signer`. */
export function signEs256k(header: Record<string, unknown>, payload: unknown, signer: Signer, rawPayload?: string): string {
  const input = `${segment({ ...header })}.${rawPayload ?? segment(payload)}`
  const signature = signer.key.sign(sha256(Buffer.from(input)))
  return `${input}.${b64url(getBytes(signature.r + signature.s.slice(2)))}`
}

const decodePayload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, any>

const now = () => Math.floor(Date.now() / 1000)

/** Odd JSON texts spliced in where a value goes (JSON.stringify cannot write them). */
const RAW_NUMBERS = ['1e400', '-0', '123456789012345678901234567890', '1e-400', '9007199254740993', '-1e308']
const MARKER = '__RAW_NUMBER__'

type Mutation = Parameters<typeof mutate>[1]

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, 0, -1, 1e308, '', [], {}, '1700000000', 'NaN', 'Infinity', ['a'], { id: 1 }, '\u202e💥中文', MARKER),
  fc.jsonValue({ maxDepth: 2 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
)

const payloadMutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'set', 'delete', 'extra', 'wrap'),
  at: fc.nat(),
  key: fc.constantFrom('nbf', 'exp', 'iat', 'nonce', 'aud', 'iss', 'sub', 'jti', '__proto__', 'credentialStatus', 'credentialSchema', 'x'),
  value: oddValue,
})

/** A mutation anywhere in a credential (its subject, status entry, schema, types, dates). */
const credentialMutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'set', 'delete', 'extra', 'wrap'),
  at: fc.nat(),
  key: fc.constantFrom(
    'id',
    'type',
    'statusListIndex',
    'statusPurpose',
    '@context',
    'issuer',
    'validFrom',
    'credentialSubject',
    '__proto__',
  ),
  value: oddValue,
})

export type TokenRecipe =
  | { kind: 'structural'; which: number; cut: number; filler: string }
  | { kind: 'alg-none'; alg: string; of: 'vp' | 'vc'; signature: string }
  | { kind: 'hs256-public-key'; secret: 'bytes' | 'hex' | 'did' | 'pem-ish'; of: 'vp' | 'vc' }
  | { kind: 'forged-es256k'; of: 'vp' | 'vc' }
  | { kind: 'wrong-alg'; alg: unknown; kid: unknown; of: 'vp' | 'vc' }
  | { kind: 'holder-vp'; credentials: CredentialList; mutations: Mutation[]; raw: string }
  | { kind: 'self-issued-vc'; mutations: Mutation[]; raw: string; claimDepartment: boolean }
  | { kind: 'department-signed'; template: number; mutations: Mutation[] }

type CredentialList = 'real' | 'many-real' | 'many-garbage' | 'string' | 'object' | 'nested-vp' | 'odd-items' | 'forged' | 'none'

const NEVER_VERIFIED: TokenRecipe['kind'][] = ['structural', 'alg-none', 'hs256-public-key', 'forged-es256k', 'wrong-alg', 'self-issued-vc']

/**
 * Whether a recipe must never verify: nothing in it is signed by the issuer it names. The one exception is a
 * presentation the holder's own key signed, headed `ES256K-R`: a 64-byte secp256k1 signature by the right key
 * is valid under that name too (the verifier recovers the key from it), so it is not a forgery.
 */
export function mustNotVerify(recipe: TokenRecipe): boolean {
  if (recipe.kind === 'wrong-alg' && recipe.of === 'vp' && recipe.alg === 'ES256K-R') return false
  return NEVER_VERIFIED.includes(recipe.kind)
}

export const tokenRecipe: fc.Arbitrary<TokenRecipe> = fc.oneof(
  fc.record({ kind: fc.constant('structural' as const), which: fc.nat(), cut: fc.nat(), filler: fc.string({ maxLength: 12 }) }),
  fc.record({
    kind: fc.constant('alg-none' as const),
    alg: fc.constantFrom('none', 'None', 'NONE', 'nOnE', ''),
    of: fc.constantFrom('vp' as const, 'vc' as const),
    signature: fc.constantFrom('', 'AAAA', '.'),
  }),
  fc.record({
    kind: fc.constant('hs256-public-key' as const),
    secret: fc.constantFrom('bytes' as const, 'hex' as const, 'did' as const, 'pem-ish' as const),
    of: fc.constantFrom('vp' as const, 'vc' as const),
  }),
  fc.record({ kind: fc.constant('forged-es256k' as const), of: fc.constantFrom('vp' as const, 'vc' as const) }),
  fc.record({
    kind: fc.constant('wrong-alg' as const),
    alg: fc.constantFrom('ES256', 'EdDSA', 'RS256', 'PS256', 'ES256K-R', 'HS512', 'ES384', 'none ', 1, null, ['ES256K'], { alg: 'ES256K' }),
    kid: fc.constantFrom(undefined, '', '#controller', 'did:ethr:govcred:0x00#controller', 'https://evil.example/jwks', 5, ['a']),
    of: fc.constantFrom('vp' as const, 'vc' as const),
  }),
  fc.record({
    kind: fc.constant('holder-vp' as const),
    credentials: fc.constantFrom<CredentialList>(
      'real',
      'many-real',
      'many-garbage',
      'string',
      'object',
      'nested-vp',
      'odd-items',
      'forged',
      'none',
    ),
    mutations: fc.array(payloadMutation, { maxLength: 3 }),
    raw: fc.constantFrom(...RAW_NUMBERS),
  }),
  fc.record({
    kind: fc.constant('self-issued-vc' as const),
    mutations: fc.array(payloadMutation, { maxLength: 3 }),
    raw: fc.constantFrom(...RAW_NUMBERS),
    claimDepartment: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('department-signed' as const),
    template: fc.nat(),
    mutations: fc.array(credentialMutation, { minLength: 1, maxLength: 3 }),
  }),
)

/** Which route a case goes to, and whether the token goes as a string or inside a JwtProof2020 object. */
export const tokenCase = fc.record({
  target: fc.constantFrom<TokenTarget>(...(Object.keys(TOKEN_TARGETS) as TokenTarget[])),
  recipe: tokenRecipe,
  asObject: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
})

function vpPayload(env: TokenEnv, credentials: unknown, iss = env.holder.did): Record<string, unknown> {
  return {
    iss,
    aud: env.domain,
    nonce: env.challenge,
    nbf: now() - 5,
    iat: now() - 5,
    vp: { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: credentials },
  }
}

function credentialsFor(list: CredentialList, env: TokenEnv): unknown {
  const real = env.credentials
  switch (list) {
    case 'real':
      return real.slice(0, 3)
    case 'many-real':
      return Array.from({ length: 500 }, (_, i) => real[i % real.length])
    case 'many-garbage':
      return Array.from({ length: 500 }, (_, i) => `eyJhbGciOiJub25lIn0.${b64url(String(i))}.`)
    case 'string':
      return real[0]
    case 'object':
      return { '0': real[0], length: 1 }
    case 'nested-vp':
      return [signEs256k({ alg: 'ES256K', typ: 'JWT', kid: env.holder.kid }, vpPayload(env, real.slice(0, 1)), env.holder)]
    case 'odd-items':
      return [
        null,
        1,
        {},
        [],
        '',
        'a.b.c',
        { proof: { type: 'JwtProof2020', jwt: 'a.b.c' } },
        { proof: { type: 'JwtProof2020', jwt: real[0] } },
      ]
    case 'forged':
      return [forgedCredential(env)]
    case 'none':
      return []
  }
}

/** A copy of a real credential's payload, re-signed by the attacker's key while still naming the department. */
function forgedCredential(env: TokenEnv): string {
  return signEs256k({ alg: 'ES256K', typ: 'JWT', kid: `${env.issuerDids[0]}#controller` }, decodePayload(env.credentials[0]!), env.attacker)
}

function applyMutations(payload: unknown, mutations: Mutation[], raw: string): { payload: unknown; rawPayload?: string } {
  const mutated = mutations.reduce(mutate, payload)
  const text = JSON.stringify(mutated) ?? 'null'
  return text.includes(MARKER) ? { payload: mutated, rawPayload: b64url(text.replaceAll(`"${MARKER}"`, raw)) } : { payload: mutated }
}

/** A presentation of `credentials` validly signed by the holder. */
export const holderPresentation = (env: TokenEnv, credentials: unknown[]) =>
  signEs256k({ alg: 'ES256K', typ: 'JWT', kid: env.holder.kid }, vpPayload(env, credentials), env.holder)

/** The token a recipe stands for, in the run's context. */
export function buildToken(recipe: TokenRecipe, env: TokenEnv): string {
  const real = env.credentials[recipe.kind === 'structural' ? recipe.which % env.credentials.length : 0]!
  const subject = (of: 'vp' | 'vc') => (of === 'vp' ? vpPayload(env, env.credentials.slice(0, 1)) : decodePayload(real))
  switch (recipe.kind) {
    case 'structural': {
      const [h, p, s] = real.split('.') as [string, string, string]
      const shapes = [
        '',
        '.',
        '..',
        '...',
        'a.b',
        `${h}.${p}`,
        `${h}.${p}.${s}.${s}`,
        `${h}.${p}.${s}.${s}.${s}`,
        real.slice(0, (recipe.cut % real.length) + 1),
        `${h}.${p}.${s.slice(0, -2)}`,
        `${h}.${p}.${s}AA`,
        `${h}.${p.slice(0, -1)}.${s}`,
        `${h}.${p}X.${s}`,
        `${h}.${'A'.repeat(300_000)}.${s}`,
        `${'A'.repeat(50_000)}.${p}.${s}`,
        `${h}.${p}.${'A'.repeat(50_000)}`,
        `${segment('{')}.${p}.${s}`,
        `${h}.${segment('{not json')}.${s}`,
        `${h}.${segment('\xff\xfe')}.${s}`,
        `${segment([1, 2])}.${p}.${s}`,
        `${segment('"str"')}.${segment('1')}.${s}`,
        `${segment('null')}.${segment('null')}.`,
        `${h}.${segment([decodePayload(real)])}.${s}`,
        `${h}+/=.${p}.${s}`,
        ` ${real} `,
        `${real}\n`,
        `${real}~`,
        `${real}~${b64url('["salt","name","value"]')}~`,
        `${real}~~~`,
        real.toUpperCase(),
        `${h}.${p}.${s}${recipe.filler}`,
        `${recipe.filler}.${recipe.filler}.${recipe.filler}`,
        `Bearer ${real}`,
        `${h}.${b64url(real)}.${s}`,
      ]
      return shapes[recipe.which % shapes.length]!
    }
    case 'alg-none':
      return `${segment({ alg: recipe.alg, typ: 'JWT' })}.${segment(subject(recipe.of))}.${recipe.signature}`
    case 'hs256-public-key': {
      const issuer = recipe.of === 'vp' ? env.holder.did : env.issuerDids[0]!
      const keyHex = recipe.of === 'vp' ? env.holder.key.compressedPublicKey.slice(2) : issuer.split(':').pop()!.replace(/^0x/, '')
      const secret = {
        bytes: Buffer.from(keyHex, 'hex'),
        hex: Buffer.from(keyHex),
        did: Buffer.from(issuer),
        'pem-ish': Buffer.from(createHash('sha256').update(keyHex).digest()),
      }[recipe.secret]
      const header = { alg: 'HS256', typ: 'JWT', kid: recipe.of === 'vp' ? env.holder.kid : `${issuer}#controller` }
      const input = `${segment(header)}.${segment(subject(recipe.of))}`
      return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`
    }
    case 'forged-es256k':
      return recipe.of === 'vc'
        ? forgedCredential(env)
        : signEs256k({ alg: 'ES256K', typ: 'JWT', kid: env.holder.kid }, vpPayload(env, env.credentials.slice(0, 1)), env.attacker)
    case 'wrong-alg': {
      const header = { alg: recipe.alg, typ: 'JWT', ...(recipe.kid === undefined ? {} : { kid: recipe.kid }) }
      return signEs256k(header, subject(recipe.of), recipe.of === 'vp' ? env.holder : env.attacker)
    }
    case 'holder-vp': {
      const { payload, rawPayload } = applyMutations(vpPayload(env, credentialsFor(recipe.credentials, env)), recipe.mutations, recipe.raw)
      return signEs256k({ alg: 'ES256K', typ: 'JWT', kid: env.holder.kid }, payload, env.holder, rawPayload)
    }
    case 'department-signed':
      throw new Error("a department-signed credential is signed by the service's agent: see departmentSigned() in the test")
    case 'self-issued-vc': {
      const base = decodePayload(real)
      base.iss = recipe.claimDepartment ? env.issuerDids[0] : env.holder.did
      if (base.vc && typeof base.vc === 'object') base.vc.issuer = base.iss
      const { payload, rawPayload } = applyMutations(base, recipe.mutations, recipe.raw)
      return signEs256k({ alg: 'ES256K', typ: 'JWT', kid: env.holder.kid }, payload, env.holder, rawPayload)
    }
  }
}
