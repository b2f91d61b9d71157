/**
 * One answer's spans read for comparing: per function (a span's mapping to code), how long it ran,
 * whether it errored, and the calls it made, grouped by target; and the exceptions raised, grouped
 * by type and message. A call is a client span (kind 3), owned by its own mapping or else by its
 * nearest mapped ancestor, or a child span mapped to a different function than its nearest mapped
 * ancestor. A client span under another client span is the same call seen by a second
 * instrumentation and is not counted twice; spans past a client span (another service's server
 * span) are not calls of this function.
 */
import type { TraceSpan } from '../api/signals';
import { callTarget, peerParts } from '../mapping/callLines';

const CLIENT = 3;
/** Ancestors walked before giving up (framework spans between a call and its handler). */
const MAX_HOPS = 32;

/** Where a function is, as a span maps it. */
export interface FunctionPlace {
  service: string;
  file: string;
  line: number;
  function: string;
  confidence: number;
}

/** Tells the line in `caller` that makes `call` (from the workspace's source), when it can. */
export type CallLineOf = (caller: FunctionPlace, call: TraceSpan) => number | undefined;

/** Calls to one target from one function in one request. */
export interface CallCount {
  count: number;
  /** Calls per known call line. */
  lines: Map<number, number>;
}

/** One function's part in one request. */
export interface FunctionRun {
  place: FunctionPlace;
  /**
   * Span duration, not self time: the sum of the durations of its spans that no other span of the
   * same function encloses (a recursive or re-entered function is not counted twice).
   */
  durationMs: number;
  /** Its own spans ran (not only calls attributed to it). */
  ran: boolean;
  /** One of its spans, or a call it made, errored. */
  errored: boolean;
  calls: Map<string, CallCount>;
}

/** An exception raised in one request, with where it was raised when that maps. */
export interface RaisedError {
  type: string;
  message: string;
  /** The function key of the raising span (its mapping or its nearest mapped ancestor), or ''. */
  functionKey: string;
  place?: FunctionPlace;
}

/** One answer's spans, digested. */
export interface SpanDigest {
  /** By function key (`service`, `file`, `function`: lines move between builds). */
  functions: Map<string, FunctionRun>;
  /** By error group key (type and message with ids folded); each group once per request. */
  errors: Map<string, RaisedError>;
}

/** The key of a function across builds: its line may move, its file and name stay. */
export function functionKey(place: FunctionPlace): string {
  return `${place.service}\u0000${place.file}\u0000${place.function}`;
}

/** The group of an exception: its type and its message with numbers, UUIDs and hashes folded. */
export function errorGroupKey(type: string, message: string): string {
  const folded = message.replace(/REDACTED-[0-9a-f]+|[0-9a-f]{8}-[0-9a-f-]{27}|\b[0-9a-f]{12,}\b|\d+(?:\.\d+)?/gi, '#');
  return `${type}\u0000${folded}`;
}

/** Digests the spans of one answer's trace. */
export function digestSpans(spans: readonly TraceSpan[], callLineOf?: CallLineOf): SpanDigest {
  const byId = new Map<string, TraceSpan>();
  for (const s of spans) byId.set(s.spanId, s);
  const functions = new Map<string, FunctionRun>();
  const errors = new Map<string, RaisedError>();
  const runOf = (place: FunctionPlace): FunctionRun => {
    const key = functionKey(place);
    let run = functions.get(key);
    if (run === undefined) functions.set(key, (run = { place, durationMs: 0, ran: false, errored: false, calls: new Map() }));
    return run;
  };
  /** The nearest mapped ancestor of `s` in its own service, or null; `crossed` when a client span lies between. */
  const ancestor = (s: TraceSpan): { place: FunctionPlace | null; crossed: boolean } => {
    let at = byId.get(s.parentSpanId);
    for (let hop = 0; at !== undefined && hop < MAX_HOPS; hop++, at = byId.get(at.parentSpanId)) {
      if (at.kind === CLIENT || at.service !== s.service) return { place: null, crossed: true };
      if (at.mapping) return { place: placeOf(at), crossed: false };
    }
    return { place: null, crossed: false };
  };
  for (const s of spans) {
    const own = s.mapping ? placeOf(s) : null;
    const up = ancestor(s);
    if (s.kind === CLIENT) {
      const caller = own ?? up.place;
      if (caller === null || (own === null && up.crossed)) continue;
      addCall(runOf(caller), shadowCallTarget(s), lineOf(caller, s, callLineOf), s.error);
    } else if (own !== null) {
      const run = runOf(own);
      run.ran = true;
      if (s.error) run.errored = true;
      if (!enclosedBySame(s, own, byId)) run.durationMs += s.durationMs;
      if (up.place !== null && functionKey(up.place) !== functionKey(own)) addCall(runOf(up.place), s.name, callLineOf?.(up.place, s), false);
    } else if (s.error && up.place !== null) {
      // An unmapped framework span (Express's `request handler`) fails for the function it runs.
      runOf(up.place).errored = true;
    }
    for (const e of s.exceptions) {
      const key = errorGroupKey(e.type, e.message);
      if (errors.has(key)) continue;
      const place = own ?? up.place ?? undefined;
      errors.set(key, { type: e.type, message: e.message, functionKey: place ? functionKey(place) : '', ...(place ? { place } : {}) });
    }
  }
  return { functions, errors };
}

function addCall(run: FunctionRun, target: string, line: number | undefined, error: boolean): void {
  let call = run.calls.get(target);
  if (call === undefined) run.calls.set(target, (call = { count: 0, lines: new Map() }));
  call.count++;
  if (line !== undefined) call.lines.set(line, (call.lines.get(line) ?? 0) + 1);
  if (error) run.errored = true;
}

/** The call's line: the resolver's answer, else a line inside the caller that the call span's own mapping names. */
function lineOf(caller: FunctionPlace, s: TraceSpan, callLineOf: CallLineOf | undefined): number | undefined {
  const resolved = callLineOf?.(caller, s);
  if (resolved !== undefined) return resolved;
  const m = s.mapping;
  // Span mappings name their function's first line; only a later line in the same function is a call line.
  return m !== undefined && m.file === caller.file && m.function === caller.function && m.line > caller.line ? m.line : undefined;
}

function enclosedBySame(s: TraceSpan, place: FunctionPlace, byId: Map<string, TraceSpan>): boolean {
  let at = byId.get(s.parentSpanId);
  for (let hop = 0; at !== undefined && hop < MAX_HOPS; hop++, at = byId.get(at.parentSpanId)) {
    if (at.mapping && at.service === s.service && at.mapping.file === place.file && at.mapping.function === place.function) return true;
  }
  return false;
}

function placeOf(s: TraceSpan): FunctionPlace {
  const m = s.mapping!;
  return { service: s.service, file: m.file, line: m.line, function: m.function, confidence: m.confidence };
}

/**
 * What a client span calls, as calls are told apart: `host[:port]/static/path` (ids and other
 * dynamic segments left out, so `/prices/apple` and `/prices/kiwi` are one call), else the span name.
 * The path matters here: a build calling two endpoints of one downstream makes two different calls.
 */
function shadowCallTarget(s: TraceSpan): string {
  const parts = peerParts(s.peer ?? '', s.httpMethod);
  const target = callTarget(parts, s.name);
  return parts.segments.length > 0 && target === parts.host ? `${target}/${parts.segments.join('/')}` : target;
}
