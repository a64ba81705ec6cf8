import { RELYING_PARTY_NAME_MAX } from '../../verifying/relying-parties/relying-party-fields.js'
import { ref, type SchemaObject } from './openapi-schemas.js'

const text = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, ...extra })
const nullableText = (description: string, extra: SchemaObject = {}): SchemaObject => ({ type: ['string', 'null'], description, ...extra })
const dateTime = (description: string): SchemaObject => text(description, { format: 'date-time' })
const object = (properties: Record<string, SchemaObject>, required: string[] = Object.keys(properties), extra: SchemaObject = {}) => ({
  type: 'object',
  required,
  properties,
  ...extra,
})

const name = (language: string) => text(`Display name (${language}) shown to holders`, { minLength: 1, maxLength: RELYING_PARTY_NAME_MAX })
const partyId = text('The relying party id: 2 to 63 lowercase letters, digits and dashes', { pattern: '^[a-z0-9][a-z0-9-]{1,62}$' })
const webhookUrl = text('https to a public host (http only to this machine where GOVCRED_WEBHOOK_ALLOW_LOOPBACK is on)', {
  maxLength: 2000,
})
const shownOnce = 'shown in this answer only; kept only as a hash (an API key) or sealed (a webhook secret)'

/** What a relying party is registered as, without its keys (the party's own view, GET /v1/relying-party). */
const partyProperties = {
  id: partyId,
  name: ref('RelyingPartyNames'),
  domain: nullableText("The DNS name of its verifier identity; null until the node's host is given on first use"),
  clientId: nullableText('Its OpenID4VP client identifier, x509_san_dns:<domain>; null while it has no domain'),
  createdAt: dateTime('When it was registered'),
  webhookUrl: nullableText('Where its presentation results are announced; null when none'),
  verifierCertificate: { oneOf: [ref('VerifierCertificate'), { type: 'null' }] },
}

/**
 * The component schemas of the relying-party API (registration by the platform operator, self-service of a
 * party), merged into the document's.
 *
 * @example
 * relyingPartySchemas().RelyingParty // => { type: 'object', required: ['id', 'name', …], … }
 */
export function relyingPartySchemas(): Record<string, SchemaObject> {
  return {
    RelyingPartyNames: object({ 'zh-CN': name('zh-CN'), en: name('en') }, ['zh-CN', 'en'], { additionalProperties: false }),
    RelyingPartyCreateRequest: object(
      {
        id: partyId,
        name: ref('RelyingPartyNames'),
        domain: text('The DNS name (or IPv4 address) its verifier certificate names; default: the host of the node', { maxLength: 253 }),
        webhookUrl,
      },
      ['id', 'name'],
      { additionalProperties: false },
    ),
    RelyingPartyKeyRequest: object({ label: text('What the key is for', { minLength: 1, maxLength: 200 }) }, [], {
      additionalProperties: false,
    }),
    WebhookRequest: object({ url: webhookUrl }, ['url'], { additionalProperties: false }),
    VerifierCertificate: object(
      {
        sha256: text("SHA-256 of the newest certificate's DER for its domain, hex", { pattern: '^[0-9a-f]{64}$' }),
        kid: text('RFC 7638 thumbprint of its key'),
        notAfter: dateTime('End of its validity'),
        createdAt: dateTime('When the node made it'),
      },
      undefined,
      { description: 'Its verifier identity (request-object signing key and certificate); null until first used' },
    ),
    RelyingPartyKey: object({
      id: text('The key id (for revocation)'),
      label: text('What the key is for'),
      createdAt: dateTime('When it was made'),
      revokedAt: { ...nullableText('When it was revoked; null while active'), format: 'date-time' },
    }),
    CreatedRelyingPartyKey: object(
      {
        id: text('The key id (for revocation)'),
        relyingPartyId: partyId,
        label: text('What the key is for'),
        createdAt: dateTime('When it was made'),
        revokedAt: { type: 'null' },
        key: text(`The API key (grp_…): ${shownOnce}`, { pattern: '^grp_' }),
      },
      undefined,
      { description: 'A new relying-party API key' },
    ),
    RevokedRelyingPartyKey: object({ id: text('The key id'), relyingPartyId: partyId, revoked: { const: true } }),
    RelyingPartySelf: object(partyProperties, undefined, { description: 'A registered relying party (banks and other verifiers)' }),
    RelyingParty: object(
      { ...partyProperties, keys: { type: 'array', items: ref('RelyingPartyKey'), description: 'Its API keys (never their secrets)' } },
      undefined,
      { description: 'A registered relying party with its API keys' },
    ),
    RelyingPartyList: object({ relyingParties: { type: 'array', items: ref('RelyingParty') } }),
    Webhook: object({
      url: text('Where results are announced'),
      secret: text(`The signing secret (whsec_…): ${shownOnce}`, { pattern: '^whsec_' }),
      signature: text('How each delivery is signed (the Govcred-Signature header)'),
    }),
    RegisteredRelyingParty: {
      allOf: [
        ref('RelyingParty'),
        object(
          {
            apiKey: object({
              id: text('The key id'),
              key: text(`The API key (grp_…): ${shownOnce}`, { pattern: '^grp_' }),
              label: text('What the key is for'),
              createdAt: dateTime('When it was made'),
            }),
            webhook: ref('Webhook'),
          },
          ['apiKey'],
        ),
      ],
    },
    WebhookChange: object({ id: partyId, webhook: { oneOf: [ref('Webhook'), { type: 'null' }] } }),
  }
}
