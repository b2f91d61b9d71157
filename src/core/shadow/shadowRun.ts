/**
 * One shadow run, start to end, on targets that already listen: decide what may be replayed (safe
 * methods unless opted in; nothing without its body), redact it, sample it within the budget, replay
 * each request to the candidate and twice to the baseline, wait for the local builds' spans, and
 * compare. Cancelling stops sending at once and reports what was replayed; the seconds budget does
 * the same, counting the rest as over budget.
 */
import type { ShadowReport } from '../api/shadowReport';
import type { TraceSpan } from '../api/signals';
import { type AllowMethod, replayDecision } from './methodPolicy';
import { type ReplayOptions, type ReplayTarget, replayAll, type SentAnswer } from './replayer';
import type { ReplayAnswer } from './replayExchange';
import { sample } from './sampler';
import type { Sanitizer } from './sanitizer';
import { type ComparatorOptions, ShadowComparator } from './shadowReportBuilder';
import type { ShadowRequest, SkippedRequest, TrafficRead } from './shadowRequest';
import { collectSpans, type SpanLookup } from './spanCollector';

const DEFAULT_WARMUP = 20;
/** How often, while replaying, the answers so far are checked for their spans and compared. */
const SETTLE_POLL_MS = 100;

/** The stage a run is in, for progress. */
export type ShadowPhase = 'replay' | 'spans' | 'compare';

/** Everything one run needs. */
export interface ShadowRunSpec {
  traffic: TrafficRead;
  /** What the traffic was read from, for the report (`traffic.har`, `traces of http://...`). */
  trafficLabel: string;
  candidate: URL;
  baseline?: URL;
  allowMethods: AllowMethod[];
  budget: { requests: number; seconds: number };
  seed?: number;
  /** Requests whose production trace ran through changed functions go first. */
  touchesChanged?: (r: ShadowRequest) => boolean;
  /** What `touchesChanged` stands for, for the report: the base ref and how many functions changed since. */
  changedCode?: { since: string; functions: number };
  replay: Omit<ReplayOptions, 'signal' | 'progress'>;
  /** How long to wait for the local builds' spans after the last answer. */
  spanWaitMs: number;
  /** Requests sent to every target before the measured replay, answers dropped (default 20): a cold build's first answers are slow. */
  warmup?: number;
  sanitizer: Sanitizer;
  comparator?: ComparatorOptions;
  /** Lines the caller knows of (a worktree's commit, ...), listed first. */
  warnings?: string[];
  signal?: AbortSignal;
  progress?: (phase: ShadowPhase, done: number, total: number) => void;
}

/** Runs the shadow run; the spans of each replayed request are read from `spans` (the run's receiver). */
export async function runShadow(spec: ShadowRunSpec, spans: SpanLookup): Promise<ShadowReport> {
  const startedAt = Date.now();
  const skipped: SkippedRequest[] = [...spec.traffic.skipped];
  const replayable: ShadowRequest[] = [];
  for (const r of spec.traffic.requests) {
    // Decided before redaction: the sanitizer drops Content-Length, which tells an empty body from a missing one.
    const refused = replayDecision(r, spec.allowMethods, spec.sanitizer.text);
    if (refused) skipped.push(refused);
    // Redacted just before it is sent (below): nothing unredacted is sent, stored or shown.
    else replayable.push(r);
  }
  const { picked, over } = sample(replayable, { budget: spec.budget.requests, seed: spec.seed, touchesChanged: spec.touchesChanged });
  skipped.push(...over);
  // Each picked request is redacted once, as it is first sent (its cost then overlaps the replay's waiting).
  const sanitized: ShadowRequest[] = new Array(picked.length);
  const clean = (r: ShadowRequest, i: number): ShadowRequest => (sanitized[i] ??= spec.sanitizer.request(r));

  const targets: ReplayTarget[] = [{ label: 'candidate', url: spec.candidate }];
  if (spec.baseline) targets.push({ label: 'baseline', url: spec.baseline }, { label: 'baseline (again)', url: spec.baseline });
  const budgetOver = AbortSignal.timeout(Math.max(1, spec.budget.seconds) * 1000);
  const signal = spec.signal ? AbortSignal.any([spec.signal, budgetOver]) : budgetOver;
  // Warm-up: the first requests once to every side, answers dropped, so cold starts (JIT, lazy
  // requires, connection pools) do not read as latency differences.
  const warm = picked.slice(0, Math.min(spec.warmup ?? DEFAULT_WARMUP, picked.length));
  if (warm.length > 0) await replayAll(warm, targets, { ...spec.replay, ratePerSecond: 0, maxGapMs: 0, signal }, () => undefined, clean);
  const comparator = new ShadowComparator({ candidateHost: spec.candidate.host, ...spec.comparator });
  // A build calling itself (a downstream served by the same process) names its own port, which differs
  // between the sides: the baseline's own address reads as the candidate's, or every such call would differ.
  const own = spec.baseline ? { from: spec.baseline.host, to: spec.candidate.host } : undefined;
  const withSpans = (a: SentAnswer, side: 'candidate' | 'baseline', found: Map<string, TraceSpan[]>): ReplayAnswer => {
    let got = found.get(a.traceId) ?? [];
    if (side === 'baseline' && own && own.from !== own.to) got = got.map((sp) => (sp.peer?.includes(own.from) ? { ...sp, peer: sp.peer.replace(own.from, own.to) } : sp));
    return { status: a.status, headers: a.headers, body: a.body, durationMs: a.durationMs, ...(a.error ? { error: a.error } : {}), spans: got };
  };
  const replayed: boolean[] = new Array(picked.length).fill(false);
  const compare = (i: number, a: SentAnswer[], found: Map<string, TraceSpan[]>): void => {
    comparator.add({
      request: sanitized[i]!,
      candidate: withSpans(a[0], 'candidate', found),
      ...(a[1] ? { baseline: withSpans(a[1], 'baseline', found) } : {}),
      ...(a[2] ? { baseline2: withSpans(a[2], 'baseline', found) } : {}),
    });
  };

  // Answers are compared as their spans arrive, while the replay goes on: afterwards the run waits
  // only for the last answers' spans, and no answer's body is held longer than that.
  const waiting: { i: number; a: SentAnswer[] }[] = [];
  const tracesOf = (a: SentAnswer[]) => a.filter((x) => x.status > 0).map((x) => ({ traceId: x.traceId, parentSpanId: x.parentSpanId }));
  let withoutSpans = 0;
  let answeredTraces = 0;
  const settle = async (waitMs: number): Promise<void> => {
    const batch = waiting.splice(0);
    if (batch.length === 0) return;
    const got = await collectSpans(
      spans,
      batch.flatMap((w) => tracesOf(w.a)),
      waitMs,
      spec.signal,
    );
    const late = new Set(got.incomplete);
    for (const w of batch) {
      const missing = tracesOf(w.a).filter((t) => late.has(t.traceId)).length;
      if (missing > 0 && waitMs === 0) waiting.push(w);
      else {
        withoutSpans += missing;
        compare(w.i, w.a, got.spans);
      }
    }
  };
  let replaying = true;
  const poller = (async () => {
    while (replaying) {
      await new Promise((r) => setTimeout(r, SETTLE_POLL_MS));
      await settle(0);
    }
  })();
  const sent = await replayAll(
    picked,
    targets,
    { ...spec.replay, signal, progress: (done, total) => spec.progress?.('replay', done, total) },
    (i, a) => {
      replayed[i] = true;
      answeredTraces += tracesOf(a).length;
      waiting.push({ i, a });
    },
    clean,
  );
  replaying = false;
  await poller;
  const warnings = [...(spec.warnings ?? [])];
  const cancelled = spec.signal?.aborted === true;
  if (cancelled) warnings.push(`cancelled after ${sent.sent} of ${picked.length} requests: the report covers those`);
  else picked.forEach((r, i) => replayed[i] || skipped.push({ id: r.id, reason: 'over-budget', detail: `the run's ${spec.budget.seconds} s were spent` }));

  spec.progress?.('spans', 0, 1);
  await settle(cancelled ? 0 : spec.spanWaitMs);
  // A request no side answered has no spans to wait for; only answered ones count as missing spans.
  if (withoutSpans > 0) warnings.push(`${withoutSpans} of ${answeredTraces} answers came without the local build's server span within ${spec.spanWaitMs} ms: is it exporting OTLP to the run's receiver?`);
  spec.progress?.('compare', picked.length, picked.length);
  const touching = spec.touchesChanged === undefined ? 0 : picked.filter((r, i) => replayed[i] && spec.touchesChanged!(r)).length;
  const changedCode = spec.changedCode ? { changedCode: { ...spec.changedCode, replayed: touching } } : {};
  const counts: Record<string, number> = {};
  for (const s of skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return comparator.report({
    requests: spec.traffic.requests.length + spec.traffic.skipped.length,
    skipped: counts,
    warnings,
    run: { candidate: spec.candidate.toString(), ...(spec.baseline ? { baseline: spec.baseline.toString() } : {}), traffic: spec.trafficLabel, startedAt, durationMs: Date.now() - startedAt, ...changedCode },
  });
}
