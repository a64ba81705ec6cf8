/**
 * Which status indices of one issuer's list are taken, as a bitmap in memory (2^20 bits: 128 KiB per issuer):
 * a free index is drawn with no database read, and the count needs no COUNT(*) over every record. Loaded once
 * from the records, then marked as records are inserted. A mark whose insert was rolled back stays set: that
 * index is merely never drawn again (until the next start), and the count is high by one, never low.
 */
export class TakenIndices {
  private readonly bits: Uint32Array
  private taken = 0

  constructor(readonly size: number) {
    this.bits = new Uint32Array(Math.ceil(size / 32))
  }

  get count(): number {
    return this.taken
  }

  has(index: number): boolean {
    return (this.bits[index >>> 5]! & (1 << (index & 31))) !== 0
  }

  mark(index: number): void {
    if (index < 0 || index >= this.size || this.has(index)) return
    this.bits[index >>> 5]! |= 1 << (index & 31)
    this.taken++
  }

  /** A uniformly random free index, or undefined after `attempts` taken ones in a row. */
  drawFree(random: (size: number) => number, attempts: number): number | undefined {
    for (let i = 0; i < attempts; i++) {
      const index = random(this.size)
      if (!this.has(index)) return index
    }
    return undefined
  }
}
