import { BlockList, isIP } from 'node:net'
import { ValidationError } from '../../shared/errors/app-error.js'

/** Addresses a webhook never reaches (SSRF): private, link-local, shared, reserved, multicast, unspecified. */
const FORBIDDEN = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv6')

const LOOPBACK = new BlockList()
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4')
LOOPBACK.addAddress('::1', 'ipv6')

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, or ::ffff:xxxx:yyyy as URLs write it) as its IPv4 address. */
function unmapped(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return { address: mapped[1]!, family: 'ipv4' }
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address)
  if (hex) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)]
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' }
  }
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' }
}

export const isLoopbackAddress = (address: string): boolean => {
  const { address: a, family } = unmapped(address)
  return LOOPBACK.check(a, family)
}

/**
 * Why a webhook may not be sent to `address` (an IP address a host name resolved to), or undefined when it
 * may: never to a private, link-local or reserved address; to loopback only when `allowLoopback`.
 */
export function refusedAddress(address: string, allowLoopback: boolean): string | undefined {
  if (isIP(address) === 0) return `${address} is not an IP address`
  const { address: a, family } = unmapped(address)
  if (LOOPBACK.check(a, family)) return allowLoopback ? undefined : `${address} is a loopback address`
  if (FORBIDDEN.check(a, family)) return `${address} is a private, link-local or reserved address`
  return undefined
}

/** The host of a URL without IPv6 brackets. */
const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '')

/** Whether a URL names this machine by name or address (localhost, 127.0.0.0/8, ::1). */
export function namesLoopback(url: URL): boolean {
  const host = bareHost(url).toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isLoopbackAddress(host))
}

/**
 * A webhook URL as it is registered: https to a public host, or (when `allowLoopback`) http or https to this
 * machine; no user name or password, no fragment, at most 2,000 characters; a host given as an IP address
 * must be one a webhook may reach. Throws a ValidationError naming the reason. Host names are checked again
 * on every delivery, against each address they resolve to.
 *
 * @example
 * checkWebhookUrl('https://bank.example/govcred/events', { allowLoopback: false }) // 'https://bank.example/govcred/events'
 */
export function checkWebhookUrl(input: string, options: { allowLoopback: boolean }): string {
  const refuse = (why: string): never => {
    throw new ValidationError('ERR_INVALID_REQUEST', `webhook URL refused: ${why}`)
  }
  if (typeof input !== 'string' || input.length === 0 || input.length > 2000) refuse('give an absolute URL of at most 2,000 characters')
  let url: URL
  try {
    url = new URL(input)
  } catch {
    return refuse(`"${input}" is not an absolute URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('it must be https')
  if (url.username || url.password) refuse('it must not carry a user name or password')
  if (url.hash) refuse('it must not carry a fragment')
  const loopback = namesLoopback(url)
  if (loopback && !options.allowLoopback)
    refuse(`${url.hostname} is this machine (loopback); set GOVCRED_WEBHOOK_ALLOW_LOOPBACK=true for a demo`)
  if (url.protocol === 'http:' && !loopback) refuse('it must be https (http only to this machine, for a demo)')
  const host = bareHost(url)
  if (isIP(host) !== 0) {
    const why = refusedAddress(host, options.allowLoopback)
    if (why) refuse(why)
  } else if (!host.includes('.') && !loopback) refuse(`${host} is not a public DNS name`)
  return url.href
}
