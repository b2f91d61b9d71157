/**
 * A strict JSON cursor over UTF-8 bytes, for the OTLP/JSON byte decoder (otlpJsonBytes.ts). It
 * accepts only what JSON.parse accepts (RFC 8259; values it skips are checked too) and throws
 * OFF_PATH at anything else, and at valid JSON it leaves to the general decoder (a key with an
 * escape, nesting deeper than MAX_DEPTH): the caller then decodes the body through JSON.parse,
 * which gives the exact answer or error. Strings decode as Buffer#toString('utf8') of the whole
 * body would (a string's bytes end at an ASCII quote or backslash, so slicing there is the same).
 */
import { INTERN_MAX_LEN, internedAt, latin1At, utf8At } from './byteStrings';
import type { KeySet, Literal } from './jsonLiterals';

/** Thrown (this one object, no stack to build) when a body leaves what the byte decoder handles. */
export const OFF_PATH: object = Object.freeze({ offPath: true });

/** What `value` gives for an object or an array (which it skips). */
export const COMPOUND: object = Object.freeze({ compound: true });

const MAX_DEPTH = 64;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

export class JsonCursor {
  readonly buf: Buffer;
  private readonly words: DataView;
  readonly end: number;
  pos = 0;
  /** Bytes of the last key (`key`) or plain string (`plainString`) read. */
  start = 0;
  stop = 0;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.byteLength;
  }

  /**
   * The first position from `p` holding a quote, a backslash or a control character (what ends or
   * interrupts a string's plain run), or the end. Four bytes at a time: a byte-wise loop costs
   * about 1.5 ns a byte, and most of a request's bytes are inside strings.
   */
  private stringStop(p: number): number {
    const words = this.words;
    const end = this.end;
    while (p + 4 <= end) {
      const w = words.getUint32(p, true);
      const q = w ^ 0x22222222;
      const b = w ^ 0x5c5c5c5c;
      // Each term is non-zero in a byte's top bit exactly when some byte is a quote, a backslash, below 0x20.
      if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((w - 0x20202020) & ~w)) & 0x80808080) break;
      p += 4;
    }
    const buf = this.buf;
    while (p < end) {
      const c = buf[p];
      if (c === QUOTE || c === BACKSLASH || c < 0x20) return p;
      p++;
    }
    return p;
  }

  /** Skips whitespace and returns the next byte, -1 at the end. */
  peek(): number {
    const buf = this.buf;
    let p = this.pos;
    while (p < this.end) {
      const c = buf[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
        this.pos = p;
        return c;
      }
      p++;
    }
    this.pos = p;
    return -1;
  }

  private expect(c: number): void {
    if (this.peek() !== c) throw OFF_PATH;
    this.pos++;
  }

  /** Throws unless only whitespace is left. */
  expectEnd(): void {
    if (this.peek() !== -1) throw OFF_PATH;
  }

  /** Enters an object; true when a member follows (read it with `key`). */
  openObject(): boolean {
    return this.enter(0x7b, 0x7d);
  }

  /** After a member's value: true when another member follows, false at the object's end. */
  nextMember(): boolean {
    return this.more(0x7d);
  }

  private enter(open: number, close: number): boolean {
    this.expect(open);
    if (this.peek() !== close) return true;
    this.pos++;
    return false;
  }

  private more(close: number): boolean {
    const c = this.peek();
    this.pos++;
    if (c === 0x2c) return true;
    if (c === close) return false;
    throw OFF_PATH;
  }

  /** Enters an array; true when an item follows. */
  openArray(): boolean {
    return this.enter(0x5b, 0x5d);
  }

  /**
   * Enters an optional list (null: empty); true when an item follows (read it, then `nextItem`).
   * A value that is not a list is OFF_PATH when `strict`, else skipped.
   */
  openOptionalList(strict: boolean): boolean {
    if (this.isNull()) return false;
    if (this.peek() === 0x5b) return this.openArray();
    if (strict) throw OFF_PATH;
    this.skip();
    return false;
  }

  /** True when the next value is an object. */
  atObject(): boolean {
    return this.peek() === 0x7b;
  }

  /** After an item: true when another item follows, false at the array's end. */
  nextItem(): boolean {
    return this.more(0x5d);
  }

  /** Reads a member's key and its colon; the key's bytes are [start, stop). */
  key(): void {
    this.plainString();
    this.expect(0x3a);
  }

  /** Reads a string without escapes, leaving its bytes in [start, stop). */
  plainString(): void {
    this.expect(QUOTE);
    const p = this.stringStop(this.pos);
    if (this.buf[p] !== QUOTE) throw OFF_PATH;
    this.start = this.pos;
    this.stop = p;
    this.pos = p + 1;
  }

  /** The index in `set` of the last key (or plain string) read, -1 when it is none of them. */
  keyIndex(set: KeySet): number {
    const start = this.start;
    const len = this.stop - start;
    if (len >= set.byLength.length) return -1;
    const candidates = set.byLength[len];
    for (let c = 0; c < candidates.length; c++) if (this.matches(start, set.keys[candidates[c]])) return candidates[c];
    return -1;
  }

  /** True when the bytes at `at` are `lit` (which must fit before the end). */
  private matches(at: number, lit: Literal): boolean {
    const w = lit.words;
    const words = this.words;
    for (let i = 0; i < w.length; i++) if (words.getUint32(at + 4 * i, true) !== w[i]) return false;
    const b = lit.bytes;
    const buf = this.buf;
    for (let i = w.length * 4; i < b.length; i++) if (buf[at + i] !== b[i]) return false;
    return true;
  }

  /** Moves past `lit` when the next bytes (no whitespace skipped) are exactly it; false otherwise. */
  tryLiteral(lit: Literal): boolean {
    const p = this.pos;
    if (p + lit.bytes.length > this.end || !this.matches(p, lit)) return false;
    this.pos = p + lit.bytes.length;
    return true;
  }

  /**
   * After an opening quote `tryLiteral` moved past: reads the rest of a string without escapes into
   * [start, stop); false (not moving) when it has one.
   */
  plainStringRest(): boolean {
    const p = this.stringStop(this.pos);
    if (this.buf[p] !== QUOTE) return false;
    this.start = this.pos;
    this.stop = p;
    this.pos = p + 1;
    return true;
  }

  /** Consumes a `null` and returns true, or returns false when the next value is not null. */
  isNull(): boolean {
    if (this.peek() !== NULL[0]) return false;
    this.literal(NULL);
    return true;
  }

  /**
   * Reads a string, number, boolean or null as JSON.parse would give it; skips an object or an
   * array and gives COMPOUND. `intern`: a short ASCII string is shared through the intern table.
   */
  value(intern: boolean): unknown {
    const c = this.peek();
    if (c === QUOTE) return this.string(intern);
    if (c === 0x2d || isDigit(c)) return this.number();
    if (c === TRUE[0]) return (this.literal(TRUE), true);
    if (c === FALSE[0]) return (this.literal(FALSE), false);
    if (c === NULL[0]) return (this.literal(NULL), null);
    this.skip();
    return COMPOUND;
  }

  /** Reads a string value. */
  string(intern: boolean): string {
    this.expect(QUOTE);
    const buf = this.buf;
    const start = this.pos;
    const p = this.stringStop(start);
    const c = buf[p];
    if (c === BACKSLASH) return this.escapedString(start);
    if (c !== QUOTE) throw OFF_PATH;
    this.pos = p + 1;
    const len = p - start;
    if (len === 0) return '';
    return intern && len <= INTERN_MAX_LEN ? internedAt(buf, start, len) : utf8At(buf, start, p);
  }

  private escapedString(start: number): string {
    const buf = this.buf;
    let out = '';
    let p = start;
    for (;;) {
      const stop = this.stringStop(p);
      if (stop > p) out += utf8At(buf, p, stop);
      const c = buf[stop];
      if (c === QUOTE) {
        this.pos = stop + 1;
        return out;
      }
      if (c !== BACKSLASH) throw OFF_PATH;
      out += String.fromCharCode(this.escape(stop + 1));
      p = stop + this.escapeLength;
    }
  }

  /** Bytes the last `escape` took, backslash included. */
  private escapeLength = 2;

  /** The UTF-16 unit of the escape whose letter is at `at` (a lone surrogate stays one, as in JSON.parse). */
  private escape(at: number): number {
    const e = this.buf[at];
    this.escapeLength = 2;
    switch (e) {
      case QUOTE:
      case BACKSLASH:
      case 0x2f:
        return e;
      case 0x62:
        return 0x08;
      case 0x66:
        return 0x0c;
      case 0x6e:
        return 0x0a;
      case 0x72:
        return 0x0d;
      case 0x74:
        return 0x09;
      case 0x75: {
        let unit = 0;
        for (let i = 1; i <= 4; i++) {
          const d = at + i < this.end ? hexDigit(this.buf[at + i]) : -1;
          if (d < 0) throw OFF_PATH;
          unit = unit * 16 + d;
        }
        this.escapeLength = 6;
        return unit;
      }
      default:
        throw OFF_PATH;
    }
  }

  private skipString(): void {
    this.expect(QUOTE);
    let p = this.pos;
    for (;;) {
      p = this.stringStop(p);
      const c = this.buf[p];
      if (c === QUOTE) break;
      if (c !== BACKSLASH) throw OFF_PATH;
      this.escape(p + 1);
      p += this.escapeLength;
    }
    this.pos = p + 1;
  }

  /** Reads a number as JSON.parse would. */
  number(): number {
    const start = this.pos;
    const simple = this.skipNumber();
    const end = this.pos;
    // Up to 15 digits an integer is exact in a double: no string needed.
    if (simple && end - start <= 15) {
      const buf = this.buf;
      const neg = buf[start] === 0x2d;
      let n = 0;
      for (let i = neg ? start + 1 : start; i < end; i++) n = n * 10 + (buf[i] - 0x30);
      return neg ? -n : n;
    }
    return +latin1At(this.buf, start, end);
  }

  /** Moves past a number (RFC 8259 grammar); true when it is an integer (no fraction or exponent). */
  private skipNumber(): boolean {
    const buf = this.buf;
    let p = this.pos;
    if (buf[p] === 0x2d) p++;
    if (buf[p] === 0x30) p++;
    else if (isDigit(buf[p])) while (isDigit(buf[p])) p++;
    else throw OFF_PATH;
    let simple = true;
    if (buf[p] === 0x2e) {
      simple = false;
      p++;
      if (!isDigit(buf[p])) throw OFF_PATH;
      while (isDigit(buf[p])) p++;
    }
    if (buf[p] === 0x65 || buf[p] === 0x45) {
      simple = false;
      p++;
      if (buf[p] === 0x2b || buf[p] === 0x2d) p++;
      if (!isDigit(buf[p])) throw OFF_PATH;
      while (isDigit(buf[p])) p++;
    }
    this.pos = p;
    return simple;
  }

  private literal(word: number[]): void {
    const buf = this.buf;
    const p = this.pos;
    for (let i = 0; i < word.length; i++) if (buf[p + i] !== word[i]) throw OFF_PATH;
    this.pos = p + word.length;
  }

  /** Moves past any value, checking it. */
  skip(): void {
    this.skipAt(0);
  }

  private skipAt(depth: number): void {
    const c = this.peek();
    if (c === QUOTE) this.skipString();
    else if (c === 0x2d || isDigit(c)) this.skipNumber();
    else if (c === TRUE[0]) this.literal(TRUE);
    else if (c === FALSE[0]) this.literal(FALSE);
    else if (c === NULL[0]) this.literal(NULL);
    else if (depth >= MAX_DEPTH) throw OFF_PATH;
    else if (c === 0x7b) {
      if (this.openObject()) {
        do {
          this.skipString();
          this.expect(0x3a);
          this.skipAt(depth + 1);
        } while (this.nextMember());
      }
    } else if (c === 0x5b) {
      if (this.openArray()) {
        do this.skipAt(depth + 1);
        while (this.nextItem());
      }
    } else throw OFF_PATH;
  }
}
