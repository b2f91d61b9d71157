/**
 * The traces a TraceBuffer keeps past its ring, the least recently pinned dropped first: a
 * fixed-capacity LRU in flat arrays, found by the ring's 32-bit hash of the trace id (linear
 * probing, deletion by backward shift). At high cardinality a pin comes with about one span in
 * four (every new exemplar, every failed span): as a Map re-keyed on each pin (and a second Map
 * counting hashes), its tables were reallocated every few hundred pins and lived long enough to be
 * promoted, ~23 MB per million spans, so pins cost more in garbage collection than in work.
 */
import type { TraceSpan } from '../api/signals';

/** What a pinned trace holds until the ring overwrites one of its spans (never written to). */
const NO_SPANS: TraceSpan[] = [];

export class PinnedTraces {
  private readonly ids: string[];
  private readonly hashes: Int32Array;
  private readonly held: TraceSpan[][];
  /** The recency list: `newer` points toward `newest`, `older` toward `oldest`; -1 ends it. */
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  /** Open-addressing table of entry index + 1 (0: empty). */
  private readonly table: Int32Array;
  private readonly shift: number;
  private readonly free: number[] = [];
  private newest = -1;
  private oldest = -1;
  /** Traces pinned. */
  size = 0;
  /** Spans held by them in all. */
  spanCount = 0;

  /** `capacity`: traces pinned at most; the least recently pinned goes to make room. */
  constructor(capacity: number) {
    const n = Math.max(0, Math.floor(capacity));
    this.ids = new Array<string>(n).fill('');
    this.hashes = new Int32Array(n);
    this.held = new Array<TraceSpan[]>(n).fill(NO_SPANS);
    this.newer = new Int32Array(n).fill(-1);
    this.older = new Int32Array(n).fill(-1);
    let bits = 1;
    while (1 << bits < n * 2) bits++;
    this.table = new Int32Array(1 << bits);
    this.shift = 32 - bits;
    for (let e = n - 1; e >= 0; e--) this.free.push(e);
  }

  /**
   * Pins `traceId` (whose ring hash, a signed 32-bit integer, is `hash`), or marks it the most recent when it is; drops the
   * least recent pin when full and returns the spans it held (empty when none were).
   */
  pin(traceId: string, hash: number): readonly TraceSpan[] {
    const found = this.find(traceId, hash);
    if (found >= 0) {
      this.unlink(found);
      this.linkNewest(found);
      return NO_SPANS;
    }
    if (this.ids.length === 0) return NO_SPANS;
    const dropped = this.size === this.ids.length ? this.dropOldest() : NO_SPANS;
    const e = this.free.pop()!;
    this.ids[e] = traceId;
    this.hashes[e] = hash;
    let i = this.home(hash);
    while (this.table[i] !== 0) i = (i + 1) & (this.table.length - 1);
    this.table[i] = e + 1;
    this.linkNewest(e);
    this.size++;
    return dropped;
  }

  /** Whether any pinned trace has ring hash `hash` (one may still be another trace's: check with `find`). */
  hasHash(hash: number): boolean {
    const mask = this.table.length - 1;
    for (let i = this.home(hash); this.table[i] !== 0; i = (i + 1) & mask) if (this.hashes[this.table[i] - 1] === hash) return true;
    return false;
  }

  /** The entry of `traceId`, or -1. */
  find(traceId: string, hash: number): number {
    const mask = this.table.length - 1;
    for (let i = this.home(hash); this.table[i] !== 0; i = (i + 1) & mask) {
      const e = this.table[i] - 1;
      if (this.hashes[e] === hash && this.ids[e] === traceId) return e;
    }
    return -1;
  }

  /** The spans kept for `traceId` (empty when pinned with none kept yet); undefined when it is not pinned. */
  spansOf(traceId: string, hash: number): readonly TraceSpan[] | undefined {
    const e = this.find(traceId, hash);
    return e < 0 ? undefined : this.held[e];
  }

  /** Keeps `span` with the trace of entry `e` (from `find`). */
  keep(e: number, span: TraceSpan): void {
    if (this.held[e] === NO_SPANS) this.held[e] = [];
    this.held[e].push(span);
    this.spanCount++;
  }

  /** Unpins the least recently pinned trace and returns the spans it held; empty when none is pinned. */
  dropOldest(): readonly TraceSpan[] {
    const e = this.oldest;
    if (e < 0) return NO_SPANS;
    this.unlink(e);
    this.removeFromTable(e);
    const spans = this.held[e];
    this.spanCount -= spans.length;
    this.ids[e] = '';
    this.held[e] = NO_SPANS;
    this.free.push(e);
    this.size--;
    return spans;
  }

  /** Each pinned trace with its kept spans, least recently pinned first. */
  forEach(visit: (traceId: string, spans: readonly TraceSpan[]) => void): void {
    for (let e = this.oldest; e >= 0; e = this.newer[e]) visit(this.ids[e], this.held[e]);
  }

  /** Fibonacci hashing: the ring hash's low bits come from hex digits' ASCII codes, so the high bits of a product place it. */
  private home(hash: number): number {
    return Math.imul(hash ^ (hash >>> 16), 0x9e3779b1) >>> this.shift;
  }

  private linkNewest(e: number): void {
    this.older[e] = this.newest;
    this.newer[e] = -1;
    if (this.newest >= 0) this.newer[this.newest] = e;
    this.newest = e;
    if (this.oldest < 0) this.oldest = e;
  }

  private unlink(e: number): void {
    const o = this.older[e];
    const n = this.newer[e];
    if (o >= 0) this.newer[o] = n;
    else this.oldest = n;
    if (n >= 0) this.older[n] = o;
    else this.newest = o;
  }

  /** Deletes entry `e` from the table, moving later entries of its probe run back so none is cut off. */
  private removeFromTable(e: number): void {
    const mask = this.table.length - 1;
    let i = this.home(this.hashes[e]);
    while (this.table[i] !== e + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      this.table[i] = 0;
      for (;;) {
        j = (j + 1) & mask;
        if (this.table[j] === 0) return;
        const k = this.home(this.hashes[this.table[j] - 1]);
        // An entry whose home lies cyclically in (i, j] stays; any other may move back to i.
        const stays = i <= j ? i < k && k <= j : i < k || k <= j;
        if (!stays) break;
      }
      this.table[i] = this.table[j];
      i = j;
    }
  }
}
