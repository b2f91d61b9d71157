/**
 * The recorded HTTP requests of the server spans the trace buffer holds, within a budget of
 * characters: a request may carry kilobytes of headers and body, and a sender that fills every span
 * with them must not grow the buffer past its few megabytes. A request that does not fit is not
 * held (its span still is); the ring frees a slot's characters when it reuses the slot.
 */
import type { RecordedHttpRequest } from '../api/signals';

/** Characters of a request's strings (one byte each in V8 for the usual Latin-1 values). */
export function requestChars(r: RecordedHttpRequest): number {
  let n = r.path.length + r.query.length + (r.scheme?.length ?? 0) + (r.body?.length ?? 0);
  for (const [name, value] of r.headers) n += name.length + value.length + 16;
  return n + 64;
}

/** Requests per ring slot, plus the characters pinned traces hold, each within its budget. */
export class HeldRequests {
  private readonly bySlot: (RecordedHttpRequest | undefined)[];
  private readonly chars: Int32Array;
  private ringChars = 0;
  private pinnedChars = 0;

  constructor(
    slots: number,
    private readonly maxRingChars: number,
    private readonly maxPinnedChars: number,
  ) {
    this.bySlot = new Array<RecordedHttpRequest | undefined>(slots).fill(undefined);
    this.chars = new Int32Array(slots);
  }

  /** Holds `request` at `slot` (replacing what the slot held) when it fits the budget. */
  set(slot: number, request: RecordedHttpRequest | undefined): void {
    this.ringChars -= this.chars[slot];
    const size = request === undefined ? 0 : requestChars(request);
    const fits = size > 0 && this.ringChars + size <= this.maxRingChars;
    this.bySlot[slot] = fits ? request : undefined;
    this.chars[slot] = fits ? size : 0;
    this.ringChars += this.chars[slot];
  }

  /** A copy of the request at `slot` (readers may change what they get), or undefined. */
  get(slot: number): RecordedHttpRequest | undefined {
    const r = this.bySlot[slot];
    return r === undefined ? undefined : { ...r, headers: r.headers.map(([name, value]): [string, string] => [name, value]) };
  }

  /** Whether a request is held at `slot` (cheaper than `get`, which copies it). */
  has(slot: number): boolean {
    return this.bySlot[slot] !== undefined;
  }

  /** Whether a pinned copy of the request at `slot` fits the pinned budget; counts it when it does. */
  pinSlot(slot: number): boolean {
    const size = this.chars[slot];
    if (size === 0 || this.pinnedChars + size > this.maxPinnedChars) return false;
    this.pinnedChars += size;
    return true;
  }

  /** Gives back what a pinned request held (its trace was let go). */
  unpin(request: RecordedHttpRequest | undefined): void {
    if (request !== undefined) this.pinnedChars = Math.max(0, this.pinnedChars - requestChars(request));
  }

  /** Characters held in the ring and by pinned traces. */
  sizes(): { ringChars: number; pinnedChars: number } {
    return { ringChars: this.ringChars, pinnedChars: this.pinnedChars };
  }
}
