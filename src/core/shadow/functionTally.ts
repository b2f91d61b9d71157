/**
 * Per function (mapped from spans), the running figures of a run: requests through it, its
 * durations on each side, requests in which it errored, and its call changes per request against
 * the baseline and, for noise, the baseline against itself. `finish` keeps the call changes that
 * clear the noise rule (noise.ts), with the function's requests as the denominator.
 */
import type { ErrorDelta, FunctionDelta } from '../api/shadowReport';
import { beyondNoise, HitCounter, type NoiseOptions } from './noise';
import { FunctionCalls } from './callCounts';
import { latencyDelta } from './percentiles';
import { errorsRose, type ProductionCalls } from './productionCallTally';
import type { FunctionPlace, SpanDigest } from './spanDigest';
import { diffCalls, type RepeatOptions } from './spanTreeDiff';

interface FunctionAcc {
  place: FunctionPlace;
  /** Requests (with a baseline) in which it appeared on either side. */
  requests: number;
  /** Requests with a second baseline answer in which it appeared on either baseline side. */
  noiseRequests: number;
  candidateMs: number[];
  baselineMs: number[];
  /** Durations of requests in which it ran on both sides: [candidate, baseline]. */
  pairs: [number, number][];
  erroredCandidate: number;
  erroredBaseline: number;
  calls: FunctionCalls;
  noiseHits: HitCounter;
}

/** All functions' figures of a run. */
export class FunctionTally {
  private readonly functions = new Map<string, FunctionAcc>();

  constructor(private readonly repeat: RepeatOptions = {}) {}

  /** Adds one request's digested answers. */
  add(candidate: SpanDigest, baseline: SpanDigest, baseline2: SpanDigest | undefined): void {
    for (const [key, run] of candidate.functions) {
      const f = this.accOf(key, run.place, true);
      f.requests++;
      if (run.ran) f.candidateMs.push(run.durationMs);
      if (run.errored) f.erroredCandidate++;
    }
    for (const [key, run] of baseline.functions) {
      const f = this.accOf(key, run.place, false);
      if (!candidate.functions.has(key)) f.requests++;
      if (run.ran) f.baselineMs.push(run.durationMs);
      const other = candidate.functions.get(key);
      if (run.ran && other?.ran) f.pairs.push([other.durationMs, run.durationMs]);
      if (run.errored) f.erroredBaseline++;
    }
    for (const d of diffCalls(candidate, baseline, this.repeat)) {
      this.functions.get(d.functionKey)!.calls.add(d);
    }
    if (baseline2 === undefined) return;
    const noisy = new Map<string, string[]>();
    for (const d of diffCalls(baseline2, baseline, this.repeat)) {
      const list = noisy.get(d.functionKey) ?? [];
      // Which way the baselines disagreed does not matter: a call that comes and goes is noise for every change of it.
      list.push(d.target);
      noisy.set(d.functionKey, list);
    }
    for (const key of new Set([...baseline.functions.keys(), ...baseline2.functions.keys()])) {
      const f = this.accOf(key, (baseline.functions.get(key) ?? baseline2.functions.get(key))!.place, false);
      f.noiseRequests++;
      f.noiseHits.addRequest(noisy.get(key) ?? []);
    }
  }

  /**
   * Every function's delta, given its new error groups and its calls against production (see
   * productionCallTally.ts); changed functions first. A function only the production comparison saw
   * (no baseline, or code only production ran) is listed when its calls differ from production's or
   * its spans now error where production's did not.
   */
  finish(noise: NoiseOptions, newErrorsOf: (functionKey: string) => ErrorDelta[], production: ReadonlyMap<string, ProductionCalls> = new Map()): FunctionDelta[] {
    const out: FunctionDelta[] = [];
    for (const [key, p] of production) {
      if ((this.functions.get(key)?.requests ?? 0) > 0 || (p.calls.length === 0 && !errorsRose(p.errorSpans))) continue;
      const { place } = p;
      out.push({
        service: place.service,
        function: place.function,
        file: place.file,
        line: place.line,
        confidence: place.confidence,
        requests: p.requests,
        latency: null,
        calls: [],
        productionCalls: p.calls,
        productionErrorSpans: p.errorSpans,
        errorSpans: { candidate: 0, baseline: 0 },
        newErrors: newErrorsOf(key),
      });
    }
    for (const [key, f] of this.functions) {
      if (f.requests === 0) continue;
      const calls = f.calls.deltas((c) => beyondNoise(c.requests, f.requests, f.noiseHits.get(c.target), f.noiseRequests, noise));
      out.push({
        service: f.place.service,
        function: f.place.function,
        file: f.place.file,
        line: f.place.line,
        confidence: f.place.confidence,
        requests: f.requests,
        latency: latencyDelta(f.candidateMs, f.baselineMs, f.pairs),
        calls,
        ...(production.has(key) ? { productionCalls: production.get(key)!.calls, productionErrorSpans: production.get(key)!.errorSpans } : {}),
        errorSpans: { candidate: f.erroredCandidate, baseline: f.erroredBaseline },
        newErrors: newErrorsOf(key),
      });
    }
    return out.sort((a, b) => weight(b) - weight(a) || (b.latency?.p95Ratio ?? 0) - (a.latency?.p95Ratio ?? 0) || a.file.localeCompare(b.file) || a.line - b.line);
  }

  private accOf(key: string, place: FunctionPlace, fromCandidate: boolean): FunctionAcc {
    let f = this.functions.get(key);
    if (f === undefined) {
      f = { place, requests: 0, noiseRequests: 0, candidateMs: [], baselineMs: [], pairs: [], erroredCandidate: 0, erroredBaseline: 0, calls: new FunctionCalls(), noiseHits: new HitCounter() };
      this.functions.set(key, f);
    } else if (fromCandidate && f.place.line !== place.line) {
      // The candidate's line is where the function is now.
      f.place = place;
    }
    return f;
  }
}

/** How much a function changed, for ordering: call changes (against production less), new errors, more erroring requests. */
function weight(f: FunctionDelta): number {
  return f.calls.length * 4 + (f.productionCalls?.length ?? 0) * 2 + f.newErrors.length * 4 + (f.errorSpans.candidate > f.errorSpans.baseline ? 2 : 0);
}
