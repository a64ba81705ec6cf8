import { deflateSync } from 'node:zlib'

const SIZE = 96
const SEAL_RED: [number, number, number] = [0xc8, 0x10, 0x2e]

/**
 * The logo wallets show beside a department's name: a government seal-red disc with a white ring, as a PNG
 * data URL. A data URL because the node's own URL may be plain http on a test network, and the OpenID4VCI
 * library takes only https or data URLs (and no SVG: its media type has a '+').
 */
export function departmentLogoDataUrl(): string {
  cached ??= `data:image/png;base64,${sealPng().toString('base64')}`
  return cached
}
let cached: string | undefined

function sealPng(): Buffer {
  const raw = Buffer.alloc((SIZE * 4 + 1) * SIZE)
  const centre = (SIZE - 1) / 2
  for (let y = 0; y < SIZE; y++) {
    const row = y * (SIZE * 4 + 1)
    raw[row] = 0 // filter: none
    for (let x = 0; x < SIZE; x++) {
      const r = Math.hypot(x - centre, y - centre) / (SIZE / 2)
      const ring = r > 0.72 && r < 0.8
      const inside = r <= 0.96
      const [red, green, blue] = ring ? [255, 255, 255] : SEAL_RED
      raw.set([red, green, blue, inside ? 255 : 0], row + 1 + x * 4)
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(SIZE, 0)
  header.writeUInt32BE(SIZE, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(typed))
  return Buffer.concat([length, typed, crc])
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(bytes: Buffer): number {
  let c = 0xffffffff
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
