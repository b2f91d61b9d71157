/**
 * Per-route request figures from OTLP metrics (the HTTP server duration histograms): request
 * count, failed requests (5xx, or `error.type` present) and latency, per service, environment,
 * method and route. Metrics count every request, where traces may be sampled, so where a route
 * has them they are the truer figures for its operation row (see operationsFromMetrics.ts).
 */
import type { OperationSignal } from '../api/signals';
import type { DecodedMetrics, RouteHistogramPoint } from '../ingest/metricRecords';
import { systemClock, type Clock } from '../logger';
import { BoundedMap } from './boundedMap';
import { bucketLatencies, maxLatency } from './bucketLatencies';
import { quantile } from './latencySketch';
import { DEFAULT_MAX_SERIES, MetricDeltas } from './metricDeltas';
import { RouteSeries } from './routeSeries';
import { joinKey } from './storeEntries';

/** Bounds of the route metrics store. */
export interface RouteMetricsOptions {
  /** Longest window kept, ms (default one hour, as the signal store). */
  retentionMs: number;
  /** Routes (service x environment x method x route) kept; past it the least recently updated of the largest services go. */
  maxRoutes: number;
  /** Series whose cumulative totals are held for delta conversion. */
  maxSeries: number;
}

/**
 * Defaults that fit a developer machine: 2,000 routes busy for the whole hour of retention, with
 * latencies over three decades, hold about 25 MB (measured; routeSeries.ts keeps about a dozen
 * small sketches per route).
 */
export const DEFAULT_ROUTE_METRICS_OPTIONS: RouteMetricsOptions = { retentionMs: 3_600_000, maxRoutes: 2_000, maxSeries: DEFAULT_MAX_SERIES };

interface RouteEntry {
  touched: number;
  evicted?: boolean;
  service: string;
  environment: string;
  /** `METHOD route`, as the signal store names the operation of a server span with a route. */
  name: string;
  series: RouteSeries;
}

/** Span kind of the operations these figures describe: SERVER. */
const SERVER = 2;
/** Services that sent the stable metric; bounded like the store's other per-resource maps. */
const MAX_STABLE_SERVICES = 10_000;

/** Counters for the status API. */
export interface RouteMetricsCounters {
  /** Duration data points accepted (valid, whether or not they added requests). */
  pointsAccepted: number;
  /** Points dropped because their service also sends the stable metric (the same requests, counted once). */
  pointsDuplicated: number;
  /** Points without `http.route`: not an operation we can name. */
  pointsWithoutRoute: number;
  /** Other metrics (and data points of kinds we do not read), accepted and ignored. */
  metricsIgnored: number;
  /** Invalid data points of ours, answered as partial success. */
  pointsRejected: number;
}

/** The store of route figures from metrics (see the file comment). */
export class RouteMetrics {
  readonly counters: RouteMetricsCounters = { pointsAccepted: 0, pointsDuplicated: 0, pointsWithoutRoute: 0, metricsIgnored: 0, pointsRejected: 0 };
  /** Changes whenever figures do (the read API's query cache keys on it). */
  generation = 0;
  private readonly options: RouteMetricsOptions;
  private readonly routes: BoundedMap<RouteEntry>;
  private readonly deltas: MetricDeltas;
  private readonly stable = new Set<string>();
  /** The earliest interval start filed (ms): rates divide by the part of a window there is data for. */
  private dataSinceMs = Infinity;

  constructor(
    options: Partial<RouteMetricsOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    // Field by field: an option passed as undefined (an unset store setting) keeps its default.
    const d = DEFAULT_ROUTE_METRICS_OPTIONS;
    this.options = { retentionMs: options.retentionMs ?? d.retentionMs, maxRoutes: options.maxRoutes ?? d.maxRoutes, maxSeries: options.maxSeries ?? d.maxSeries };
    this.routes = new BoundedMap<RouteEntry>(this.options.maxRoutes, undefined, undefined, (e) => e.service);
    this.deltas = new MetricDeltas(clock.now(), this.options.maxSeries);
  }

  /** Files the points of one accepted `/v1/metrics` request. */
  record(batch: DecodedMetrics): void {
    const c = this.counters;
    c.metricsIgnored += batch.ignored;
    c.pointsRejected += batch.rejected;
    c.pointsAccepted += batch.points.length;
    // A service in the semconv transition may send both metrics for the same requests: the stable one wins.
    for (const p of batch.points) if (p.metric === 'http.server.request.duration') this.noteStable(p);
    const now = this.clock.now();
    for (const p of batch.points) {
      if (p.metric !== 'http.server.request.duration' && this.stable.has(serviceKey(p))) {
        c.pointsDuplicated++;
        continue;
      }
      // Converted even without a route: the series' totals must be held for its next point.
      const d = this.deltas.delta(p);
      if (p.route === '') {
        c.pointsWithoutRoute++;
        continue;
      }
      if (d === null) continue;
      const time = this.timeOf(d.toMs, now);
      if (d.fromMs < this.dataSinceMs) this.dataSinceMs = Math.min(time, d.fromMs);
      const errors = p.statusCode >= 500 || p.errorType !== '' ? d.count : 0;
      const latencies = bucketLatencies(d);
      const sumMs = Number.isFinite(d.sumMs) ? d.sumMs : latencies.reduce((s, [ms, w]) => s + ms * w, 0);
      this.entry(p).series.add(time, d.count, errors, sumMs, maxLatency(d), latencies);
      this.generation++;
    }
  }

  /** Operation rows of one environment for the window ending now; `perMinute` adds that many minutes of sparkline. */
  rows(environment: string, windowMs: number, perMinute = 0): OperationSignal[] {
    const now = this.clock.now();
    const rows: OperationSignal[] = [];
    for (const e of this.routes.values()) {
      if (e.environment !== environment) continue;
      const w = e.series.window(now, windowMs);
      if (w.count === 0) continue;
      const sketch = w.sketch;
      rows.push({
        service: e.service,
        environment: e.environment,
        name: e.name,
        kind: SERVER,
        count: w.count,
        errors: w.errors,
        errorRate: w.errors / w.count,
        ratePerMin: round((w.count * 60_000) / Math.min(w.coveredMs, Math.max(60_000, now - this.dataSinceMs))),
        p50Ms: sketch ? round(quantile(sketch, 0.5)) : 0,
        p95Ms: sketch ? round(quantile(sketch, 0.95)) : 0,
        p99Ms: sketch ? round(quantile(sketch, 0.99)) : 0,
        source: 'metrics',
        ...(perMinute > 0 ? { perMinute: e.series.perMinute(now, perMinute) } : {}),
      });
    }
    return rows;
  }

  private noteStable(p: RouteHistogramPoint): void {
    if (this.stable.size >= MAX_STABLE_SERVICES) this.stable.clear();
    this.stable.add(serviceKey(p));
  }

  private entry(p: RouteHistogramPoint): RouteEntry {
    const res = p.resource;
    const name = p.method ? `${p.method} ${p.route}` : p.route;
    const key = joinKey(res.service, res.environment, name);
    let entry = this.routes.get(key);
    if (entry === undefined) {
      entry = { touched: 0, service: res.service, environment: res.environment, name, series: new RouteSeries(this.options.retentionMs) };
      this.routes.set(key, entry);
    }
    return entry;
  }

  /** Files late or future-dated points at arrival time rather than losing them (as the signal store does). */
  private timeOf(t: number, now: number): number {
    return t > now + 60_000 || t < now - this.options.retentionMs || !Number.isFinite(t) ? now : t;
  }
}

function serviceKey(p: RouteHistogramPoint): string {
  return joinKey(p.resource.service, p.resource.environment);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
