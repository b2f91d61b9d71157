/**
 * The recorded HTTP requests of the server spans the trace buffer holds, packed one string each
 * (ingest/packedRequest.ts), within a budget of characters: a request may carry kilobytes of
 * headers and body, and a sender that fills every span with them must not grow the buffer past its
 * few megabytes. A request that does not fit is not held (its span still is); the ring frees a
 * slot's characters when it reuses the slot.
 */
import type { RecordedHttpRequest } from '../api/signals';
import { packRequest, unpackRequest } from '../ingest/packedRequest';

/** Requests per ring slot, plus the characters pinned traces hold, each within its budget. */
export class HeldRequests {
  private readonly bySlot: string[];
  private ringChars = 0;
  private pinnedChars = 0;

  constructor(
    slots: number,
    private readonly maxRingChars: number,
    private readonly maxPinnedChars: number,
  ) {
    this.bySlot = new Array<string>(slots).fill('');
  }

  /** Holds the packed request at `slot` ('' for none), replacing what the slot held, when it fits the budget. */
  set(slot: number, packed: string): void {
    this.ringChars -= this.bySlot[slot].length;
    const fits = packed.length > 0 && this.ringChars + packed.length <= this.maxRingChars;
    this.bySlot[slot] = fits ? packed : '';
    this.ringChars += this.bySlot[slot].length;
  }

  /** The request at `slot`, unpacked (a fresh object), or undefined. */
  get(slot: number): RecordedHttpRequest | undefined {
    const packed = this.bySlot[slot];
    return packed === '' ? undefined : unpackRequest(packed);
  }

  /** Whether a request is held at `slot` (cheaper than `get`). */
  has(slot: number): boolean {
    return this.bySlot[slot] !== '';
  }

  /** Whether a pinned copy of the request at `slot` fits the pinned budget; counts it when it does. */
  pinSlot(slot: number): boolean {
    const size = this.bySlot[slot].length;
    if (size === 0 || this.pinnedChars + size > this.maxPinnedChars) return false;
    this.pinnedChars += size;
    return true;
  }

  /** Gives back what a pinned request held (its trace was let go). */
  unpin(request: RecordedHttpRequest | undefined): void {
    if (request !== undefined) this.pinnedChars = Math.max(0, this.pinnedChars - packRequest(request).length);
  }

  /** Characters held in the ring and by pinned traces. */
  sizes(): { ringChars: number; pinnedChars: number } {
    return { ringChars: this.ringChars, pinnedChars: this.pinnedChars };
  }
}
