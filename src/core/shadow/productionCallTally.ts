/**
 * Per function, the candidate's calls against production's, for the requests read from traces
 * (their production spans): calls added, missing or repeated, with the digest and target rules of
 * the baseline comparison (spanDigest.ts, spanTreeDiff.ts); and in how many of those requests its
 * spans errored on each side. Latency is not compared: production ran on other machines under
 * other load, so a ratio to it would say more about the hosts than about the change.
 *
 * The rule against noise: production is one sample per request, without a second answer to measure
 * its noise by (a cache that missed, a retry). A call change is listed when it shows in more than
 * half of the requests where it could show:
 *   - `added` and `missing`: the requests with production spans whose candidate or production spans
 *     ran through the function;
 *   - `repeated`: those of them in which the candidate made that call at least twice (a per-item
 *     call repeats only where there are several items: an order of one line cannot show an N+1).
 */
import type { CallDelta } from '../api/shadowReport';
import type { FunctionPlace, SpanDigest } from './spanDigest';
import { FunctionCalls } from './callCounts';
import { diffCalls, type RepeatOptions } from './spanTreeDiff';

interface FunctionAcc {
  place: FunctionPlace;
  /** Requests with production spans in which it ran on either side. */
  requests: number;
  /** Per target: requests in which the candidate called it at least twice. */
  repeatable: Map<string, number>;
  calls: FunctionCalls;
  erroredCandidate: number;
  erroredProduction: number;
}

/** One function's calls against production. */
export interface ProductionCalls {
  place: FunctionPlace;
  /** Requests with production spans in which it ran on either side. */
  requests: number;
  /** The changes that pass the rule above, most requests first. */
  calls: CallDelta[];
  /** Of those requests, the ones in which its spans errored: on the candidate, and in production. */
  errorSpans: { candidate: number; production: number; requests: number };
}

/**
 * True when a function's spans errored on the candidate in more than half of the requests compared
 * with production, beyond those that errored in production too (the calls' rule: production is one
 * sample per request).
 */
export function errorsRose(spans: { candidate: number; production: number; requests: number } | undefined): boolean {
  return spans !== undefined && (spans.candidate - spans.production) * 2 > spans.requests;
}

/** All functions' calls against production in a run. */
export class ProductionCallTally {
  private readonly functions = new Map<string, FunctionAcc>();

  constructor(private readonly repeat: RepeatOptions = {}) {}

  /** Adds one request: the candidate's digested spans and production's (own host already folded). */
  add(candidate: SpanDigest, production: SpanDigest): void {
    for (const [key, run] of candidate.functions) {
      const f = this.accOf(key, run.place);
      f.requests++;
      if (run.errored) f.erroredCandidate++;
      for (const [target, call] of run.calls) if (call.count >= 2) f.repeatable.set(target, (f.repeatable.get(target) ?? 0) + 1);
    }
    for (const [key, run] of production.functions) {
      const f = this.accOf(key, run.place);
      if (!candidate.functions.has(key)) f.requests++;
      if (run.errored) f.erroredProduction++;
    }
    for (const d of diffCalls(candidate, production, this.repeat)) {
      this.functions.get(d.functionKey)!.calls.add(d);
    }
  }

  /** Per function key, the functions compared with production and their changes past the rule. */
  finish(): Map<string, ProductionCalls> {
    const out = new Map<string, ProductionCalls>();
    for (const [key, f] of this.functions) {
      // Held in most of the requests where it could show (for an N+1: those where the candidate repeated the call).
      const calls = f.calls.deltas((c) => c.requests * 2 > (c.change === 'repeated' ? (f.repeatable.get(c.target) ?? 0) : f.requests));
      out.set(key, { place: f.place, requests: f.requests, calls, errorSpans: { candidate: f.erroredCandidate, production: f.erroredProduction, requests: f.requests } });
    }
    return out;
  }

  private accOf(key: string, place: FunctionPlace): FunctionAcc {
    let f = this.functions.get(key);
    if (f === undefined) this.functions.set(key, (f = { place, requests: 0, repeatable: new Map(), calls: new FunctionCalls(), erroredCandidate: 0, erroredProduction: 0 }));
    return f;
  }
}
