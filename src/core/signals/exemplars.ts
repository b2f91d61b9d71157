import type { Exemplar } from '../api/signals';

/** Id bytes per exemplar: a trace id (16) and a span id (8), as the bytes their hex spells. */
const ID_BYTES = 24;
/** Numbers per exemplar: durationMs, time. */
const NUMS = 2;
/** Numbers per slot: slowest count, recent count, next recent position, slowest bar, oldest slowest time. */
const META = 5;
const SLOW_COUNT = 0;
const RECENT_COUNT = 1;
const RECENT_NEXT = 2;
const BAR = 3;
const OLDEST = 4;

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * The exemplars of every location in three typed arrays: ids as the bytes their hex spells and
 * numbers unboxed, one fixed slot per location (its slowest few, then a ring of its recent failing
 * ones). Kept as objects with two id strings each, thousands of locations' exemplars were tens of
 * thousands of small objects, a large part of the store's live heap, which V8 then keeps at 2-3x.
 * Ids that are not lowercase hex of the usual length (JSON from odd senders) are kept as strings aside.
 */
/** A span's ids, read only when the span is kept (a span cursor's are getters that build strings). */
export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

export class ExemplarPool {
  private readonly perSlot: number;
  private capacity = 0;
  private ids = new Uint8Array(0);
  private nums = new Float64Array(0);
  private meta = new Float64Array(0);
  private used = 0;
  private readonly free: number[] = [];
  /** Records (by index) whose ids could not be packed. */
  private readonly odd = new Map<number, [string, string]>();

  constructor(
    private readonly slowKeep: number,
    private readonly recentKeep: number,
  ) {
    this.perSlot = slowKeep + recentKeep;
  }

  /** Slots in use, for tests and status. */
  get size(): number {
    return this.used - this.free.length;
  }

  /** A new empty slot. */
  allocate(): number {
    const slot = this.free.pop() ?? this.used++;
    if (slot >= this.capacity) this.grow(Math.max(64, this.capacity * 2));
    const m = slot * META;
    this.meta.fill(0, m, m + META);
    this.meta[m + BAR] = -1;
    this.meta[m + OLDEST] = Infinity;
    return slot;
  }

  /** Gives a slot back (its location was evicted). */
  release(slot: number): void {
    const first = slot * this.perSlot;
    for (let r = first; r < first + this.perSlot; r++) this.odd.delete(r);
    this.free.push(slot);
  }

  /**
   * Offers a trace to the slot's slowest few, forgetting those older than `oldestAllowedMs`.
   * True when it was kept. The common case (not slower than the bar, nothing expired) reads two numbers.
   */
  offerSlowest(slot: number, ids: TraceIds, durationMs: number, time: number, oldestAllowedMs: number): boolean {
    if (this.slowKeep <= 0) return false;
    const meta = this.meta;
    const m = slot * META;
    if (durationMs <= meta[m + BAR] && meta[m + OLDEST] >= oldestAllowedMs) return false;
    const first = slot * this.perSlot;
    const nums = this.nums;
    let count = meta[m + SLOW_COUNT];
    // Drop expired ones, keeping the order.
    let kept = 0;
    for (let i = 0; i < count; i++) {
      if (nums[(first + i) * NUMS + 1] < oldestAllowedMs) continue;
      if (kept !== i) this.move(first + i, first + kept);
      kept++;
    }
    count = kept;
    let at = -1;
    if (count < this.slowKeep || durationMs > nums[(first + count - 1) * NUMS]) {
      at = Math.min(count, this.slowKeep - 1);
      // Shift the faster ones down one place; a full list loses its fastest.
      for (; at > 0 && nums[(first + at - 1) * NUMS] < durationMs; at--) this.move(first + at - 1, first + at);
      // The ids are read (a span cursor builds their strings) only for a span that is kept.
      this.write(first + at, ids.traceId, ids.spanId, durationMs, time);
      if (count < this.slowKeep) count++;
    }
    meta[m + SLOW_COUNT] = count;
    meta[m + BAR] = count < this.slowKeep ? -1 : nums[(first + count - 1) * NUMS];
    let oldest = Infinity;
    for (let i = 0; i < count; i++) oldest = Math.min(oldest, nums[(first + i) * NUMS + 1]);
    meta[m + OLDEST] = oldest;
    return at >= 0;
  }

  /** Records a failing trace as the slot's most recent one. */
  offerRecent(slot: number, traceId: string, spanId: string, durationMs: number, time: number): void {
    if (this.recentKeep <= 0) return;
    const m = slot * META;
    const next = this.meta[m + RECENT_NEXT];
    this.write(slot * this.perSlot + this.slowKeep + next, traceId, spanId, durationMs, time);
    this.meta[m + RECENT_NEXT] = (next + 1) % this.recentKeep;
    this.meta[m + RECENT_COUNT] = Math.min(this.meta[m + RECENT_COUNT] + 1, this.recentKeep);
  }

  /**
   * What a span must beat to enter the slot's slowest (-1: any span, the list is not full) and the
   * oldest time it holds: `offerSlowest` keeps nothing of a span no slower than the first while
   * nothing is older than its cutoff. A caller may hold both to skip the offer (SignalStore does).
   */
  slowestBar(slot: number): number {
    return this.meta[slot * META + BAR];
  }

  slowestSince(slot: number): number {
    return this.meta[slot * META + OLDEST];
  }

  /** The slot's slowest traces, slowest first. */
  slowest(slot: number): Exemplar[] {
    const first = slot * this.perSlot;
    const out: Exemplar[] = [];
    for (let i = 0; i < this.meta[slot * META + SLOW_COUNT]; i++) out.push(this.read(first + i, 'slowest'));
    return out;
  }

  /** The slot's recent failing traces, newest first. */
  recent(slot: number): Exemplar[] {
    const m = slot * META;
    const first = slot * this.perSlot + this.slowKeep;
    const out: Exemplar[] = [];
    const count = this.meta[m + RECENT_COUNT];
    for (let i = 1; i <= count; i++) out.push(this.read(first + ((this.meta[m + RECENT_NEXT] - i + this.recentKeep) % this.recentKeep), 'error'));
    return out;
  }

  private write(record: number, traceId: string, spanId: string, durationMs: number, time: number): void {
    this.nums[record * NUMS] = durationMs;
    this.nums[record * NUMS + 1] = time;
    const at = record * ID_BYTES;
    if (traceId.length === 32 && spanId.length === 16 && this.pack(traceId, at) && this.pack(spanId, at + 16)) this.odd.delete(record);
    else this.odd.set(record, [traceId, spanId]);
  }

  private pack(hex: string, at: number): boolean {
    const ids = this.ids;
    for (let i = 0; i < hex.length; i += 2) {
      const hi = nibble(hex.charCodeAt(i));
      const lo = nibble(hex.charCodeAt(i + 1));
      if (hi < 0 || lo < 0) return false;
      ids[at + i / 2] = (hi << 4) | lo;
    }
    return true;
  }

  private read(record: number, kind: Exemplar['kind']): Exemplar {
    const odd = this.odd.get(record);
    const at = record * ID_BYTES;
    const hex = (from: number, to: number) => {
      let s = '';
      for (let i = from; i < to; i++) s += HEX[this.ids[i]];
      return s;
    };
    return {
      traceId: odd ? odd[0] : hex(at, at + 16),
      spanId: odd ? odd[1] : hex(at + 16, at + ID_BYTES),
      durationMs: this.nums[record * NUMS],
      time: this.nums[record * NUMS + 1],
      kind,
    };
  }

  private move(from: number, to: number): void {
    this.ids.copyWithin(to * ID_BYTES, from * ID_BYTES, (from + 1) * ID_BYTES);
    this.nums[to * NUMS] = this.nums[from * NUMS];
    this.nums[to * NUMS + 1] = this.nums[from * NUMS + 1];
    const odd = this.odd.get(from);
    if (odd) this.odd.set(to, odd);
    else this.odd.delete(to);
  }

  private grow(slots: number): void {
    const ids = new Uint8Array(slots * this.perSlot * ID_BYTES);
    ids.set(this.ids);
    const nums = new Float64Array(slots * this.perSlot * NUMS);
    nums.set(this.nums);
    const meta = new Float64Array(slots * META);
    meta.set(this.meta);
    this.ids = ids;
    this.nums = nums;
    this.meta = meta;
    this.capacity = slots;
  }
}
