/**
 * Several sources answering as one (../shared/DESIGN.md, the source seam): the embedded receiver,
 * Jaeger, Prometheus span metrics, Tempo, Loki. Each row says where its figures came from. When a
 * function has figures from metrics (all traffic) and from traces, its rate, error rate and
 * percentiles come from metrics and its exemplars and error groups from traces. A source that fails
 * is listed with its error and leaves the others' figures standing.
 */
import type { ErrorSignal, FigureBasis, FigureSource, FunctionSignal, OperationSignal, SignalsResponse, SourceSummary, TraceResponse, UnmappedSignal } from '../api/signals';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource, TrafficQuery } from './telemetrySource';
import { mergeTraffic } from './trafficTraces';

/** One member: a source, the name it is shown under, and how its environment names read here. */
export interface CompositeMember {
  source: TelemetrySource;
  /** `embedded`, `jaeger`, `prometheus (prod)`: unique within the composite. */
  name: string;
  /** The source's environment name -> the name shown (`production` -> `prod`); unlisted names pass through. */
  environments?: ReadonlyMap<string, string>;
  /** Requests sent to the backend and bytes received so far, for the status and the benchmark. */
  traffic?: () => { requests: number; bytes: number };
}

/** Which basis gives a function's traffic figures first: metrics count every request, spans every span, samples some. */
const TRAFFIC_RANK: Record<FigureBasis, number> = { metrics: 0, spans: 1, sampled: 2, logs: 3 };
/** Which gives its exemplars and error groups first: whole traces before samples; metrics have none. */
const ERRORS_RANK: Record<FigureBasis, number> = { spans: 0, sampled: 1, metrics: 2, logs: 3 };

/** Which operation row is kept for one endpoint: metrics and spans count every request, a sample does not. */
const OPERATION_RANK: Record<'metrics' | 'spans' | 'sampled', number> = { metrics: 0, spans: 1, sampled: 2 };

/** Answers from several sources merged into one, with provenance on every row. */
export class CompositeSource implements TelemetrySource {
  readonly kind = 'composite';
  readonly capabilities: SourceCapabilities;
  private readonly last = new Map<string, SourceSummary>();

  /** Told when a member that missed an answer's deadline has answered (its figures are then cached by it). */
  private readonly late = new Set<() => void>();

  constructor(
    private readonly members: readonly CompositeMember[],
    private readonly now: () => number = Date.now,
    /** How long an answer waits for a member before going without it (ms). */
    private readonly answerWithinMs = 1_500,
  ) {
    const names = new Set<string>();
    for (const m of members) {
      if (names.has(m.name)) throw new Error(`two telemetry sources are named "${m.name}": give each a distinct name`);
      names.add(m.name);
    }
    const any = (k: keyof SourceCapabilities) => members.some((m) => m.source.capabilities[k]);
    this.capabilities = { spans: any('spans'), metrics: any('metrics'), logs: any('logs'), live: any('live'), traces: any('traces'), traffic: any('traffic') };
  }

  /** The members, for status lines. */
  summaries(): SourceSummary[] {
    return this.members.map((m) => summary(m, m.source.status(), this.last.get(m.name)?.error));
  }

  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    type Answered = { m: CompositeMember; answer?: SignalsResponse; error?: string; late?: true };
    const asked = this.members.map((m) =>
      m.source.signals(sourceQuery(m, query)).then(
        (answer): Answered => ({ m, answer: renameEnvironments(answer, m) }),
        (err: unknown): Answered => ({ m, error: (err as Error).message.split('\n')[0].slice(0, 300) }),
      ),
    );
    // A slow member must not hold back the others' figures (a file's first CodeLens): past the deadline
    // the answer goes without it, and listeners hear when it has answered.
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.answerWithinMs)));
    const inTime = await Promise.all(asked.map((p) => Promise.race([p, deadline])));
    clearTimeout(timer);
    const anyAnswer = inTime.some((a) => a !== 'late' && a.answer !== undefined);
    const answers: Answered[] = [];
    for (const [i, a] of inTime.entries()) {
      if (a !== 'late') answers.push(a);
      else if (!anyAnswer) answers.push(await asked[i]);
      else {
        void asked[i].then(() => this.tellLate());
        answers.push({ m: this.members[i], late: true });
      }
    }
    const sources: SourceSummary[] = [];
    const ok: { m: CompositeMember; answer: SignalsResponse; stamp: FigureSource }[] = [];
    for (const a of answers) {
      const status = a.m.source.status();
      if (a.late) {
        sources.push({ ...summary(a.m, status, this.last.get(a.m.name)?.error), error: `${a.m.name}: still answering; its figures follow` });
        continue;
      }
      const s = summary(a.m, status, a.error);
      this.last.set(a.m.name, s);
      sources.push(s);
      if (a.answer !== undefined) ok.push({ m: a.m, answer: a.answer, stamp: stampOf(a.m, status) });
    }
    if (ok.length === 0) throw new Error(`no telemetry source answered: ${sources.map((s) => s.error ?? `${s.name} ${s.state}`).join('; ')}`);
    return merge(query, ok, sources, this.now());
  }

  async trace(id: string): Promise<TraceResponse | null> {
    for (const m of this.members) {
      if (!m.source.capabilities.traces) continue;
      try {
        const trace = await m.source.trace(id);
        if (trace !== null) return trace;
      } catch {
        // One source failing to answer must not hide a trace another holds.
      }
    }
    return null;
  }

  /**
   * Every member with the capability, asked at once (each in its own environment names), merged: a
   * trace two hold is one, newest request first. A member that fails leaves the others' requests.
   */
  async traffic(query: TrafficQuery): Promise<TraceResponse[]> {
    const asked = this.members.filter((m) => m.source.capabilities.traffic === true && m.source.traffic !== undefined);
    const answers = await Promise.all(
      asked.map((m) =>
        m.source.traffic!(sourceQuery(m, query)).then(
          (traces) => ({ traces: renameTraceEnvironments(traces, m) }),
          (err: unknown) => ({ error: `${m.name}: ${(err as Error).message.split('\n')[0].slice(0, 300)}` }),
        ),
      ),
    );
    const ok = answers.flatMap((a) => ('traces' in a ? [a.traces] : []));
    if (ok.length === 0 && asked.length > 0) throw new Error(`no telemetry source answered traffic: ${answers.map((a) => ('error' in a ? a.error : '')).join('; ')}`);
    return mergeTraffic(ok, query.limit);
  }

  /** `ok` while any source is; the errors of those that are not, in one line. */
  status(): SourceStatus {
    const all = this.members.map((m) => ({ m, s: m.source.status() }));
    const states = all.map((x) => x.s.state);
    const state = states.includes('ok') ? 'ok' : states.includes('stale') ? 'stale' : states.includes('starting') ? 'starting' : states.every((s) => s === 'stopped') ? 'stopped' : 'error';
    const lastSuccess = Math.max(...all.map((x) => x.s.lastSuccess ?? -1));
    const staleness = all.map((x) => x.s.stalenessMs).filter((v): v is number => v !== null);
    const errors = all.filter((x) => x.s.error !== undefined).map((x) => x.s.error);
    return { state, lastSuccess: lastSuccess < 0 ? null : lastSuccess, stalenessMs: staleness.length ? Math.min(...staleness) : null, ...(errors.length ? { error: errors.join('; ') } : {}) };
  }

  onChange(listener: () => void): Disposable {
    const subs = this.members.map((m) => m.source.onChange(listener));
    this.late.add(listener);
    return {
      dispose: () => {
        subs.forEach((s) => s.dispose());
        this.late.delete(listener);
      },
    };
  }

  private tellLate(): void {
    for (const l of [...this.late]) l();
  }

  async dispose(): Promise<void> {
    await Promise.all(this.members.map((m) => m.source.dispose()));
  }
}

function summary(m: CompositeMember, s: SourceStatus, error: string | undefined): SourceSummary {
  const err = error ?? s.error;
  const traffic = m.traffic?.();
  return {
    name: m.name,
    kind: m.source.kind,
    state: error !== undefined && s.state === 'ok' ? 'error' : s.state,
    lastSuccess: s.lastSuccess,
    stalenessMs: s.stalenessMs,
    ...(err !== undefined ? { error: err } : {}),
    ...(traffic !== undefined ? { requests: traffic.requests, bytes: traffic.bytes } : {}),
  };
}

/** The query in the member's own environment names. */
function sourceQuery<Q extends { environment?: string }>(m: CompositeMember, query: Q): Q {
  if (query.environment === undefined || m.environments === undefined) return query;
  for (const [theirs, ours] of m.environments) if (ours === query.environment) return { ...query, environment: theirs };
  return query;
}

/** The member's traces with their spans' environments as shown here. */
function renameTraceEnvironments(traces: TraceResponse[], m: CompositeMember): TraceResponse[] {
  const map = m.environments;
  if (map === undefined || map.size === 0) return traces;
  return traces.map((t) => ({ ...t, spans: t.spans.map((s) => (map.has(s.environment) ? { ...s, environment: map.get(s.environment)! } : s)) }));
}

function renameEnvironments(answer: SignalsResponse, m: CompositeMember): SignalsResponse {
  const map = m.environments;
  if (map === undefined || map.size === 0) return answer;
  const env = (e: string) => map.get(e) ?? e;
  const rows = <T extends { environment: string }>(list: T[]) => list.map((r) => ({ ...r, environment: env(r.environment) }));
  return {
    ...answer,
    environment: env(answer.environment),
    environments: answer.environments.map(env),
    functions: rows(answer.functions),
    operations: rows(answer.operations),
    errors: rows(answer.errors),
    unmapped: rows(answer.unmapped),
    calls: rows(answer.calls),
  };
}

/** What a member's rows carry when they say nothing themselves: every span it saw, as of its status. */
function stampOf(m: CompositeMember, s: SourceStatus): FigureSource {
  const basis: FigureBasis = m.source.capabilities.spans ? 'spans' : m.source.capabilities.metrics ? 'metrics' : 'logs';
  return withAge({ source: m.name, basis }, s);
}

function withAge(f: FigureSource, s: SourceStatus): FigureSource {
  const age = s.lastSuccess === null ? undefined : (s.stalenessMs ?? undefined);
  return { ...f, ...(age !== undefined ? { ageMs: age } : {}), ...(s.state === 'stale' || s.state === 'error' ? { stale: true } : {}) };
}

/** A row's own provenance, named and aged as its member. */
function own(f: FigureSource | undefined, stamp: FigureSource): FigureSource {
  if (f === undefined) return stamp;
  const { source: _s, ageMs: _a, stale: _st, ...rest } = stamp;
  return { ...rest, ...f, source: stamp.source, ...(stamp.ageMs !== undefined ? { ageMs: stamp.ageMs } : {}), ...(stamp.stale ? { stale: true } : {}) };
}

const fnKey = (r: { service: string; environment: string; file: string; function: string }) => `${r.service}\u0000${r.environment}\u0000${r.file}\u0000${r.function}`;

function merge(query: SignalsQuery, answers: { m: CompositeMember; answer: SignalsResponse; stamp: FigureSource }[], sources: SourceSummary[], now: number): SignalsResponse {
  const functions = new Map<string, FunctionSignal>();
  const operations = new Map<string, OperationSignal>();
  const errors = new Map<string, ErrorSignal>();
  const unmapped = new Map<string, UnmappedSignal>();
  const environments = new Set<string>();
  const out: SignalsResponse = {
    window: query.window,
    environment: '',
    environments: [],
    generatedAt: now,
    functions: [],
    operations: [],
    errors: [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
    sources,
  };
  for (const { answer, stamp } of answers) {
    out.environment ||= answer.environment;
    for (const e of answer.environments) environments.add(e);
    for (const f of answer.functions) mergeFunction(functions, f, stamp);
    for (const o of answer.operations) {
      const key = `${o.service}\u0000${o.environment}\u0000${o.name}`;
      const had = operations.get(key);
      // Metrics count every request; keep the row that rests on them.
      if (had === undefined || OPERATION_RANK[o.source ?? 'spans'] < OPERATION_RANK[had.source ?? 'spans']) operations.set(key, o);
    }
    for (const e of answer.errors) mergeError(errors, { ...e, figures: own(e.figures, stamp) });
    // Spans seen by a trace source and counted by a metrics source are one set of spans: the larger count, not the sum.
    for (const u of answer.unmapped) {
      const key = `${u.service}\u0000${u.environment}\u0000${u.name}`;
      const had = unmapped.get(key);
      if (had === undefined || u.count > had.count) unmapped.set(key, u);
    }
    out.calls.push(...answer.calls);
    // Only the embedded receiver has browser pages' web vitals (Faro); kept as it gave them.
    if (answer.webVitals !== undefined) (out.webVitals ??= []).push(...answer.webVitals);
    for (const k of ['locations', 'operations', 'errorGroups', 'unmapped'] as const) out.evicted[k] += answer.evicted[k];
  }
  out.environment = query.environment ?? out.environment;
  out.environments = [...environments].sort();
  const top = <T>(rows: T[]) => (query.top === undefined ? rows : rows.slice(0, query.top));
  out.functions = top([...functions.values()].sort((a, b) => b.ratePerMin * b.p95Ms - a.ratePerMin * a.p95Ms || b.count - a.count));
  out.operations = top([...operations.values()].sort((a, b) => b.count - a.count));
  out.errors = top([...errors.values()].sort((a, b) => b.count - a.count));
  out.unmapped = top([...unmapped.values()].sort((a, b) => b.count - a.count));
  out.calls = top(out.calls);
  return out;
}

/** Files a function row, keeping traffic from the best basis and exemplars from the best traces. */
function mergeFunction(into: Map<string, FunctionSignal>, row: FunctionSignal, stamp: FigureSource): void {
  const traffic = own(row.figures?.traffic, stamp);
  const errs = own(row.figures?.errors, stamp);
  const incoming: FunctionSignal = { ...row, figures: { traffic, errors: errs } };
  const key = fnKey(row);
  const had = into.get(key);
  if (had === undefined) {
    into.set(key, incoming);
    return;
  }
  const t = TRAFFIC_RANK[traffic.basis] < TRAFFIC_RANK[had.figures!.traffic.basis] ? incoming : had;
  const e = ERRORS_RANK[errs.basis] < ERRORS_RANK[had.figures!.errors.basis] ? incoming : had;
  const exemplars = e.exemplars.length > 0 ? e.exemplars : t.exemplars;
  // The per-minute series belongs with the traffic figures: a sample's minutes beside all-traffic figures would mislead.
  const { perMinute: _sampledMinutes, ...errorRow } = e;
  into.set(key, {
    ...errorRow,
    ...pickTraffic(t),
    exemplars,
    line: t.line || e.line,
    mappedBy: e.mappedBy,
    confidence: Math.max(t.confidence, e.confidence),
    figures: { traffic: t.figures!.traffic, errors: e.figures!.errors },
  });
}

function pickTraffic(r: FunctionSignal) {
  const { count, errors, errorRate, ratePerMin, p50Ms, p95Ms, p99Ms, perMinute } = r;
  return { count, errors, errorRate, ratePerMin, p50Ms, p95Ms, p99Ms, ...(perMinute !== undefined ? { perMinute } : {}) };
}

/** One exception group once: seen by a trace source and a log source, it is the larger count, not the sum. */
function mergeError(into: Map<string, ErrorSignal>, row: ErrorSignal): void {
  const key = `${row.service}\u0000${row.environment}\u0000${row.type}\u0000${row.message}\u0000${row.file}\u0000${row.line}`;
  const had = into.get(key);
  if (had === undefined) {
    into.set(key, row);
    return;
  }
  const [big, small] = row.count > had.count ? [row, had] : [had, row];
  into.set(key, {
    ...big,
    firstSeen: Math.min(big.firstSeen, small.firstSeen),
    lastSeen: Math.max(big.lastSeen, small.lastSeen),
    totalCount: Math.max(big.totalCount, small.totalCount),
    traceIds: [...new Set([...big.traceIds, ...small.traceIds])].slice(0, 10),
  });
}
