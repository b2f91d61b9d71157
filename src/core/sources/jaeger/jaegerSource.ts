/**
 * Jaeger v2 as a TelemetrySource: sampled traces pulled from its query API v3 on a timer (a cursor
 * per service, a request budget per minute), filed through the same mapping and store as received
 * OTLP, and answered from there. Queries never wait for Jaeger; a Jaeger that is down leaves the
 * last figures in place, labelled stale with their age, until it answers again.
 */
import type { SignalsResponse, TraceResponse } from '../../api/signals';
import { silentLogger, systemClock, type Clock, type Logger } from '../../logger';
import type { CodeMapper } from '../../mapping/codeMapper';
import { SourceHealth } from '../remote/health';
import { RemoteTransport, type Outcome, type RemoteOptions } from '../remote/transport';
import { SampledTraceStore, type SampledTraceOptions } from '../sampledTraces';
import type { SpanNameIndex } from '../spanNameIndex';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource } from '../telemetrySource';
import { JaegerClient } from './jaegerClient';
import { PullSchedule, type PullOptions } from './pullSchedule';

/** How to reach a Jaeger and how much to pull from it. */
export interface JaegerSourceOptions extends Partial<PullOptions> {
  /** The configured name, used in figures and errors (default `jaeger`). */
  name?: string;
  /** The query service's base URL (`http://jaeger:16686`); `/api/v3` is appended. */
  url: string;
  /** Transport settings besides the name and URL (headers carry auth; a CA file for TLS). */
  transport?: Omit<RemoteOptions, 'name' | 'baseUrl'>;
  /** Only these services are pulled (default: all Jaeger lists). */
  services?: string[];
  /** Bounds of the sampled-trace store. */
  store?: Partial<SampledTraceOptions>;
  /** Start pulling at construction (default true); tests drive `pull()` themselves. */
  autoStart?: boolean;
}

/** What the composition root hands over: the shared mapper and when it is ready. */
export interface JaegerSourceParts {
  mapper: CodeMapper;
  ready: Promise<unknown>;
  logger?: Logger;
  clock?: Clock;
  /** A transport of one's own (tests: a short timeout); built from the options otherwise. */
  remote?: RemoteTransport;
}

/** What one pull round did. */
export interface PullReport {
  searches: number;
  tracesFiled: number;
  spansFiled: number;
  spansRejected: number;
  /** One line per failed request. */
  errors: string[];
}

const TRACE_ID = /^[0-9a-f]{32}$/;

/** Sampled traces from Jaeger's `/api/v3`. */
export class JaegerSource implements TelemetrySource {
  readonly kind = 'jaeger';
  readonly capabilities: SourceCapabilities = { spans: true, traces: true, metrics: false, logs: false, live: false };
  readonly name: string;
  readonly sampled: SampledTraceStore;
  readonly transport: RemoteTransport;
  private readonly client: JaegerClient;
  private readonly schedule: PullSchedule;
  /** Whether the last round that asked anything was answered. */
  private lastRoundOk = false;
  private readonly health: SourceHealth;
  private readonly logger: Logger;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private pulling: Promise<PullReport> | undefined;
  private disposed = false;

  constructor(options: JaegerSourceOptions, parts: JaegerSourceParts) {
    this.name = options.name ?? 'jaeger';
    const clock = parts.clock ?? systemClock;
    const now = () => clock.now();
    this.logger = parts.logger ?? silentLogger;
    this.transport = parts.remote ?? new RemoteTransport({ ...options.transport, name: this.name, baseUrl: options.url });
    this.client = new JaegerClient(this.transport);
    this.schedule = new PullSchedule(options, options.services ?? [], now);
    this.health = new SourceHealth(this.schedule.options.refreshMs, now);
    this.sampled = new SampledTraceStore(parts.mapper, parts.ready, options.store, clock, this.logger);
    if (options.autoStart !== false) this.start();
  }

  /** (service, span name) -> code, learned from the traces pulled. */
  get spanNames(): SpanNameIndex {
    return this.sampled.spanNames;
  }

  /** Pulls now and then every refresh interval, until disposed. */
  start(): void {
    if (this.timer !== undefined || this.disposed) return;
    const round = () => {
      void this.pull().finally(() => {
        if (!this.disposed) this.timer = setTimeout(round, this.schedule.options.refreshMs).unref();
      });
    };
    this.timer = setTimeout(round, 0).unref();
  }

  /** Asks Jaeger for its services once, outside the schedule: the "test the connection" step of adding a source. */
  checkConnection(): Promise<Outcome<string[]>> {
    return this.client.services();
  }

  /** One pull round (a round already running is joined, not doubled). */
  pull(): Promise<PullReport> {
    this.pulling ??= this.pullRound().finally(() => (this.pulling = undefined));
    return this.pulling;
  }

  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    if (this.disposed) throw new Error(`${this.name}: source disposed`);
    const status = this.health.status();
    const age = this.health.ageMs();
    const stale = status.state === 'stale' || status.state === 'error';
    return this.sampled.query(query, { source: this.name, ...(age === null ? {} : { ageMs: age }), ...(stale ? { stale: true } : {}) });
  }

  /** From what was pulled, else asked of Jaeger by id (held for viewing, not counted in figures). */
  async trace(id: string): Promise<TraceResponse | null> {
    const traceId = id.toLowerCase();
    if (!TRACE_ID.test(traceId)) return null;
    const held = this.sampled.trace(traceId);
    if (held !== null || this.disposed) return held;
    const answer = await this.client.trace(traceId);
    if (!answer.ok) throw new Error(answer.error);
    return answer.value === null ? null : this.sampled.view(traceId, answer.value);
  }

  status(): SourceStatus {
    return this.health.status();
  }

  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.health.stop();
    this.listeners.clear();
    await this.pulling?.catch(() => undefined);
  }

  private async pullRound(): Promise<PullReport> {
    const report: PullReport = { searches: 0, tracesFiled: 0, spansFiled: 0, spansRejected: 0, errors: [] };
    let answered = false;
    if (this.schedule.wantsServices()) {
      this.schedule.spend();
      const services = await this.client.services();
      if (!services.ok) return this.failed(report, services.error);
      this.schedule.listed(services.value);
      answered = true;
    }
    for (const search of this.schedule.due()) {
      if (this.disposed) break;
      this.schedule.spend();
      report.searches++;
      const answer = await this.client.search({ service: search.service, startMinMs: search.startMinMs, startMaxMs: search.startMaxMs, limit: search.limit });
      if (!answer.ok) {
        this.schedule.searched(search, false);
        report.errors.push(answer.error);
        // A backend that is down fails every search alike: the rest wait for the next round.
        if (answer.kind !== 'http' && answer.kind !== 'invalid') break;
        continue;
      }
      try {
        const filed = await this.sampled.file(answer.value);
        report.tracesFiled += filed.newTraces;
        report.spansFiled += filed.spans;
        report.spansRejected += filed.rejected;
        if (filed.rejected > 0) this.logger.warn(`${this.name}: ${filed.rejected} span(s) of ${search.service} rejected: ${filed.rejectReasons[0] ?? ''}`);
      } catch (err) {
        report.errors.push(`${this.name}: traces of ${search.service} not filed: ${(err as Error).message}`);
        continue;
      }
      this.schedule.searched(search, true);
      answered = true;
    }
    if (report.errors.length > 0) return this.failed(report, report.errors[0]);
    // A round with nothing due (the budget spent, or nothing to search) leaves figures as fresh as the schedule allows.
    if (answered || this.lastRoundOk) this.health.succeeded();
    this.lastRoundOk = true;
    if (report.tracesFiled > 0 && !this.disposed) for (const l of [...this.listeners]) l();
    return report;
  }

  private failed(report: PullReport, error: string): PullReport {
    this.lastRoundOk = false;
    if (report.errors.length === 0) report.errors.push(error);
    this.health.failed(error);
    this.logger.warn(error);
    // What was filed before the failure is new all the same.
    if (report.tracesFiled > 0 && !this.disposed) for (const l of [...this.listeners]) l();
    return report;
  }
}
