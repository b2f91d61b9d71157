/**
 * Aggregates a run's replayed exchanges into its ShadowReport: per route (status against the
 * baseline and against production, response shapes, field values, latency, new error groups), per
 * function (calls added, missing or repeated against the baseline and, for requests read from
 * traces, against production's spans; erroring spans, latency, new error groups) and the
 * summary `--fail-if` tests. Exchanges are folded in as they arrive (bodies and spans are not
 * kept); candidate-vs-baseline differences count only past the baselines' own noise (noise.ts).
 */
import type { RouteDelta, ShadowReport } from '../api/shadowReport';
import type { TraceSpan } from '../api/signals';
import { diffAnswers, readAnswer } from './answerDiff';
import { ErrorTally } from './errorTally';
import { FunctionTally } from './functionTally';
import { DEFAULT_NOISE, type NoiseOptions } from './noise';
import { latencyDelta } from './percentiles';
import { ProductionCallTally } from './productionCallTally';
import { entryService, foldOwnHosts, ownHosts } from './productionSpans';
import type { ReplayAnswer, ReplayExchange } from './replayExchange';
import { routeOf } from './routeName';
import { RouteTally } from './routeTally';
import type { ShadowRequest } from './shadowRequest';
import { type CallLineOf, digestSpans, type SpanDigest } from './spanDigest';
import type { RepeatOptions } from './spanTreeDiff';
import { type VolatileOptions, VolatileRules } from './volatile';
import { WarningTally } from './warningTally';

/** How the comparator judges differences. */
export interface ComparatorOptions {
  volatile?: VolatileOptions;
  noise?: NoiseOptions;
  repeat?: RepeatOptions;
  /** Resolves the line of a call inside its function (the workspace's call sites); without it, lines come from the spans alone. */
  callLineOf?: CallLineOf;
  /** Status examples kept per route (default 3). */
  maxExamples?: number;
  /**
   * The candidate's `host[:port]` (as its URL gives it). Production's calls to the request's own
   * service (productionSpans.ts's own-host rule) read as calls to it, as the baseline's own address
   * does; without it, the host the candidate's spans show it called itself at.
   */
  candidateHost?: string;
}

/** What the report says about the run that the exchanges do not. */
export interface ReportContext {
  /** Requests read from the traffic. */
  requests: number;
  skipped: Record<string, number>;
  /** Lines from the caller (refused hosts, budget spent, ...), listed first. */
  warnings: string[];
  run: ShadowReport['run'];
}

/** Folds exchanges in one at a time, then reports. */
export class ShadowComparator {
  private readonly rules: VolatileRules;
  private readonly noise: NoiseOptions;
  private readonly routes = new Map<string, RouteTally>();
  private readonly functions: FunctionTally;
  private readonly production: ProductionCallTally;
  private readonly errors = new ErrorTally();
  private readonly warnings = new WarningTally();
  private readonly allCandidateMs: number[] = [];
  private readonly allBaselineMs: number[] = [];
  private replayed = 0;

  constructor(private readonly options: ComparatorOptions = {}) {
    this.rules = new VolatileRules(options.volatile);
    this.noise = { ...DEFAULT_NOISE, ...options.noise };
    this.functions = new FunctionTally(options.repeat);
    this.production = new ProductionCallTally(options.repeat);
  }

  /** Adds one replayed request. */
  add(exchange: ReplayExchange): void {
    this.replayed++;
    const { request, candidate, baseline, baseline2 } = exchange;
    const route = routeOf(exchange);
    const routeKey = `${request.method} ${route}`;
    let tally = this.routes.get(routeKey);
    if (tally === undefined) this.routes.set(routeKey, (tally = new RouteTally(request.method, route, this.options.maxExamples ?? 3)));
    this.warnings.answer('candidate', candidate);
    if (baseline) this.warnings.answer('baseline', baseline);
    if (baseline2) this.warnings.answer('baseline (second answer)', baseline2);
    this.warnings.calls(candidate.spans);

    const c = readAnswer(candidate, this.rules);
    const b = baseline ? readAnswer(baseline, this.rules) : undefined;
    const b2 = baseline2 ? readAnswer(baseline2, this.rules) : undefined;
    const candidateMs = answered(candidate);
    const baselineMs = baseline ? answered(baseline) : undefined;
    tally.add({
      requestId: request.id,
      request: `${request.method} ${request.target}`,
      candidateStatus: candidate.status,
      ...(baseline ? { baselineStatus: baseline.status } : {}),
      ...(request.recorded.status !== undefined ? { productionStatus: request.recorded.status } : {}),
      ...(candidateMs !== undefined ? { candidateMs } : {}),
      ...(baselineMs !== undefined ? { baselineMs } : {}),
      ...(b ? { diff: diffAnswers(b, c) } : {}),
      ...(b && b2 ? { noise: diffAnswers(b, b2) } : {}),
    });
    const cd = digestSpans(candidate.spans, this.options.callLineOf);
    this.addProduction(request, candidate.spans, cd);
    if (!baseline) return;
    if (candidateMs !== undefined && baselineMs !== undefined) {
      this.allCandidateMs.push(candidateMs);
      this.allBaselineMs.push(baselineMs);
    }
    const bd = digestSpans(baseline.spans, this.options.callLineOf);
    const b2d = baseline2 ? digestSpans(baseline2.spans, this.options.callLineOf) : undefined;
    this.functions.add(cd, bd, b2d);
    this.errors.add(routeKey, cd, bd, b2d);
  }

  /**
   * Compares the candidate's calls with the request's production spans, when it has them and the
   * candidate's answer has spans. Only the spans of the service that received the request count on
   * each side: production's trace also holds the downstream services' own spans, which the local
   * run does not see (its calls to them count, as client spans of the service).
   */
  private addProduction(request: ShadowRequest, candidateSpans: TraceSpan[], cd: SpanDigest): void {
    const recorded = request.recorded.spans;
    // Without the candidate's spans (no answer, not exporting) every production call would read as missing.
    if (recorded === undefined || recorded.length === 0 || candidateSpans.length === 0) return;
    const lineOf = this.options.callLineOf;
    const candidateService = entryService(candidateSpans);
    const productionService = entryService(recorded, request.recorded.spanId);
    const candidateOwn = ownHosts(candidateSpans, candidateService);
    const to = this.options.candidateHost ?? [...candidateOwn][0];
    let production = recorded.filter((sp) => sp.service === productionService);
    if (to !== undefined) production = foldOwnHosts(production, ownHosts(recorded, productionService), to);
    let candidate = cd;
    const others = candidateSpans.some((sp) => sp.service !== candidateService);
    // A candidate that called itself by another name of its address (localhost for 127.0.0.1) is folded the same way.
    const renamed = to !== undefined && [...candidateOwn].some((h) => h !== to);
    if (others || renamed) {
      const own = candidateSpans.filter((sp) => sp.service === candidateService);
      candidate = digestSpans(renamed ? foldOwnHosts(own, candidateOwn, to!) : own, lineOf);
    }
    this.production.add(candidate, digestSpans(production, lineOf));
  }

  /** The report of everything added so far. */
  report(context: ReportContext): ShadowReport {
    const routes: (RouteDelta & { valueChanges: number })[] = [];
    for (const [key, tally] of this.routes) routes.push(tally.finish(this.noise, this.errors.newErrorsOfRoute(key)));
    routes.sort((a, b) => routeWeight(b) - routeWeight(a) || b.requests - a.requests || a.route.localeCompare(b.route) || a.method.localeCompare(b.method));
    const functions = this.functions.finish(this.noise, (key) => this.errors.newErrorsOfFunction(key), this.production.finish());
    // Pushed together: index i of both is one request answered by both sides at once.
    const overall = latencyDelta(
      this.allCandidateMs,
      this.allBaselineMs,
      this.allCandidateMs.map((c, i) => [c, this.allBaselineMs[i]!] as const),
    );
    return {
      requests: context.requests,
      replayed: this.replayed,
      skipped: { ...context.skipped },
      routes,
      functions,
      summary: {
        statusMismatches: routes.reduce((n, r) => n + r.statusMismatches, 0),
        newErrors: this.errors.newErrors().length,
        shapeChanges: routes.reduce((n, r) => n + r.shapeChanges.length, 0),
        newCalls: functions.reduce((n, f) => n + f.calls.filter((c) => c.change !== 'missing').length, 0),
        p95Ratio: overall?.p95Ratio ?? null,
        ...(overall?.slower !== undefined ? { slower: overall.slower } : {}),
        valueChanges: routes.reduce((n, r) => n + r.valueChanges, 0),
      },
      warnings: [...context.warnings, ...this.warnings.lines()],
      run: { ...context.run },
    };
  }
}

/** Aggregates a whole run's exchanges into its report (see ShadowComparator). */
export function buildShadowReport(exchanges: Iterable<ReplayExchange>, context: ReportContext, options: ComparatorOptions = {}): ShadowReport {
  const comparator = new ShadowComparator(options);
  for (const e of exchanges) comparator.add(e);
  return comparator.report(context);
}

/** The answer's duration when it answered at all. */
function answered(a: ReplayAnswer): number | undefined {
  return a.status > 0 && a.error === undefined ? a.durationMs : undefined;
}

function routeWeight(r: RouteDelta): number {
  return r.statusMismatches + r.shapeChanges.length + r.newErrors.length;
}
