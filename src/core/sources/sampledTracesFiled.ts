/**
 * Which spans a sampled-trace store has filed, by trace. Pulls overlap in time (spans reach a
 * backend late), so the same trace comes back; filing it twice would double its figures. A trace
 * that grew since (its late spans) files only the spans it did not have. Bounded in spans: the
 * traces filed longest ago are forgotten first, by which time no pull window reaches them.
 */
import type { SpanRecord } from '../ingest/records';
import { OldestFirst } from '../oldestFirst';

/** Span ids filed, per trace, bounded. */
export class FiledSpans {
  private readonly byTrace = new Map<string, Set<string>>();
  private readonly byTraceOldest = new OldestFirst(this.byTrace);
  private spans = 0;

  constructor(private readonly maxSpans: number) {}

  /** The spans of `spans` not filed before (also unique among themselves), now remembered as filed. */
  unseen(spans: readonly SpanRecord[]): SpanRecord[] {
    const out: SpanRecord[] = [];
    for (const span of spans) {
      let ids = this.byTrace.get(span.traceId);
      if (ids === undefined) {
        ids = new Set();
        this.byTrace.set(span.traceId, ids);
      }
      if (ids.has(span.spanId)) continue;
      ids.add(span.spanId);
      this.spans++;
      out.push(span);
    }
    this.trim();
    return out;
  }

  /** Whether `traceId` was filed (and not yet forgotten). */
  has(traceId: string): boolean {
    return this.byTrace.has(traceId);
  }

  /** Traces remembered. */
  get size(): number {
    return this.byTrace.size;
  }

  private trim(): void {
    // The newest trace is kept even when it alone is over the bound: it was just filed.
    while (this.spans > this.maxSpans && this.byTrace.size > 1) {
      const [, ids] = this.byTraceOldest.drop()!;
      this.spans -= ids.size;
    }
  }
}
