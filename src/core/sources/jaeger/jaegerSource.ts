/**
 * Jaeger v2 as a TelemetrySource: sampled traces pulled from its query API v3 on a timer (a cursor
 * per service, a request budget per minute), filed through the same mapping and store as received
 * OTLP, and answered from there. Queries never wait for Jaeger; a Jaeger that is down leaves the
 * last figures in place, labelled stale with their age, until it answers again.
 */
import type { SignalsResponse, TraceResponse } from '../../api/signals';
import { silentLogger, systemClock, type Clock, type Logger } from '../../logger';
import type { CodeMapper } from '../../mapping/codeMapper';
import { PullLoop, traceFromSampled } from '../pullLoop';
import { RemoteTransport, type Outcome, type RemoteOptions } from '../remote/transport';
import { SampledTraceStore, type SampledTraceOptions } from '../sampledTraces';
import type { SpanNameIndex } from '../spanNameIndex';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource, TrafficQuery } from '../telemetrySource';
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

/** Sampled traces from Jaeger's `/api/v3`. */
export class JaegerSource implements TelemetrySource {
  readonly kind = 'jaeger';
  readonly capabilities: SourceCapabilities = { spans: true, traces: true, metrics: false, logs: false, live: false, traffic: true };
  readonly name: string;
  readonly sampled: SampledTraceStore;
  readonly transport: RemoteTransport;
  private readonly client: JaegerClient;
  private readonly schedule: PullSchedule;
  private readonly loop: PullLoop<PullReport>;
  private readonly logger: Logger;

  constructor(options: JaegerSourceOptions, parts: JaegerSourceParts) {
    this.name = options.name ?? 'jaeger';
    const clock = parts.clock ?? systemClock;
    const now = () => clock.now();
    this.logger = parts.logger ?? silentLogger;
    this.transport = parts.remote ?? new RemoteTransport({ ...options.transport, name: this.name, baseUrl: options.url });
    this.client = new JaegerClient(this.transport);
    this.schedule = new PullSchedule(options, options.services ?? [], now);
    this.loop = new PullLoop(this.name, this.schedule.options.refreshMs, () => this.pullRound(), now);
    this.sampled = new SampledTraceStore(parts.mapper, parts.ready, options.store, clock, this.logger);
    if (options.autoStart !== false) this.start();
  }

  /** (service, span name) -> code, learned from the traces pulled. */
  get spanNames(): SpanNameIndex {
    return this.sampled.spanNames;
  }

  /** Pulls now and then every refresh interval, until disposed. */
  start(): void {
    this.loop.start();
  }

  /** Asks Jaeger for its services once, outside the schedule: the "test the connection" step of adding a source. */
  checkConnection(): Promise<Outcome<string[]>> {
    return this.client.services();
  }

  /** One pull round (a round already running is joined, not doubled). */
  pull(): Promise<PullReport> {
    return this.loop.pull();
  }

  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    return this.sampled.query(query, this.loop.label());
  }

  /** From what was pulled, else asked of Jaeger by id (held for viewing, not counted in figures). */
  trace(id: string): Promise<TraceResponse | null> {
    return traceFromSampled(this.sampled, id, this.loop.disposed, (traceId) => this.client.trace(traceId));
  }

  /** The pulled traces with a recorded request in the window: the sample Jaeger gave, not all traffic. */
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
      if (this.loop.disposed) break;
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
    this.loop.settle(answered);
    if (report.tracesFiled > 0) this.loop.changed();
    return report;
  }

  private failed(report: PullReport, error: string): PullReport {
    if (report.errors.length === 0) report.errors.push(error);
    this.loop.settle(true, error);
    this.logger.warn(error);
    // What was filed before the failure is new all the same.
    if (report.tracesFiled > 0) this.loop.changed();
    return report;
  }
}
