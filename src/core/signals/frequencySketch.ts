/**
 * How often keys were seen lately, approximately, in fixed memory: a count-min sketch (four rows of
 * counters saturating at 15; the estimate is the smallest of a key's four), which its owner halves
 * now and then so old popularity fades. This is TinyLFU's frequency filter: BoundedMap asks it how
 * often a key that is not stored was wanted, to decide whether the key may push out a stored entry.
 */
export class FrequencySketch {
  private readonly counters: Uint8Array;
  private readonly mask: number;

  /** `width` counters per row, rounded up to a power of two. */
  constructor(width: number) {
    let w = 64;
    while (w < width) w *= 2;
    this.mask = w - 1;
    this.counters = new Uint8Array(4 * w);
  }

  /** Counts one more sighting of the key with hash `h` (see keyHash) and returns its estimated count (this one included). */
  increment(h: number): number {
    return this.visit(h, 1);
  }

  /** The estimated count of the key with hash `h`. */
  estimate(h: number): number {
    return this.visit(h, 0);
  }

  private visit(h: number, add: number): number {
    // Double hashing: four row positions from one 32-bit hash and a remix of it.
    const step = (Math.imul(h ^ (h >>> 16), 0x45d9f3b) | 1) >>> 0;
    let min = 15;
    for (let row = 0; row < 4; row++) {
      const i = row * (this.mask + 1) + ((h + row * step) & this.mask);
      const c = Math.min(this.counters[i] + add, 15);
      this.counters[i] = c;
      if (c < min) min = c;
    }
    return min;
  }

  /** Halves every counter: aging, so that what was popular long ago stops counting. */
  halve(): void {
    const c = this.counters;
    for (let i = 0; i < c.length; i++) c[i] >>>= 1;
  }
}

/** A key's hash for the sketch: FNV-1a over UTF-16 code units, with a final avalanche so low bits depend on every character. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
