/**
 * One request's span trees compared: per function, the calls the candidate makes that the
 * baseline does not (`added`), the calls it no longer makes (`missing`), and the calls it makes
 * clearly more often (`repeated`: an N+1 shows as one call per request against one per item),
 * with the line of the call where known; the functions whose spans now error; and per-function
 * durations on both sides (span duration, not self time: see FunctionRun.durationMs).
 */
import type { TraceSpan } from '../api/signals';
import { type CallCount, type CallLineOf, digestSpans, type FunctionPlace, type SpanDigest } from './spanDigest';

/** How a call changed in one request. */
export type CallChange = 'added' | 'missing' | 'repeated';

/** One call's change under one function in one request. */
export interface RequestCallDelta {
  functionKey: string;
  place: FunctionPlace;
  target: string;
  change: CallChange;
  candidate: number;
  baseline: number;
  line?: number;
}

/** What counts as clearly more calls: at least `factor` times as many and at least `minExtra` more. */
export interface RepeatOptions {
  factor?: number;
  minExtra?: number;
}

const DEFAULT_REPEAT: Required<RepeatOptions> = { factor: 2, minExtra: 2 };

/** One request's span comparison. */
export interface RequestSpanDiff {
  calls: RequestCallDelta[];
  /** Function keys whose spans (or calls) error in the candidate and not in the baseline. */
  nowErroring: string[];
  /** Per function key: durations on each side (absent where its spans did not run). */
  durations: Map<string, { place: FunctionPlace; candidateMs?: number; baselineMs?: number }>;
}

/** Compares the calls of two digested answers to one request, `after` against `before`. */
export function diffCalls(after: SpanDigest, before: SpanDigest, options: RepeatOptions = {}): RequestCallDelta[] {
  const factor = options.factor ?? DEFAULT_REPEAT.factor;
  const minExtra = options.minExtra ?? DEFAULT_REPEAT.minExtra;
  const out: RequestCallDelta[] = [];
  const keys = new Set([...after.functions.keys(), ...before.functions.keys()]);
  for (const key of keys) {
    const a = after.functions.get(key);
    const b = before.functions.get(key);
    const place = (a ?? b)!.place;
    const targets = new Set([...(a?.calls.keys() ?? []), ...(b?.calls.keys() ?? [])]);
    for (const target of targets) {
      const ca = a?.calls.get(target);
      const cb = b?.calls.get(target);
      const candidate = ca?.count ?? 0;
      const baseline = cb?.count ?? 0;
      let change: CallChange | undefined;
      if (baseline === 0 && candidate > 0) change = 'added';
      else if (candidate === 0 && baseline > 0) change = 'missing';
      else if (candidate >= factor * baseline && candidate - baseline >= minExtra) change = 'repeated';
      if (change === undefined) continue;
      const line = callLine(change, ca, cb);
      out.push({ functionKey: key, place, target, change, candidate, baseline, ...(line !== undefined ? { line } : {}) });
    }
  }
  return out;
}

/** Compares the candidate's spans of one request with the baseline's. */
export function spanTreeDiff(candidate: readonly TraceSpan[], baseline: readonly TraceSpan[], callLineOf?: CallLineOf, options: RepeatOptions = {}): RequestSpanDiff {
  return diffDigests(digestSpans(candidate, callLineOf), digestSpans(baseline, callLineOf), options);
}

/** As spanTreeDiff, for answers already digested. */
export function diffDigests(candidate: SpanDigest, baseline: SpanDigest, options: RepeatOptions = {}): RequestSpanDiff {
  const nowErroring: string[] = [];
  const durations: RequestSpanDiff['durations'] = new Map();
  for (const [key, run] of candidate.functions) {
    if (run.errored && !baseline.functions.get(key)?.errored) nowErroring.push(key);
    if (run.ran) durations.set(key, { place: run.place, candidateMs: run.durationMs });
  }
  for (const [key, run] of baseline.functions) {
    if (!run.ran) continue;
    const entry = durations.get(key);
    if (entry === undefined) durations.set(key, { place: run.place, baselineMs: run.durationMs });
    else entry.baselineMs = run.durationMs;
  }
  return { calls: diffCalls(candidate, baseline, options), nowErroring, durations };
}

/** The line to show: for `repeated` the line whose calls grew most (the loop's call), else the busiest line of the side that makes it. */
function callLine(change: CallChange, candidate: CallCount | undefined, baseline: CallCount | undefined): number | undefined {
  const lines = change === 'missing' ? baseline?.lines : candidate?.lines;
  let best: number | undefined;
  let most = 0;
  for (const [line, n] of lines ?? []) {
    const score = change === 'repeated' ? n - (baseline?.lines.get(line) ?? 0) : n;
    if (score > most || (score === most && best !== undefined && line < best)) [best, most] = [line, score];
  }
  return best ?? mostLine(candidate) ?? mostLine(baseline);
}

function mostLine(c: CallCount | undefined): number | undefined {
  let best: number | undefined;
  let most = 0;
  for (const [line, n] of c?.lines ?? []) if (n > most) [best, most] = [line, n];
  return best;
}
