import type { SignalsResponse, TraceResponse } from '../api/signals';
import { operationsFromMetrics } from '../signals/operationsFromMetrics';
import type { RouteMetrics } from '../signals/routeMetrics';
import type { SignalStore } from '../signals/signalStore';
import type { TraceBuffer } from '../signals/traceBuffer';
import type { WebVitals } from '../signals/webVitals';
import type { QueryGate } from './queryGate';
import type { StoreChangeFeed } from './storeChanges';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceChange, SourceStatus, TelemetrySource, TrafficQuery } from './telemetrySource';

/** What the embedded source reads: the receiver's store and what sits beside it. */
export interface EmbeddedParts {
  store: SignalStore;
  /** Recent spans by trace; without it no trace is held. */
  traces?: TraceBuffer;
  /** Shares, caches and paces queries so reading cannot starve ingest; without it each query is computed at once. */
  queries?: QueryGate<SignalsResponse>;
  /** Route figures from OTLP metrics; operation rows take their figures where a route has them. */
  routeMetrics?: RouteMetrics;
  /** Web vitals of browser pages (Faro), joined into answers that are not about one file. */
  webVitals?: WebVitals;
  /** When the receiver last filed something (ms), for the status. */
  lastFiled?: () => number | null;
  /** Whether the receiver is listening. */
  running?: () => boolean;
  /** Says which files changed, as they change; without it listeners hear of changes once a second, without detail. */
  changes?: StoreChangeFeed;
}

/** The embedded receiver's store as a TelemetrySource: live spans, logs and metrics from OTLP sent to it. */
export class EmbeddedSource implements TelemetrySource {
  readonly kind = 'embedded receiver';
  readonly capabilities: SourceCapabilities = { spans: true, metrics: true, logs: true, live: true, traces: true, traffic: true };
  private readonly listeners = new Set<() => void>();
  private lastAnswered: number | null = null;

  constructor(private readonly parts: EmbeddedParts) {}

  /** Rejects with QueryGateBusy when reading is over its budget (the read API answers 503). */
  signals(query: SignalsQuery): Promise<SignalsResponse> {
    const compute = (): SignalsResponse => withWebVitals(this.parts.webVitals, query, withRouteMetrics(this.parts.routeMetrics, query, this.parts.store.query(query)));
    // The key is the parsed query, so spellings of one query (1h, 60m) share an answer.
    const key = JSON.stringify([query.windowMs, query.environment ?? null, query.file ?? null, query.perMinute, query.top ?? null]);
    const answer = this.parts.queries === undefined ? Promise.resolve().then(compute) : this.parts.queries.run(key, compute);
    return answer.then((a) => {
      this.lastAnswered = Date.now();
      return a;
    });
  }

  async trace(id: string): Promise<TraceResponse | null> {
    const spans = this.parts.traces?.get(id);
    return spans === undefined ? null : { traceId: id, spans };
  }

  /** The trace buffer's traces with a recorded request in the window (none without a buffer). */
  async traffic(query: TrafficQuery): Promise<TraceResponse[]> {
    return this.parts.traces?.requestTraces(Date.now() - query.windowMs, query.limit, query.environment) ?? [];
  }

  /** Its figures are as old as the last thing the receiver filed. */
  status(): SourceStatus {
    const filed = this.parts.lastFiled?.() ?? null;
    const running = this.parts.running?.() ?? true;
    return { state: running ? 'ok' : 'stopped', lastSuccess: this.lastAnswered, stalenessMs: filed === null ? null : Math.max(0, Date.now() - filed) };
  }

  onChange(listener: (change?: SourceChange) => void): Disposable {
    if (this.parts.changes !== undefined) return this.parts.changes.subscribe(listener);
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Tells the listeners the figures may have changed (the receiver calls it as it files); with a change feed, its listeners hear from the feed. */
  changed(): void {
    for (const l of [...this.listeners]) l();
  }

  async dispose(): Promise<void> {
    this.listeners.clear();
  }
}

/** The answer with its operation rows joined to the route figures from metrics (a `file` query lists no operations). */
function withRouteMetrics(metrics: RouteMetrics | undefined, query: SignalsQuery, answer: SignalsResponse): SignalsResponse {
  if (metrics === undefined || query.file !== undefined) return answer;
  const sparkMinutes = query.perMinute ? Math.min(Math.round(query.windowMs / 60_000), 60) : 0;
  return { ...answer, operations: operationsFromMetrics(answer.operations, metrics.rows(answer.environment, query.windowMs, sparkMinutes), query.top) };
}

/** The answer with the web vitals of its environment, when there are any (a `file` query lists none). */
function withWebVitals(vitals: WebVitals | undefined, query: SignalsQuery, answer: SignalsResponse): SignalsResponse {
  if (vitals === undefined || query.file !== undefined) return answer;
  const rows = vitals.rows(answer.environment, query.windowMs);
  return rows.length === 0 ? answer : { ...answer, webVitals: rows };
}
