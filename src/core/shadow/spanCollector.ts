/**
 * Waits for the local builds' spans of the replayed requests: each request started its own trace,
 * and its entry server span ends last, so a trace is complete once that span arrived: a server span
 * (kind 2) whose parent is not in the trace (the replayer's own context). A server span under one of
 * the trace's client spans (a downstream the build calls) does not count: it ends first.
 * Bounded: what has not arrived by the deadline is compared without its spans (and said so).
 */
import type { TraceSpan } from '../api/signals';

/** Where the run's receiver keeps spans by trace. */
export interface SpanLookup {
  spans(traceId: string): TraceSpan[] | undefined;
  /** The spans of many traces at once (traces with none left out); used when given, as one lookup per trace may scan the whole store. */
  spansOf?(traceIds: readonly string[]): Map<string, TraceSpan[]>;
}

/** How often to look again: often when `spansOf` makes a look cheap, as each look shortens the wait after the last answer. */
const POLL_MS = { batch: 25, each: 100 };

/** The spans of each trace id; traces whose server span never came are listed in `incomplete`. */
export async function collectSpans(lookup: SpanLookup, traceIds: readonly string[], waitMs: number, signal?: AbortSignal): Promise<{ spans: Map<string, TraceSpan[]>; incomplete: string[] }> {
  const spans = new Map<string, TraceSpan[]>();
  let pending = [...new Set(traceIds)];
  const deadline = Date.now() + waitMs;
  const look = (ids: string[]): ((id: string) => TraceSpan[] | undefined) => {
    const batch = lookup.spansOf?.(ids);
    return batch ? (id) => batch.get(id) : (id) => lookup.spans(id);
  };
  for (;;) {
    const get = look(pending);
    pending = pending.filter((id) => {
      const got = get(id);
      if (got === undefined || !hasEntrySpan(got)) return true;
      spans.set(id, got);
      return false;
    });
    if (pending.length === 0 || Date.now() >= deadline || signal?.aborted) break;
    await new Promise((r) => setTimeout(r, lookup.spansOf ? POLL_MS.batch : POLL_MS.each));
  }
  // Partial traces still say something (a client span that errored): keep what came.
  const get = look(pending);
  for (const id of pending) spans.set(id, get(id) ?? []);
  return { spans, incomplete: pending };
}

/** Whether the trace's entry server span arrived: a server span whose parent is not one of the trace's spans. */
function hasEntrySpan(spans: readonly TraceSpan[]): boolean {
  const ids = new Set(spans.map((s) => s.spanId));
  return spans.some((s) => s.kind === 2 && !ids.has(s.parentSpanId));
}
