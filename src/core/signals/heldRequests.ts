/**
 * The recorded HTTP requests of the server spans the trace buffer holds, packed (ingest/packedRequest.ts)
 * as UTF-8 into one ring of bytes: a request may carry kilobytes of headers and body, and a sender
 * that fills every span with them must not grow the buffer past its megabyte. Newer requests
 * overwrite the oldest ones (their spans stay held without them); one larger than the whole ring is
 * not held. Bytes, not a string per span: ingest copies them out of the decoded batch, so filing a
 * span makes no string that would outlive a few scavenges and be promoted, only to be dropped later.
 */
import type { RecordedHttpRequest } from '../api/signals';
import { packRequest, unpackRequestBytes } from '../ingest/packedRequest';

const EMPTY = new Uint8Array(0);
/** Requests up to this many bytes are copied byte by byte, larger ones through a view. */
const COPY_BY_LOOP = 512;

/** Requests per ring slot in a byte ring, plus the bytes pinned copies hold, each within its budget. */
export class HeldRequests {
  private readonly ring: Buffer;
  /** Per slot, where its request starts in the stream of all bytes written (-1: none) and its length. */
  private readonly starts: Float64Array;
  private readonly lengths: Int32Array;
  /** Bytes written since creation (positions in the ring are this modulo its size). */
  private written = 0;
  private pinnedBytes = 0;

  constructor(
    slots: number,
    maxRingBytes: number,
    private readonly maxPinnedBytes: number,
  ) {
    this.ring = Buffer.alloc(Math.max(0, Math.floor(maxRingBytes)));
    this.starts = new Float64Array(slots).fill(-1);
    this.lengths = new Int32Array(slots);
  }

  /** Holds `request` at `slot` (undefined for none), replacing what the slot held. */
  set(slot: number, request: RecordedHttpRequest | undefined): void {
    const bytes = request === undefined ? EMPTY : Buffer.from(packRequest(request), 'utf8');
    this.setBytes(slot, bytes, 0, bytes.length);
  }

  /** Holds the packed request in `source` from `start` to `end` at `slot` (an empty range for none). */
  setBytes(slot: number, source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    const size = this.ring.length;
    if (length <= 0 || length > size) {
      this.starts[slot] = -1;
      return;
    }
    let at = this.written % size;
    // A request is never split: the ring's tail it does not fit in is skipped.
    if (at + length > size) {
      this.written += size - at;
      at = 0;
    }
    const ring = this.ring;
    if (length <= COPY_BY_LOOP) {
      // A view per span for set() was ~60 bytes of garbage a span (every server span has a request).
      for (let i = 0; i < length; i++) ring[at + i] = source[start + i];
    } else ring.set(start === 0 && end === source.length ? source : source.subarray(start, end), at);
    this.starts[slot] = this.written;
    this.lengths[slot] = length;
    this.written += length;
  }

  /** The request at `slot`, unpacked (a fresh object), or undefined. */
  get(slot: number): RecordedHttpRequest | undefined {
    if (!this.has(slot)) return undefined;
    const at = this.starts[slot] % this.ring.length;
    return unpackRequestBytes(this.ring, at, at + this.lengths[slot]);
  }

  /** Whether a request is held at `slot`: one was set and newer ones have not overwritten it. */
  has(slot: number): boolean {
    const start = this.starts[slot];
    return start >= 0 && start >= this.written - this.ring.length;
  }

  /** Whether a pinned copy of the request at `slot` fits the pinned budget; counts it when it does. */
  pinSlot(slot: number): boolean {
    if (!this.has(slot)) return false;
    const size = this.lengths[slot];
    if (this.pinnedBytes + size > this.maxPinnedBytes) return false;
    this.pinnedBytes += size;
    return true;
  }

  /** Gives back what a pinned request held (its trace was let go). */
  unpin(request: RecordedHttpRequest | undefined): void {
    if (request !== undefined) this.pinnedBytes = Math.max(0, this.pinnedBytes - Buffer.byteLength(packRequest(request), 'utf8'));
  }

  /** Bytes of the ring, and those pinned copies hold. */
  sizes(): { ringBytes: number; pinnedBytes: number } {
    return { ringBytes: this.ring.length, pinnedBytes: this.pinnedBytes };
  }
}
