/**
 * One request counts once on the function that serves it. Instrumentations often make several spans
 * for one call of one function: the Java agent's server span (mapped by its route) and its
 * controller span (mapped by `code.*`) land on the same method; Express's router and layer spans
 * sit between the server span and the handler. This decides, span by span, whether a span is a new
 * call of its function or part of one already counted in the same trace.
 */
import type { SpanRecord } from '../ingest/records';
import type { CodeLocation } from './storeTypes';
import type { BufferedSpan, TraceBuffer } from './traceBuffer';
import { OldestFirst } from '../oldestFirst';

/** How a span is filed. */
export type SpanFiling =
  /** A call of its function (or, unmapped, listed as unmapped). */
  | 'count'
  /** Part of a call already counted: a span of the same function, or a framework-internal span of its request. */
  | 'fold';

/** A counted span whose parent was not filed yet (children usually end, and arrive, first). */
interface Awaiting<T> {
  location: CodeLocation;
  /** What the caller needs to mark that call failed (see `onOuterFailed`). */
  counted: T;
  error: boolean;
}

/** Ancestors walked up to find the same function (router and middleware layers are a few deep). */
export const FOLD_MAX_DEPTH = 16;
/** Counted spans remembered while their parent is awaited; the oldest are forgotten first. */
export const FOLD_MAX_AWAITING = 10_000;

const INTERNAL = 1;
const UNSPECIFIED = 0;

/** True when two locations are the same function definition (mapped by whatever means). */
export function sameFunction(a: CodeLocation, b: CodeLocation): boolean {
  return a === b || (a.file === b.file && a.line === b.line && a.function === b.function);
}

/** Decides `count` or `fold` per span from the spans of its trace held in the trace buffer. */
export class RequestFold<T> {
  /** By the awaited parent's span id. */
  private readonly awaiting = new Map<string, Awaiting<T>>();
  private readonly awaitingOldest = new OldestFirst(this.awaiting);

  /** `onOuterFailed` marks a counted call failed because its outer span, folded into it, failed. */
  constructor(
    private readonly traces: TraceBuffer,
    private readonly onOuterFailed: (counted: T, outer: SpanRecord) => void,
    private readonly maxAwaiting = FOLD_MAX_AWAITING,
  ) {}

  /**
   * How to file `span`, decided before it is recorded in the trace buffer. A folded span whose
   * already-counted child succeeded while it failed marks that call failed: the outer span speaks
   * for the request.
   */
  decide(span: SpanRecord, location: CodeLocation | null): SpanFiling {
    const waiting = this.awaiting.size > 0 ? this.awaiting.get(span.spanId) : undefined;
    if (waiting !== undefined) this.awaiting.delete(span.spanId);
    if (location === null) {
      // A span between a counted child and its ancestors passes the child's wait upwards.
      if (waiting !== undefined && span.parentSpanId !== '') this.wait(span.parentSpanId, waiting);
      return isInternalChild(span) ? 'fold' : 'count';
    }
    if (waiting !== undefined && sameFunction(waiting.location, location)) {
      if (span.error && !waiting.error) this.onOuterFailed(waiting.counted, span);
      return 'fold';
    }
    return this.sameAsAncestor(span.parentSpanId, location) ? 'fold' : 'count';
  }

  /** True when a counted span's parent may still come and fold into it (see `counted`). */
  mayAwait(span: SpanRecord): boolean {
    return span.parentSpanId !== '' && (span.kind === INTERNAL || span.kind === UNSPECIFIED) && this.traces.findSpan(span.parentSpanId) === undefined;
  }

  /** After a counted span for which `mayAwait` held is filed: remembers it until its parent comes. */
  counted(span: SpanRecord, location: CodeLocation, counted: T): void {
    this.wait(span.parentSpanId, { location, counted, error: span.error });
  }

  /** Spans remembered while their parent is awaited. */
  get awaitingSize(): number {
    return this.awaiting.size;
  }

  private wait(parentSpanId: string, entry: Awaiting<T>): void {
    this.awaiting.delete(parentSpanId);
    this.awaiting.set(parentSpanId, entry);
    if (this.awaiting.size > this.maxAwaiting) this.awaitingOldest.drop();
  }

  private sameAsAncestor(parentSpanId: string, location: CodeLocation): boolean {
    let id = parentSpanId;
    for (let depth = 0; depth < FOLD_MAX_DEPTH && id !== ''; depth++) {
      const parent: BufferedSpan | undefined = this.traces.findSpan(id);
      if (parent === undefined) return false;
      if (parent.location !== null) return sameFunction(parent.location, location);
      id = parent.parentSpanId;
    }
    return false;
  }
}

/** An unmapped internal span inside a request: a framework's middleware or router layer. */
function isInternalChild(span: SpanRecord): boolean {
  return span.kind === INTERNAL && span.parentSpanId !== '';
}
