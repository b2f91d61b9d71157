/**
 * Prometheus span metrics as a TelemetrySource: exact rate, error rate and p50/p95/p99 per function
 * over all traffic (not a sample), from the spanmetrics connector's or Tempo's metrics-generator's
 * series, joined to code. Queries do not each ask Prometheus: they note what they look at, and a
 * refresh round asks ONE PromQL query for the union of it (every window, file and top N of
 * interest), within a budget of requests per minute; each query is answered from that round's
 * groups exactly as its own query would have been. A file or window no round covered yet gets a
 * round at once: timer rounds keep to the budget, and rounds for newly asked things may spend it once
 * per file open (at most MAX_OPEN_SCALE files' worth), so opening files one after another never waits
 * for the minute to pass. When Prometheus fails, the last figures are kept and
 * marked stale with their age.
 */
import type { SignalsResponse, TraceResponse } from '../../api/signals';
import { LruMap } from '../../mapping/lruMap';
import { PullLoop } from '../pullLoop';
import { STALE_AFTER_INTERVALS } from '../remote/health';
import { RemoteTransport, type RemoteOptions } from '../remote/transport';
import type { SpanNameIndex } from '../spanNameIndex';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource } from '../telemetrySource';
import type { PromSample } from './promApi';
import { PrometheusClient } from './prometheusClient';
import { RequestBudget } from './requestBudget';
import { LearnedFiles } from './learnedFiles';
import { signalsResponse, spanMetricsRows, type SpanMetricsRows } from './spanMetricsAnswer';
import { fingerprintOf, foldRound, type SpanGroup } from './spanMetricsGroups';
import { complete, covers, SpanMetricsInterests, type Interest } from './spanMetricsInterests';
import { SpanMetricsJoin, type SpanMapper } from './spanMetricsJoin';
import type { DetectedSpanMetrics } from './spanMetricsNaming';
import { groupLabels, roundQuery, type WindowAsk } from './spanMetricsQueries';
import { selectGroups } from './spanMetricsSelection';

/** How to reach and read one Prometheus. */
export interface PrometheusSourceOptions {
  /** The configured name, shown on every figure and error: `prometheus`, `prometheus (prod)`. */
  name: string;
  /** The transport's settings (baseUrl, headers, caFile, authHint, ...); its `name` defaults to `name`. */
  remote: Omit<RemoteOptions, 'name'> & { name?: string };
  /** Wished time between two refresh rounds (default 30 s); the request budget may stretch it. */
  refreshMs?: number;
  /** Requests per minute at most, detection included (default 6), per open file for rounds a newly asked file needs. */
  maxRequestsPerMinute?: number;
  /** What a query asked stops being refreshed after this long without being asked again (default 2 min). */
  interestMs?: number;
  /** Refresh on a timer once asked (default true); tests call `pull()` instead. */
  autoStart?: boolean;
  /** Ties series with code labels (and routes, names) to workspace code: the receiver's CodeMapper. */
  mapper?: SpanMapper;
  /** Where sampled traces showed each (service, span name) runs. */
  spanNames?: SpanNameIndex;
  /** Resolves once the mapper knows the workspace: rows joined before would stay unmapped for a whole round. */
  ready?: Promise<unknown>;
  /** The environment of series that carry no environment label (default ''). */
  environment?: string;
  now?: () => number;
  /** A transport to use instead of one built from `remote` (tests). */
  transport?: RemoteTransport;
}

/** What the last round that asked about a window brought back. */
interface WindowData {
  at: number;
  round: number;
  ask: WindowAsk;
  m: DetectedSpanMetrics;
  groups: SpanGroup[];
  fingerprint: string;
}

const DEFAULT_REFRESH_MS = 30_000;
const DEFAULT_MAX_REQUESTS_PER_MINUTE = 6;
const DEFAULT_INTEREST_MS = 2 * 60_000;
/** Queries arriving together (one editor action) are covered by one round. */
const GATHER_MS = 20;
/** A timer round this close to its due time counts as due (timers fire late, clocks tick coarsely). */
const DUE_SLACK_MS = 250;
const MAX_WINDOWS_HELD = 12;
/** Rounds for newly asked files may spend the budget once per open file, up to this many files' worth. */
const MAX_OPEN_SCALE = 10;
const MAX_CACHED_ROWS = 64;

/** Span metrics in a Prometheus, as a metrics-only TelemetrySource. */
export class PrometheusSource implements TelemetrySource {
  readonly kind = 'prometheus';
  readonly capabilities: SourceCapabilities = { spans: false, metrics: true, logs: false, live: false, traces: false };
  /** Time between timer rounds: the wished refresh, stretched so rounds leave one request a minute for new files. */
  readonly intervalMs: number;
  private readonly refreshMs: number;
  private readonly client: PrometheusClient;
  private readonly loop: PullLoop<void>;
  private readonly join: SpanMetricsJoin;
  private readonly budget: RequestBudget;
  private readonly interests: SpanMetricsInterests;
  /** Requests a timer round leaves unspent, for a round a newly opened file asks for. */
  private readonly reserve: number;
  private readonly now: () => number;
  private readonly data = new Map<number, WindowData>();
  private readonly rows = new LruMap<string, { round: number; rows: SpanMetricsRows }>(MAX_CACHED_ROWS);
  private readonly learned = new LearnedFiles();
  private detected: { value: DetectedSpanMetrics; at: number } | undefined;
  /** A failed detection, answered again until an interval has passed (no naming means no query can succeed). */
  private detectFailed: { error: string; at: number } | undefined;
  private lastError: string | undefined;
  private running: Promise<void> | undefined;
  private demanding: Promise<void> | undefined;
  private lastRoundAt = -Infinity;
  private rounds = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerStarted = false;
  private foundAny = false;

  constructor(private readonly options: PrometheusSourceOptions) {
    this.now = options.now ?? Date.now;
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.budget = new RequestBudget(options.maxRequestsPerMinute ?? DEFAULT_MAX_REQUESTS_PER_MINUTE, this.now);
    this.reserve = this.budget.perMinute >= 2 ? 1 : 0;
    this.intervalMs = Math.max(this.refreshMs, Math.ceil(60_000 / (this.budget.perMinute - this.reserve)));
    const transport = options.transport ?? new RemoteTransport({ ...options.remote, name: options.remote.name ?? options.name });
    this.client = new PrometheusClient(options.name, transport, this.now);
    this.loop = new PullLoop(options.name, this.intervalMs, () => this.round(false), this.now);
    this.join = new SpanMetricsJoin(options.mapper, options.spanNames);
    this.interests = new SpanMetricsInterests(options.interestMs ?? DEFAULT_INTEREST_MS, this.now);
  }

  /** Requests, bytes and failures sent to Prometheus so far. */
  get counters(): { requests: number; bytes: number; failures: number } {
    return this.client.counters;
  }

  /**
   * Answers from the last round that covered the query; a query no round covered yet (a new file,
   * window or environment) waits for a round when the budget allows one, else gets no rows until
   * the next round covers it (listeners are told).
   */
  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    if (this.loop.disposed) throw new Error(`${this.options.name}: disposed`);
    await this.options.ready;
    this.startTimer();
    const interest = this.interests.note(query);
    let data = this.covering(interest);
    // Old figures are kept while Prometheus fails; while it answers, an old round is refreshed first.
    const current = data !== undefined && (this.fresh(data) || this.lastError !== undefined);
    if (!current && this.budget.left(this.demandLimit()) >= this.cost()) {
      await this.demand();
      data = this.covering(interest);
    }
    if (data === undefined) {
      if (this.lastError !== undefined) throw new Error(this.lastError);
      return this.answer(query, undefined);
    }
    return this.answer(query, data);
  }

  /** Span metrics hold no traces. */
  async trace(_id: string): Promise<TraceResponse | null> {
    return null;
  }

  status(): SourceStatus {
    return this.loop.status();
  }

  /** Listeners hear when a round changed the figures or what they cover. */
  onChange(listener: () => void): Disposable {
    return this.loop.onChange(listener);
  }

  /** One timer round: asks when one is due and the budget allows (a round already running is joined). */
  pull(): Promise<void> {
    return this.round(false);
  }

  async dispose(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.loop.dispose();
    await this.running?.catch(() => undefined);
  }

  /**
   * Whether held figures need no round before answering: younger than two intervals, or, until a
   * round has found any series at all (Prometheus not scraped yet), younger than the wished refresh.
   */
  private fresh(d: WindowData): boolean {
    return this.now() - d.at <= (this.foundAny ? this.intervalMs * STALE_AFTER_INTERVALS : this.refreshMs);
  }

  /** Requests a round may take: the query, and detection while the naming is unknown. */
  private cost(): number {
    return this.detected === undefined ? 3 : 1;
  }

  /** The held window data that covers `interest`, however old. */
  private covering(interest: Interest): WindowData | undefined {
    const d = this.data.get(interest.windowMs);
    return d !== undefined && covers(d.ask, interest) ? d : undefined;
  }

  /** A round that plans every interest noted so far (queries arriving meanwhile share it). */
  private demand(): Promise<void> {
    this.demanding ??= (async () => {
      await new Promise((r) => setTimeout(r, GATHER_MS));
      await this.running;
      this.demanding = undefined;
      await this.round(true);
    })();
    return this.demanding;
  }

  /**
   * One round. A timer round asks when the last is an interval old and leaves the reserve unspent;
   * a demanded one asks when some interest is not covered by fresh figures, spending the reserve.
   */
  private round(demanded: boolean): Promise<void> {
    if (this.running !== undefined) return this.running;
    if (this.loop.disposed) return Promise.resolve();
    const live = this.interests.live();
    const due = demanded ? live.some((i) => this.stale(i)) : this.now() - this.lastRoundAt >= this.intervalMs - DUE_SLACK_MS;
    const left = demanded ? this.budget.left(this.demandLimit()) : this.budget.left() - this.reserve;
    if (live.length === 0 || !due || left < this.cost()) {
      // Nothing due, or the budget spent: the figures are as fresh as the schedule allows.
      this.loop.settle(false);
      return Promise.resolve();
    }
    const asks = this.interests.plan((file) => this.learned.scopeOf(file));
    this.running = this.ask(asks).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Requests a minute rounds for newly asked things may take: the budget per open file (the panel counts as one). */
  private demandLimit(): number {
    const open = new Set(this.interests.live().map((i) => i.file ?? '')).size;
    return this.budget.perMinute * Math.min(MAX_OPEN_SCALE, Math.max(1, open));
  }

  private stale(interest: Interest): boolean {
    const d = this.covering(interest);
    return d === undefined || !this.fresh(d);
  }

  private async ask(asks: WindowAsk[]): Promise<void> {
    this.lastRoundAt = this.now();
    try {
      let m = await this.naming(false);
      let rows = await this.query(m, asks);
      // Nothing at all where everything was asked may mean the naming changed (a collector
      // reconfigured): look again, at most once per interval.
      const unscoped = asks.some((a) => a.all || a.top !== undefined);
      if (rows.length === 0 && unscoped && this.now() - (this.detected?.at ?? 0) >= this.intervalMs && this.budget.left() >= 3) {
        const again = await this.naming(true);
        if (again.calls !== m.calls || again.bucket !== m.bucket || again.labels.size !== m.labels.size || again.environmentLabel !== m.environmentLabel) {
          m = again;
          rows = await this.query(m, asks);
        }
      }
      this.store(m, asks, rows);
      this.lastError = undefined;
      this.loop.settle(true);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.loop.settle(true, this.lastError);
    }
  }

  /** Runs `call`, counting the requests it sent against the budget. */
  private async spending<T>(call: () => Promise<T>): Promise<T> {
    const before = this.client.counters.requests;
    try {
      return await call();
    } finally {
      this.budget.spend(this.client.counters.requests - before);
    }
  }

  private async naming(force: boolean): Promise<DetectedSpanMetrics> {
    if (this.detected !== undefined && !force) return this.detected.value;
    if (this.detectFailed !== undefined && this.now() - this.detectFailed.at < this.intervalMs) throw new Error(this.detectFailed.error);
    const found = await this.spending(() => this.client.detect());
    if (!found.ok) {
      this.detectFailed = { error: found.error, at: this.now() };
      throw new Error(found.error);
    }
    this.detectFailed = undefined;
    this.detected = { value: found.value, at: this.now() };
    return found.value;
  }

  private async query(m: DetectedSpanMetrics, asks: WindowAsk[]): Promise<PromSample[]> {
    const promql = roundQuery(m, asks);
    // No window can hold a series (files nothing is known to select): nothing to ask.
    if (promql === undefined) return [];
    const answer = await this.spending(() => this.client.query(promql));
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  }

  private store(m: DetectedSpanMetrics, asks: WindowAsk[], rows: readonly PromSample[]): void {
    const folded = foldRound(groupLabels(m), rows, m.toMs, new Set(asks.map((a) => a.windowMs)));
    if (rows.length > 0) this.foundAny = true;
    const at = this.now();
    const round = ++this.rounds;
    let changed = false;
    for (const asked of asks) {
      const groups = folded.get(asked.windowMs) ?? [];
      const ask = complete(asked, groups, m) ? { ...asked, all: true } : asked;
      const fingerprint = fingerprintOf(groups);
      const before = this.data.get(ask.windowMs);
      // New figures, or figures for something newly asked: readers showing nothing yet ask again.
      if (before === undefined || before.fingerprint !== fingerprint || JSON.stringify(before.ask) !== JSON.stringify(ask)) changed = true;
      this.data.delete(ask.windowMs);
      this.data.set(ask.windowMs, { at, round, ask, m, groups, fingerprint });
    }
    while (this.data.size > MAX_WINDOWS_HELD) this.data.delete(this.data.keys().next().value as number);
    if (changed) this.loop.changed();
  }

  private async answer(query: SignalsQuery, data: WindowData | undefined): Promise<SignalsResponse> {
    const fixed = this.options.environment ?? '';
    const key = JSON.stringify([query.windowMs, query.environment ?? null, query.file ?? null, query.file === undefined ? (query.top ?? null) : null]);
    const hit = data === undefined ? undefined : this.rows.get(key);
    let rows: SpanMetricsRows;
    if (data === undefined) rows = { environment: query.environment ?? fixed, environments: [query.environment ?? fixed], functions: [], operations: [], unmapped: [] };
    else if (hit !== undefined && hit.round === data.round) rows = hit.rows;
    else {
      // The file as the round asked for it, so the answer holds exactly the series it selected.
      const file = query.file === undefined ? undefined : (data.ask.files.find((f) => f.relative === query.file) ?? this.learned.scopeOf(query.file));
      const groups = selectGroups(data.groups, data.m, query, file, fixed);
      rows = await spanMetricsRows(groups, data.m, this.join, query, fixed, (f, g, path) => {
        // A file query learns only about its own file.
        if (query.file === undefined || query.file === f) this.learned.learn(f, g, path, data.m);
      });
      this.rows.set(key, { round: data.round, rows });
    }
    const state = this.loop.status().state;
    return signalsResponse(query, rows, data?.at ?? this.now(), this.now(), this.options.name, state === 'stale' || state === 'error');
  }

  /** Rounds on a timer from the first query on: every interval, sooner again after one the budget held back. */
  private startTimer(): void {
    if (this.timerStarted || this.options.autoStart === false) return;
    this.timerStarted = true;
    const arm = (ms: number): void => {
      this.timer = setTimeout(() => {
        void this.pull().finally(() => {
          if (this.loop.disposed) return;
          const since = this.now() - this.lastRoundAt;
          arm(since >= this.intervalMs - DUE_SLACK_MS ? Math.min(this.intervalMs, this.refreshMs) : this.intervalMs - since);
        });
      }, ms).unref();
    };
    arm(this.intervalMs);
  }
}
