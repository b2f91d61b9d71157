/**
 * Byte strings the JSON cursor (jsonCursor.ts) matches: member keys and fixed runs of JSON text,
 * precomputed as little-endian words so a match compares four bytes at a time.
 */

/** Bytes to match, held both as bytes and as little-endian words (whole words only) for comparing four at a time. */
export class Literal {
  readonly bytes: Buffer;
  readonly words: Uint32Array;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'latin1');
    this.words = new Uint32Array(this.bytes.length >> 2);
    for (let i = 0; i < this.words.length; i++) this.words[i] = this.bytes.readUInt32LE(i * 4);
  }
}

/** Member keys to match: grouped by length, each compared four bytes at a time. */
export class KeySet {
  readonly keys: Literal[];
  /** Indexes of the keys of each length. */
  readonly byLength: number[][] = [];

  constructor(keys: readonly string[]) {
    this.keys = keys.map((k) => new Literal(k));
    const longest = Math.max(...keys.map((k) => k.length));
    for (let n = 0; n <= longest; n++) this.byLength.push([]);
    keys.forEach((k, i) => this.byLength[k.length].push(i));
  }
}
