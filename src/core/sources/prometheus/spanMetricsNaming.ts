/**
 * Which span-metrics naming a Prometheus holds. The OpenTelemetry Collector's spanmetrics connector
 * names its metrics `<namespace>.calls` and `<namespace>.duration` (namespace `traces.span.metrics`
 * by default, none when configured so), which Prometheus exporters turn into `..._calls_total` and
 * `..._duration_<unit>_bucket`, unit milliseconds by default or seconds; its labels are
 * `service_name`, `span_name`, `span_kind`, `status_code`. Tempo's metrics-generator writes
 * `traces_spanmetrics_calls_total` and `traces_spanmetrics_latency_bucket` (seconds) with the
 * service in `service`. Dimension attributes become labels with dots turned into underscores.
 */

/** One naming scheme, as found in a Prometheus. */
export interface SpanMetricsNaming {
  /** The call counter. */
  calls: string;
  /** The duration histogram's `_bucket` series. */
  bucket: string;
  /** Multiplier from the histogram's unit to milliseconds. */
  toMs: number;
  /** The label holding the service name. */
  serviceLabel: string;
  /** Who writes this naming, for logs and errors. */
  origin: string;
}

/** What a Prometheus was found to hold: the naming and which optional labels its series carry. */
export interface DetectedSpanMetrics extends SpanMetricsNaming {
  /** The label naming the deployment environment, when series carry one. */
  environmentLabel?: string;
  /** Optional labels present (code, route and method dimensions). */
  labels: ReadonlySet<string>;
}

/** Candidates in order of preference: the collector's default first. */
export const NAMINGS: readonly SpanMetricsNaming[] = [
  { calls: 'traces_span_metrics_calls_total', bucket: 'traces_span_metrics_duration_milliseconds_bucket', toMs: 1, serviceLabel: 'service_name', origin: 'spanmetrics connector' },
  { calls: 'traces_span_metrics_calls_total', bucket: 'traces_span_metrics_duration_seconds_bucket', toMs: 1000, serviceLabel: 'service_name', origin: 'spanmetrics connector' },
  { calls: 'calls_total', bucket: 'duration_milliseconds_bucket', toMs: 1, serviceLabel: 'service_name', origin: 'spanmetrics connector (no namespace)' },
  { calls: 'calls_total', bucket: 'duration_seconds_bucket', toMs: 1000, serviceLabel: 'service_name', origin: 'spanmetrics connector (no namespace)' },
  { calls: 'traces_spanmetrics_calls_total', bucket: 'traces_spanmetrics_latency_bucket', toMs: 1000, serviceLabel: 'service', origin: 'Tempo metrics-generator' },
];

/** Every metric name detection asks about, for a `match[]` that keeps the answer small. */
export const CANDIDATE_NAMES: readonly string[] = [...new Set(NAMINGS.flatMap((n) => [n.calls, n.bucket]))];

/** Environment labels, preferred first (resource attributes copied to labels, or added as dimensions). */
export const ENVIRONMENT_LABELS: readonly string[] = ['deployment_environment_name', 'deployment_environment'];

/** Dimension labels the join reads when present. */
export const CODE_LABELS = { function: 'code_function_name', file: 'code_file_path', line: 'code_line_number', route: 'http_route', method: 'http_request_method' } as const;

/** The first naming whose counter and histogram both exist among `names`, or undefined. */
export function pickNaming(names: Iterable<string>): SpanMetricsNaming | undefined {
  const present = new Set(names);
  return NAMINGS.find((n) => present.has(n.calls) && present.has(n.bucket));
}

/** The naming with what the label names of its counter series say about environment and code labels. */
export function withLabels(naming: SpanMetricsNaming, labelNames: Iterable<string>): DetectedSpanMetrics {
  const present = new Set(labelNames);
  const optional = new Set(Object.values(CODE_LABELS).filter((l) => present.has(l)));
  const environmentLabel = ENVIRONMENT_LABELS.find((l) => present.has(l));
  return { ...naming, labels: optional, ...(environmentLabel ? { environmentLabel } : {}) };
}

/** One line saying what was looked for, for a Prometheus that holds none of it. */
export function noNamingMessage(): string {
  return `no span metrics found (looked for ${NAMINGS.map((n) => `${n.calls} + ${n.bucket}`).join(', ')})`;
}
