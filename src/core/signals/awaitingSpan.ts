/**
 * Items that wait for a span to be filed: a log record that says nothing of where it was written
 * but the span it was written in (Go's `RecordError` and slog bridge send no stack). Log exporters
 * flush before span exporters (1 s against 5 s by default), so the span usually comes second.
 * Bounded and expiring: an item whose span never comes (sampled out) is released without it.
 */
import { systemClock, type Clock } from '../logger';

/** How long an item waits for its span, ms. */
export const AWAIT_SPAN_TTL_MS = 5_000;
/** Items waiting at most; the oldest is released first. */
export const AWAIT_SPAN_MAX = 5_000;

interface Waiting<T> {
  spanId: string;
  item: T;
  expiresAt: number;
}

/** Holds items by the span id they wait for; `onExpired` receives those whose span did not come in time. */
export class AwaitingSpan<T> {
  private readonly bySpan = new Map<string, Waiting<T>[]>();
  private readonly order: Waiting<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private count = 0;

  constructor(
    private readonly onExpired: (item: T) => void,
    private readonly ttlMs = AWAIT_SPAN_TTL_MS,
    private readonly max = AWAIT_SPAN_MAX,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Items waiting. */
  get size(): number {
    return this.count;
  }

  /** Makes `item` wait for span `spanId`. */
  add(spanId: string, item: T): void {
    if (this.count >= this.max) this.releaseOldest();
    const w: Waiting<T> = { spanId, item, expiresAt: this.clock.now() + this.ttlMs };
    const list = this.bySpan.get(spanId);
    if (list === undefined) this.bySpan.set(spanId, [w]);
    else list.push(w);
    this.order.push(w);
    this.count++;
    this.schedule();
  }

  /** Takes the items waiting for `spanId` (now filed), if any. */
  take(spanId: string): T[] | undefined {
    const list = this.bySpan.get(spanId);
    if (list === undefined) return undefined;
    this.bySpan.delete(spanId);
    this.count -= list.length;
    for (const w of list) w.expiresAt = -1;
    return list.map((w) => w.item);
  }

  /** Releases everything waiting (shutdown). */
  flush(): void {
    for (const w of this.order.splice(0)) if (w.expiresAt !== -1) this.release(w);
    this.bySpan.clear();
    this.count = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.count === 0) return;
    const next = this.order.find((w) => w.expiresAt !== -1);
    if (next === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.expire();
        this.schedule();
      },
      Math.max(10, next.expiresAt - this.clock.now()),
    );
    this.timer.unref?.();
  }

  private expire(): void {
    const now = this.clock.now();
    while (this.order.length > 0 && (this.order[0].expiresAt === -1 || this.order[0].expiresAt <= now)) {
      const w = this.order.shift()!;
      if (w.expiresAt !== -1) this.release(w);
    }
  }

  private releaseOldest(): void {
    while (this.order.length > 0) {
      const w = this.order.shift()!;
      if (w.expiresAt === -1) continue;
      this.release(w);
      return;
    }
  }

  private release(w: Waiting<T>): void {
    const list = this.bySpan.get(w.spanId);
    if (list !== undefined) {
      const rest = list.filter((x) => x !== w);
      if (rest.length > 0) this.bySpan.set(w.spanId, rest);
      else this.bySpan.delete(w.spanId);
      this.count--;
    }
    w.expiresAt = -1;
    this.onExpired(w.item);
  }
}
