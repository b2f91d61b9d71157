/**
 * A minimal protobuf wire-format reader over one Uint8Array. Every read is bounds-checked and
 * failures throw DecodeError with the byte offset, so hostile bodies can neither crash the
 * receiver with a RangeError nor loop forever (every read advances `pos`).
 */
import { INTERN_MAX_LEN, internedAt, latin1At, utf8At } from './byteStrings';
import { capString } from './limits';
import { DecodeError } from './records';

// Wire types appear as literals: 0 varint, 1 i64, 2 len, 3/4 group start/end, 5 i32.

// Byte -> its two lowercase hex digits as one little-endian uint16, so hex() writes one
// element per byte into a scratch buffer and makes a single flat latin1 string from it
// (about twice as fast as concatenating 16 two-character strings).
const HEX_PAIRS = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  const s = (i < 16 ? '0' : '') + i.toString(16);
  HEX_PAIRS[i] = s.charCodeAt(0) | (s.charCodeAt(1) << 8);
}
const MAX_HEX_BYTES = 32;
const hexScratch = Buffer.alloc(MAX_HEX_BYTES * 2);
const hexScratch16 = new Uint16Array(hexScratch.buffer, hexScratch.byteOffset, MAX_HEX_BYTES);

const MAX_GROUP_DEPTH = 32;

/** Cursor over a protobuf buffer; `pos` is public so decoders can jump over known ranges. */
export class ProtoReader {
  readonly buf: Buffer;
  readonly end: number;
  pos = 0;
  /** Halves of the last fixed64 read by `fixed64`. */
  hi = 0;
  lo = 0;

  constructor(bytes: Uint8Array) {
    // A Buffer view (no copy) gives us the native utf8 slicing.
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.byteLength;
  }

  /** Throws the error for a read that would pass the end of the body. */
  truncated(at: number): never {
    throw new DecodeError(`truncated protobuf at byte ${at}`);
  }

  /** Reads a varint and returns its low 32 bits as a signed int32 (tags, enums, counts). */
  varint32(): number {
    const pos = this.pos;
    if (pos < this.end) {
      const b = this.buf[pos];
      if (b < 0x80) {
        this.pos = pos + 1;
        return b;
      }
    }
    return this.varint32Slow();
  }

  private varint32Slow(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let pos = start;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) this.truncated(start);
      const b = buf[pos++];
      // Bits past 32 only matter for 64-bit values; sign-extended int32s end up right.
      if (shift < 32) value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return value;
      }
    }
    throw new DecodeError(`malformed varint at byte ${start}`);
  }

  /** Reads an int64 varint as a Number (exact up to 2^53, then rounded). */
  varint64(): number {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    let pos = start;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) this.truncated(start);
      const b = buf[pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >>> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        // hi as signed gives int64 semantics for negative values.
        return (hi | 0) * 4294967296 + (lo >>> 0);
      }
    }
    throw new DecodeError(`malformed varint at byte ${start}`);
  }

  /** Reads the length prefix of a LEN field and checks it fits before `limit`. */
  length(limit: number): number {
    const start = this.pos;
    if (start < this.end) {
      const b = this.buf[start];
      if (b < 0x80 && b <= limit - start - 1) {
        this.pos = start + 1;
        return b;
      }
    }
    return this.lengthSlow(limit);
  }

  private lengthSlow(limit: number): number {
    const start = this.pos;
    const buf = this.buf;
    let pos = start;
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= this.end) this.truncated(start);
      const b = buf[pos++];
      // Five bytes carry 35 bits; anything past 2^31 cannot fit in a body anyway.
      if (shift === 28 && b > 0x07) throw new DecodeError(`length too large at byte ${start}`);
      len |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    this.pos = pos;
    if (len > limit - pos) throw new DecodeError(`length ${len} at byte ${start} runs past the end of its message`);
    return len;
  }

  /** Reads a fixed64 into `hi`/`lo` (unsigned halves). */
  fixed64(): void {
    const pos = this.pos;
    if (pos + 8 > this.end) this.truncated(pos);
    const buf = this.buf;
    this.lo = (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
    this.hi = (buf[pos + 4] | (buf[pos + 5] << 8) | (buf[pos + 6] << 16) | (buf[pos + 7] << 24)) >>> 0;
    this.pos = pos + 8;
  }

  /** Reads a fixed32 as an unsigned number. */
  fixed32(): number {
    const pos = this.pos;
    if (pos + 4 > this.end) this.truncated(pos);
    const buf = this.buf;
    this.pos = pos + 4;
    return (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
  }

  /** Reads a little-endian double. */
  double(): number {
    const pos = this.pos;
    if (pos + 8 > this.end) this.truncated(pos);
    this.pos = pos + 8;
    return this.buf.readDoubleLE(pos);
  }

  /** Decodes `len` bytes at `pos` as UTF-8 and advances past them (length already checked). */
  string(len: number): string {
    const pos = this.pos;
    this.pos = pos + len;
    if (len === 0) return '';
    return len <= INTERN_MAX_LEN ? internedAt(this.buf, pos, len) : this.utf8(pos, len);
  }

  /**
   * Like `string`, but keeps at most `max` UTF-16 units (capString): a longer value is decoded only
   * as far as its cap needs, so a megabyte-long field never becomes a megabyte-long string.
   */
  stringCapped(len: number, max: number): string {
    if (len <= max) return this.string(len);
    return this.cappedTail(len, max);
  }

  /**
   * Like `stringCapped`, for values that are mostly unique (request paths, queries, header values):
   * never interned, so they do not evict the names and routes that repeat from the intern table.
   */
  uniqueStringCapped(len: number, max: number): string {
    if (len > max) return this.cappedTail(len, max);
    const pos = this.pos;
    this.pos = pos + len;
    return len === 0 ? '' : this.utf8(pos, len);
  }

  private cappedTail(len: number, max: number): string {
    const pos = this.pos;
    this.pos = pos + len;
    // A UTF-16 unit takes at most 3 UTF-8 bytes, so 3 * (max + 1) bytes hold more than `max` units.
    return capString(this.utf8(pos, Math.min(len, 3 * max + 4)), max);
  }

  private utf8(pos: number, len: number): string {
    return utf8At(this.buf, pos, pos + len);
  }

  /** Lowercase hex of `len` (<= 32) bytes at `pos`, or '' when all zero; advances past them. */
  hex(len: number): string {
    const buf = this.buf;
    const pos = this.pos;
    this.pos = pos + len;
    let any = 0;
    for (let i = 0; i < len; i++) {
      const b = buf[pos + i];
      any |= b;
      hexScratch16[i] = HEX_PAIRS[b];
    }
    if (any === 0) return '';
    return latin1At(hexScratch, 0, len * 2);
  }

  /** True when the `len` bytes at `pos` equal `pattern`; does not move. */
  bytesEqual(len: number, pattern: Uint8Array): boolean {
    if (len !== pattern.length) return false;
    const buf = this.buf;
    const pos = this.pos;
    for (let i = 0; i < len; i++) if (buf[pos + i] !== pattern[i]) return false;
    return true;
  }

  /** Skips the value of a field whose tag was just read, staying within `limit`. */
  skipField(tag: number, limit: number): void {
    const at = this.pos;
    switch (tag & 7) {
      case 0:
        if (at < limit && this.buf[at] < 0x80) this.pos = at + 1;
        else this.skipVarint();
        return;
      case 1:
        if (at + 8 > limit) this.truncated(at);
        this.pos = at + 8;
        return;
      case 2: {
        const len = this.length(limit);
        this.pos += len;
        return;
      }
      case 5:
        if (at + 4 > limit) this.truncated(at);
        this.pos = at + 4;
        return;
      case 3:
        this.skipGroup(tag >>> 3, limit, 1);
        return;
      default:
        throw new DecodeError(`unexpected wire type ${tag & 7} before byte ${at}`);
    }
  }

  private skipVarint(): void {
    const buf = this.buf;
    const start = this.pos;
    const stop = Math.min(this.end, start + 10);
    for (let pos = start; pos < stop; pos++) {
      if (buf[pos] < 0x80) {
        this.pos = pos + 1;
        return;
      }
    }
    if (stop === this.end && stop - start < 10) this.truncated(start);
    throw new DecodeError(`malformed varint at byte ${start}`);
  }

  // Groups are obsolete (no OTLP field uses them) but skipping them is part of the wire format.
  private skipGroup(fieldNo: number, limit: number, depth: number): void {
    if (depth > MAX_GROUP_DEPTH) throw new DecodeError(`groups nested too deep at byte ${this.pos}`);
    while (this.pos < limit) {
      const tag = this.tag();
      if ((tag & 7) === 4) {
        if (tag >>> 3 !== fieldNo) throw new DecodeError(`mismatched end group before byte ${this.pos}`);
        return;
      }
      if ((tag & 7) === 3) this.skipGroup(tag >>> 3, limit, depth + 1);
      else this.skipField(tag, limit);
    }
    throw new DecodeError(`unterminated group at byte ${this.pos}`);
  }

  /** Reads a field tag, rejecting field number 0. */
  tag(): number {
    const at = this.pos;
    const tag = this.varint32() >>> 0;
    if (tag < 8) throw new DecodeError(`invalid field number 0 at byte ${at}`);
    return tag;
  }

  /** Throws unless the message that was meant to end at `end` ended exactly there. */
  expectEnd(end: number): void {
    if (this.pos !== end) throw new DecodeError(`field overruns its message at byte ${end}`);
  }
}
