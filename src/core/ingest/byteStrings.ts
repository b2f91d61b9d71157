/**
 * Strings out of request bytes, shared by the protobuf and the OTLP/JSON byte decoders: native
 * UTF-8 and Latin-1 slices, and an intern table for the short values that repeat on every span;
 * and ids back into bytes, for the columns a decode worker packs.
 */

// Buffer's internal utf8Slice/latin1Slice skip the argument juggling of toString(); they
// have been on Buffer.prototype in every Node release, but keep the public API as a fallback.
interface SliceBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
const fastSlices = typeof (Buffer.prototype as Partial<SliceBuffer>).utf8Slice === 'function' && typeof (Buffer.prototype as Partial<SliceBuffer>).latin1Slice === 'function';

/** Decodes [start, end) as UTF-8 (invalid sequences become U+FFFD, as Buffer#toString does). */
export function utf8At(buf: Buffer, start: number, end: number): string {
  return fastSlices ? (buf as SliceBuffer).utf8Slice(start, end) : buf.toString('utf8', start, end);
}

/** Decodes [start, end) as Latin-1 (for bytes known to be ASCII: a byte per character). */
export function latin1At(buf: Buffer, start: number, end: number): string {
  return fastSlices ? (buf as SliceBuffer).latin1Slice(start, end) : buf.toString('latin1', start, end);
}

/** Strings of at most this many bytes go through the intern table. */
export const INTERN_MAX_LEN = 64;
const INTERN_SLOTS = 16384;
const internTable: string[] = new Array<string>(INTERN_SLOTS).fill('');

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/**
 * The UTF-8 string of [pos, pos + len) (len <= INTERN_MAX_LEN), shared with earlier calls for the
 * same bytes. Span names, routes, methods and code.* values repeat constantly. A direct-mapped
 * table keyed by a hash of all the bytes, verified byte by byte, is cheaper than a native decode
 * call and hands the store one shared string per value (whose hash V8 then holds, so the string
 * table's lookup of it hashes nothing). A hash of a few sampled bytes was cheaper per call but
 * collided on values that differ only in the middle (`/api/v2/r12/f3/:id`), and a miss costs a
 * decode and a fresh hash. Only ASCII strings are cached, so a cached string's char codes are
 * its bytes and a hit needs no byte copy.
 */
export function internedAt(buf: Buffer, pos: number, len: number): string {
  let h = Math.imul(len, 0x01000193);
  for (let i = pos, end = pos + len; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  const slot = (h ^ (h >>> 15)) & (INTERN_SLOTS - 1);
  const cached = internTable[slot];
  if (cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[pos + i]) i++;
    if (i === len) return cached;
  }
  const s = utf8At(buf, pos, pos + len);
  if (s.length === len && isAscii(s)) internTable[slot] = s;
  return s;
}

/**
 * `s` (hex, so one byte a character) into `out` at `at`, zero-filled to `n` bytes. A span's three ids
 * cost 118 ns this way against 220 ns by three calls into Buffer#write, each checking its arguments
 * (in-process, 512-span batches).
 */
export function writeLatin1(out: Uint8Array, at: number, s: string, n: number): void {
  const len = s.length < n ? s.length : n;
  for (let i = 0; i < len; i++) out[at + i] = s.charCodeAt(i);
  if (len < n) out.fill(0, at + len, at + n);
}
