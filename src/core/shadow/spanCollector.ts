/**
 * Waits for the local builds' spans of the replayed requests: each request started its own trace,
 * and its entry server span ends last, so a trace is complete once that span arrived: the server span
 * (kind 2) whose parent is the span the replayer's `traceparent` named. A server span under one of
 * the trace's client spans (a downstream the build calls, itself included) does not count: it ends
 * first, and may arrive before the client span above it does (another export batch), when it would
 * look like a span whose parent is not in the trace.
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

/** A replayed request's trace: its id and the parent span id its `traceparent` named. */
export interface SentTrace {
  traceId: string;
  parentSpanId: string;
}

/** The spans of each trace; traces whose entry server span never came are listed in `incomplete`. */
export async function collectSpans(lookup: SpanLookup, traces: readonly SentTrace[], waitMs: number, signal?: AbortSignal): Promise<{ spans: Map<string, TraceSpan[]>; incomplete: string[] }> {
  const spans = new Map<string, TraceSpan[]>();
  const parentOf = new Map(traces.map((t) => [t.traceId, t.parentSpanId]));
  let pending = [...parentOf.keys()];
  const deadline = Date.now() + waitMs;
  const look = (ids: string[]): ((id: string) => TraceSpan[] | undefined) => {
    const batch = lookup.spansOf?.(ids);
    return batch ? (id) => batch.get(id) : (id) => lookup.spans(id);
  };
  for (;;) {
    const get = look(pending);
    pending = pending.filter((id) => {
      const got = get(id);
      if (got === undefined || !hasEntrySpan(got, parentOf.get(id)!)) return true;
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

/** Whether the trace's entry server span arrived: the server span whose parent the replayer named. */
function hasEntrySpan(spans: readonly TraceSpan[], parentSpanId: string): boolean {
  return spans.some((s) => s.kind === 2 && s.parentSpanId === parentSpanId);
}
