/**
 * One shadow run, start to end, on targets that already listen: decide what may be replayed (safe
 * methods unless opted in; nothing without its body), redact it, sample it within the budget, replay
 * each request to the candidate and twice to the baseline, wait for the local builds' spans, and
 * compare. Cancelling stops sending at once and reports what was replayed; the seconds budget does
 * the same, counting the rest as over budget.
 */
import type { ShadowReport } from '../api/shadowReport';
import { type AllowMethod, replayDecision } from './methodPolicy';
import { type ReplayOptions, type ReplayTarget, replayAll, type SentAnswer } from './replayer';
import type { ReplayAnswer } from './replayExchange';
import { sample } from './sampler';
import type { Sanitizer } from './sanitizer';
import { type ComparatorOptions, ShadowComparator } from './shadowReportBuilder';
import type { ShadowRequest, SkippedRequest, TrafficRead } from './shadowRequest';
import { collectSpans, type SpanLookup } from './spanCollector';

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
  replay: Omit<ReplayOptions, 'signal' | 'progress'>;
  /** How long to wait for the local builds' spans after the last answer. */
  spanWaitMs: number;
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
    else replayable.push(spec.sanitizer.request(r));
  }
  const { picked, over } = sample(replayable, { budget: spec.budget.requests, seed: spec.seed, touchesChanged: spec.touchesChanged });
  skipped.push(...over);

  const targets: ReplayTarget[] = [{ label: 'candidate', url: spec.candidate }];
  if (spec.baseline) targets.push({ label: 'baseline', url: spec.baseline }, { label: 'baseline (again)', url: spec.baseline });
  const answers: (SentAnswer[] | undefined)[] = new Array(picked.length);
  const budgetOver = AbortSignal.timeout(Math.max(1, spec.budget.seconds) * 1000);
  const signal = spec.signal ? AbortSignal.any([spec.signal, budgetOver]) : budgetOver;
  const sent = await replayAll(picked, targets, { ...spec.replay, signal, progress: (done, total) => spec.progress?.('replay', done, total) }, (i, a) => {
    answers[i] = a;
  });
  const warnings = [...(spec.warnings ?? [])];
  const cancelled = spec.signal?.aborted === true;
  const unsent = picked.filter((_, i) => answers[i] === undefined);
  if (cancelled) warnings.push(`cancelled after ${sent.sent} of ${picked.length} requests: the report covers those`);
  else for (const r of unsent) skipped.push({ id: r.id, reason: 'over-budget', detail: `the run's ${spec.budget.seconds} s were spent` });

  spec.progress?.('spans', 0, 1);
  const traceIds = answers.flatMap((a) => (a ? a.map((x) => x.traceId) : []));
  const collected = await collectSpans(spans, traceIds, cancelled ? 0 : spec.spanWaitMs, spec.signal);
  // A request no side answered has no spans to wait for; only answered ones count as missing spans.
  const answeredIds = new Set(answers.flatMap((a) => (a ? a.filter((x) => x.status > 0).map((x) => x.traceId) : [])));
  const missing = collected.incomplete.filter((id) => answeredIds.has(id)).length;
  if (missing > 0) warnings.push(`${missing} of ${answeredIds.size} answers came without the local build's server span within ${spec.spanWaitMs} ms: is it exporting OTLP to the run's receiver?`);

  spec.progress?.('compare', 0, picked.length);
  const comparator = new ShadowComparator(spec.comparator);
  // A build calling itself (a downstream served by the same process) names its own port, which differs
  // between the sides: the baseline's own address reads as the candidate's, or every such call would differ.
  const own = spec.baseline ? { from: spec.baseline.host, to: spec.candidate.host } : undefined;
  const withSpans = (a: SentAnswer, side: 'candidate' | 'baseline'): ReplayAnswer => {
    let got = collected.spans.get(a.traceId) ?? [];
    if (side === 'baseline' && own && own.from !== own.to) got = got.map((sp) => (sp.peer?.includes(own.from) ? { ...sp, peer: sp.peer.replace(own.from, own.to) } : sp));
    return { status: a.status, headers: a.headers, body: a.body, durationMs: a.durationMs, ...(a.error ? { error: a.error } : {}), spans: got };
  };
  picked.forEach((request, i) => {
    const a = answers[i];
    if (a === undefined) return;
    comparator.add({
      request,
      candidate: withSpans(a[0], 'candidate'),
      ...(a[1] ? { baseline: withSpans(a[1], 'baseline') } : {}),
      ...(a[2] ? { baseline2: withSpans(a[2], 'baseline') } : {}),
    });
  });
  const counts: Record<string, number> = {};
  for (const s of skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return comparator.report({
    requests: spec.traffic.requests.length + spec.traffic.skipped.length,
    skipped: counts,
    warnings,
    run: { candidate: spec.candidate.toString(), ...(spec.baseline ? { baseline: spec.baseline.toString() } : {}), traffic: spec.trafficLabel, startedAt, durationMs: Date.now() - startedAt },
  });
}
