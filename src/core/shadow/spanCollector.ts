/**
 * Waits for the local builds' spans of the replayed requests: each request started its own trace,
 * and its server span ends last, so a trace is complete once a server span (kind 2) of it arrived.
 * Bounded: what has not arrived by the deadline is compared without its spans (and said so).
 */
import type { TraceSpan } from '../api/signals';

/** Where the run's receiver keeps spans by trace. */
export interface SpanLookup {
  spans(traceId: string): TraceSpan[] | undefined;
}

/** The spans of each trace id; traces whose server span never came are listed in `incomplete`. */
export async function collectSpans(lookup: SpanLookup, traceIds: readonly string[], waitMs: number, signal?: AbortSignal): Promise<{ spans: Map<string, TraceSpan[]>; incomplete: string[] }> {
  const spans = new Map<string, TraceSpan[]>();
  let pending = [...new Set(traceIds)];
  const deadline = Date.now() + waitMs;
  for (;;) {
    pending = pending.filter((id) => {
      const got = lookup.spans(id);
      if (got === undefined || !got.some((s) => s.kind === 2)) return true;
      spans.set(id, got);
      return false;
    });
    if (pending.length === 0 || Date.now() >= deadline || signal?.aborted) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Partial traces still say something (a client span that errored): keep what came.
  for (const id of pending) spans.set(id, lookup.spans(id) ?? []);
  return { spans, incomplete: pending };
}
