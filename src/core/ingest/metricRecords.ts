/**
 * Records of the OTLP metrics Runtime Lens uses: data points of the HTTP server duration
 * histograms (`http.server.request.duration` in seconds, the older `http.server.duration` in
 * milliseconds). Every other metric is accepted and counted as ignored.
 */
import type { ResourceInfo } from './records';

/** The two HTTP server duration metrics read; the stable name wins when a service sends both. */
export type DurationMetric = 'http.server.request.duration' | 'http.server.duration';

/** OTLP AggregationTemporality: 1 delta, 2 cumulative (the SDK default). */
export type Temporality = 1 | 2;

/** One histogram data point of a duration metric, validated, latencies in milliseconds. */
export interface RouteHistogramPoint {
  resource: ResourceInfo;
  metric: DurationMetric;
  /**
   * Identity of the series the point belongs to: metric name, the whole resource and scope, and
   * every point attribute (not only the ones read), so two series never share delta state.
   */
  seriesKey: string;
  /**
   * `http.route`; for the older metric, else `http.target`, which the Python instrumentations of the
   * old convention (Flask, Django, ASGI) fill with the route template for this metric; else ''.
   */
  route: string;
  /** `http.request.method`, else the older `http.method`, else ''. */
  method: string;
  /** `http.response.status_code`, else the older `http.status_code`; 0 when absent. */
  statusCode: number;
  /** `error.type`, else ''. */
  errorType: string;
  temporality: Temporality;
  /** Unix ms; 0 when the sender did not set it. */
  startMs: number;
  /** Unix ms of the point (the end of the interval it covers). */
  timeMs: number;
  count: number;
  /** Sum of the latencies, ms; NaN when absent. */
  sumMs: number;
  /** Smallest and largest latency, ms; NaN when absent. */
  minMs: number;
  maxMs: number;
  /** Upper bounds of the buckets, ms, strictly ascending: one fewer than `bucketCounts` (the last bucket is unbounded). */
  boundsMs: number[];
  /** Requests per bucket; empty when the histogram has no buckets (count and sum only). */
  bucketCounts: number[];
}

/** What one `/v1/metrics` request decoded to. */
export interface DecodedMetrics {
  points: RouteHistogramPoint[];
  /** Metrics (and data points of kinds we do not read) accepted and ignored. */
  ignored: number;
  /** Data points of a duration metric that were invalid; answered as partial success. */
  rejected: number;
  /** Why the first rejected data points were rejected. */
  rejectReasons: string[];
}

/** Takes the decoded metrics of one accepted request (the route metrics store). */
export type MetricsSink = (batch: DecodedMetrics) => void;

/** Buckets a data point may have; SDK defaults have 15 or 16. */
export const MAX_HISTOGRAM_BUCKETS = 512;
const MAX_REASONS = 5;

/** An empty result. */
export function newMetricsBatch(): DecodedMetrics {
  return { points: [], ignored: 0, rejected: 0, rejectReasons: [] };
}

/** Counts an invalid data point, keeping the first few reasons. */
export function rejectPoint(out: DecodedMetrics, reason: string): void {
  out.rejected++;
  if (out.rejectReasons.length < MAX_REASONS) out.rejectReasons.push(reason);
}

/** The duration metric a metric name is, or null for a metric we ignore. */
export function durationMetricOf(name: string): DurationMetric | null {
  return name === 'http.server.request.duration' || name === 'http.server.duration' ? name : null;
}

/**
 * Milliseconds per unit of a duration metric: the unit the metric declares when it is one we
 * know, else the unit its semantic convention prescribes (s for the stable name, ms for the old one).
 */
export function msPerUnit(metric: DurationMetric, unit: string): number {
  if (unit === 's') return 1000;
  if (unit === 'ms') return 1;
  if (unit === 'us') return 0.001;
  return metric === 'http.server.request.duration' ? 1000 : 1;
}

/** Point attribute codes: the attributes a duration data point is read for. */
export const ATTR = { none: 0, route: 1, method: 2, methodOld: 3, status: 4, statusOld: 5, errorType: 6, target: 7 } as const;

const ATTR_KEYS = new Map<string, number>([
  ['http.route', ATTR.route],
  ['http.request.method', ATTR.method],
  ['http.method', ATTR.methodOld],
  ['http.response.status_code', ATTR.status],
  ['http.status_code', ATTR.statusOld],
  ['error.type', ATTR.errorType],
  ['http.target', ATTR.target],
]);

/** The code of a point attribute key (ATTR.none for keys not read). */
export function pointAttrOf(key: string): number {
  return ATTR_KEYS.get(key) ?? ATTR.none;
}
