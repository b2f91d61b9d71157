/**
 * Grafana Tempo as a TelemetrySource. Each round it asks TraceQL metrics for every function's spans,
 * errors and percentiles per minute (all traffic, not a sample; since the last round, so one query
 * serves every window), learns the services from them, then searches a few services' recent traces
 * (a time cursor per service, a request budget per minute) and pulls those traces whole by id into
 * the sampled-trace store, for exemplars, error groups and the trace view. Queries never wait for
 * Tempo; a Tempo that is down leaves the last figures in place, labelled stale with their age.
 */
import type { SignalsResponse, TraceResponse } from '../../api/signals';
import { silentLogger, systemClock, type Clock, type Logger } from '../../logger';
import type { CodeMapper } from '../../mapping/codeMapper';
import { PullSchedule, type PullOptions } from '../jaeger/pullSchedule';
import { PullLoop, traceFromSampled } from '../pullLoop';
import { RemoteTransport, type Outcome, type RemoteOptions } from '../remote/transport';
import { SampledTraceStore, type SampledTraceOptions } from '../sampledTraces';
import type { SpanNameIndex } from '../spanNameIndex';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource, TrafficQuery } from '../telemetrySource';
import { metricLocator, type MetricLocator } from './metricLocator';
import type { TempoSeries } from './tempoAnswers';
import { TempoClient } from './tempoClient';
import { MetricHistory } from './tempoFigures';
import { mergeMetricRows } from './tempoMerge';
import { quantileQuery, rateQuery, serviceFilter } from './tempoQueries';

/** How to reach a Tempo and how much to ask of it. */
export interface TempoSourceOptions extends Partial<PullOptions> {
  /** The configured name, used in figures and errors (default `tempo`). */
  name?: string;
  /** The query frontend's base URL (`http://tempo:3200`). */
  url: string;
  transport?: Omit<RemoteOptions, 'name' | 'baseUrl'>;
  /** Only these services' traces are pulled (default: every service the metrics name). */
  services?: string[];
  store?: Partial<SampledTraceOptions>;
  /** How far back metrics are kept and first asked for (default 1 h: the longest window). */
  metricsWindowMs?: number;
  /** Metrics are asked at most this often (default 30 s), whatever the refresh: two queries a time. */
  metricsEveryMs?: number;
  /** Start pulling at construction (default true); tests drive `pull()` themselves. */
  autoStart?: boolean;
}

/** What the composition root hands over: the shared mapper and when it is ready. */
export interface TempoSourceParts {
  mapper: CodeMapper;
  ready: Promise<unknown>;
  logger?: Logger;
  clock?: Clock;
  remote?: RemoteTransport;
}

/** What one round did. */
export interface TempoPullReport {
  metricQueries: number;
  searches: number;
  tracesFetched: number;
  spansFiled: number;
  errors: string[];
}

/** Tempo's defaults: two searches a minute and a few traces each, besides two metrics queries every 30 s: six a minute. */
const TEMPO_PULL_DEFAULTS: Partial<PullOptions> = { refreshMs: 30_000, maxPullsPerMinute: 2, maxTracesPerPull: 5 };
const STEP_S = 60;
/** Each metrics query reaches this far behind the last: Tempo leaves out its newest 30 s, and spans arrive late. */
const METRICS_OVERLAP_MS = 3 * 60_000;

/** TraceQL metrics and sampled traces from Tempo's query API. */
export class TempoSource implements TelemetrySource {
  readonly kind = 'tempo';
  readonly capabilities: SourceCapabilities = { spans: true, traces: true, metrics: true, logs: false, live: false, traffic: true };
  readonly name: string;
  readonly sampled: SampledTraceStore;
  readonly transport: RemoteTransport;
  readonly client: TempoClient;
  private readonly schedule: PullSchedule;
  private readonly loop: PullLoop<TempoPullReport>;
  private readonly history: MetricHistory;
  private readonly locate: MetricLocator;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly metricsWindowMs: number;
  private readonly metricsEveryMs: number;
  private metricsCursor: number | null = null;
  /** Set when this Tempo refuses TraceQL metrics (not enabled there): traces alone from then on. */
  private metricsOff: string | null = null;

  constructor(options: TempoSourceOptions, parts: TempoSourceParts) {
    this.name = options.name ?? 'tempo';
    this.clock = parts.clock ?? systemClock;
    const now = () => this.clock.now();
    this.logger = parts.logger ?? silentLogger;
    this.transport = parts.remote ?? new RemoteTransport({ ...options.transport, name: this.name, baseUrl: options.url });
    this.client = new TempoClient(this.transport);
    const pull: Partial<PullOptions> = { ...TEMPO_PULL_DEFAULTS };
    for (const [k, v] of Object.entries(options))
      if (v !== undefined && k in { refreshMs: 1, lookbackMs: 1, overlapMs: 1, maxTracesPerPull: 1, maxPullsPerMinute: 1, servicesRefreshMs: 1 }) (pull as Record<string, unknown>)[k] = v;
    this.schedule = new PullSchedule(pull, options.services ?? [], now);
    this.loop = new PullLoop(this.name, this.schedule.options.refreshMs, () => this.pullRound(), now);
    this.metricsWindowMs = options.metricsWindowMs ?? 3_600_000;
    this.metricsEveryMs = options.metricsEveryMs ?? 30_000;
    this.history = new MetricHistory(this.metricsWindowMs);
    this.sampled = new SampledTraceStore(parts.mapper, parts.ready, options.store, this.clock, this.logger);
    this.locate = metricLocator(parts.mapper, parts.ready, now);
    if (options.autoStart !== false) this.start();
  }

  /** (service, span name) -> code, learned from the traces pulled (metrics sources without `code.*` labels join through it). */
  get spanNames(): SpanNameIndex {
    return this.sampled.spanNames;
  }

  /** Pulls now and then every refresh interval, until disposed. */
  start(): void {
    this.loop.start();
  }

  /** One round (a round already running is joined, not doubled). */
  pull(): Promise<TempoPullReport> {
    return this.loop.pull();
  }

  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    const label = this.loop.label();
    const sampled = this.sampled.query(query, label);
    return mergeMetricRows(sampled, query, this.history, this.locate, label, this.clock.now());
  }

  /** From what was pulled, else asked of Tempo by id (held for viewing, not counted in figures). */
  trace(id: string): Promise<TraceResponse | null> {
    return traceFromSampled(this.sampled, id, this.loop.disposed, (traceId) => this.client.trace(traceId));
  }

  /** The pulled traces with a recorded request in the window: the sample Tempo gave, not all traffic. */
  async traffic(query: TrafficQuery): Promise<TraceResponse[]> {
    return this.sampled.traffic(query);
  }

  status(): SourceStatus {
    return this.loop.status();
  }

  onChange(listener: () => void): Disposable {
    return this.loop.onChange(listener);
  }

  dispose(): Promise<void> {
    return this.loop.dispose();
  }

  private async pullRound(): Promise<TempoPullReport> {
    const report: TempoPullReport = { metricQueries: 0, searches: 0, tracesFetched: 0, spansFiled: 0, errors: [] };
    let changed = false;
    const metricsDue = this.metricsCursor === null || this.clock.now() - this.metricsCursor >= this.metricsEveryMs;
    if (this.metricsOff === null && metricsDue) {
      const metrics = await this.pullMetrics(report);
      if (metrics === 'down') return this.finish(report, changed);
      changed ||= metrics === 'ok';
    }
    // Without metrics to name the services, one search over all of them stands in.
    if (this.schedule.known().length === 0) this.schedule.listed(['']);
    for (const search of this.schedule.due()) {
      if (this.loop.disposed) break;
      this.schedule.spend();
      report.searches++;
      const hits = await this.client.search({ q: serviceFilter(search.service || undefined), startS: search.startMinMs / 1000, endS: search.startMaxMs / 1000, limit: search.limit, spss: 1 });
      if (!hits.ok) {
        this.schedule.searched(search, false);
        report.errors.push(hits.error);
        if (hits.kind !== 'http' && hits.kind !== 'invalid') break;
        continue;
      }
      let complete = true;
      for (const hit of hits.value.slice(0, search.limit)) {
        if (this.loop.disposed || this.sampled.trace(hit.traceId) !== null) continue;
        const trace = await this.client.trace(hit.traceId);
        report.tracesFetched++;
        if (!trace.ok) {
          report.errors.push(trace.error);
          complete = false;
          break;
        }
        if (trace.value === null) continue;
        try {
          const filed = await this.sampled.file(trace.value);
          report.spansFiled += filed.spans;
          changed ||= filed.spans > 0;
        } catch (err) {
          report.errors.push(`${this.name}: trace ${hit.traceId} not filed: ${(err as Error).message}`);
        }
      }
      this.schedule.searched(search, complete);
    }
    return this.finish(report, changed);
  }

  /** Both metrics queries since the last good one; 'down' when Tempo did not answer at all. */
  private async pullMetrics(report: TempoPullReport): Promise<'ok' | 'down' | 'refused'> {
    const now = this.clock.now();
    const from = Math.max(now - this.metricsWindowMs, (this.metricsCursor ?? -Infinity) - METRICS_OVERLAP_MS);
    const ask = async (q: string): Promise<Outcome<TempoSeries[]>> => {
      report.metricQueries++;
      return this.client.queryRange(q, from / 1000, now / 1000, STEP_S);
    };
    const rates = await ask(rateQuery());
    if (!rates.ok) return this.metricsFailed(report, rates);
    const quantiles = await ask(quantileQuery());
    if (!quantiles.ok) return this.metricsFailed(report, quantiles);
    this.history.addRates(rates.value, STEP_S);
    this.history.addQuantiles(quantiles.value);
    this.history.trim(now);
    this.metricsCursor = now;
    const services = new Set<string>();
    for (const s of rates.value) {
      const service = s.labels.get('resource.service.name');
      if (typeof service === 'string' && service !== '') services.add(service);
    }
    if (services.size > 0) this.schedule.listed([...services]);
    return 'ok';
  }

  private metricsFailed(report: TempoPullReport, failure: Outcome<never> & { ok: false }): 'down' | 'refused' {
    // A 4xx other than auth and 429 is this Tempo refusing TraceQL metrics: traces still work.
    if (failure.kind === 'http' && failure.status !== undefined && failure.status < 500 && failure.status !== 429) {
      this.metricsOff = failure.error;
      this.logger.warn(`${failure.error}; TraceQL metrics are off for this session, figures come from sampled traces`);
      return 'refused';
    }
    report.errors.push(failure.error);
    return 'down';
  }

  private finish(report: TempoPullReport, changed: boolean): TempoPullReport {
    const asked = report.metricQueries + report.searches + report.tracesFetched > 0;
    this.loop.settle(asked, report.errors[0]);
    if (report.errors.length > 0) this.logger.warn(report.errors[0]);
    if (changed) this.loop.changed();
    return report;
  }
}
