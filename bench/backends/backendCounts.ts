/**
 * What the backends hold, asked through their own HTTP APIs (not our clients, so a bug in those
 * cannot hide a shortfall): spans in Jaeger, counted trace by trace; span-metric series, calls and
 * histogram bucket bounds in Prometheus.
 */

/** Spans Jaeger holds, by reading every service's traces back. */
export interface JaegerHoldings {
  services: number;
  traces: number;
  spans: number;
  ms: number;
  /** A service answered as many traces as asked: there may be more. */
  truncated: boolean;
}

async function getJson(url: URL, timeoutMs = 120_000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url.pathname} -> ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as unknown;
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const field = (v: unknown, k: string): unknown => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);

/**
 * Reads back every service's traces from Jaeger's `/api/v3/traces` (one search per service over all
 * time; Jaeger's memory store wants a search depth below its max_traces).
 */
export async function jaegerHoldings(queryUrl: string, maxTraces: number): Promise<JaegerHoldings> {
  const started = performance.now();
  const services = list(field(await getJson(new URL('/api/v3/services', queryUrl)), 'services')).filter((s): s is string => typeof s === 'string');
  const out: JaegerHoldings = { services: services.length, traces: 0, spans: 0, ms: 0, truncated: false };
  const depth = maxTraces - 1;
  for (const service of services) {
    const url = new URL('/api/v3/traces', queryUrl);
    url.searchParams.set('query.service_name', service);
    url.searchParams.set('query.start_time_min', new Date(Date.now() - 24 * 3600_000).toISOString());
    url.searchParams.set('query.start_time_max', new Date(Date.now() + 60_000).toISOString());
    url.searchParams.set('query.num_traces', String(depth));
    const traceIds = new Set<string>();
    for (const rs of list(field(field(await getJson(url), 'result'), 'resourceSpans'))) {
      for (const ss of list(field(rs, 'scopeSpans'))) {
        for (const span of list(field(ss, 'spans'))) {
          out.spans++;
          traceIds.add(String(field(span, 'traceId')));
        }
      }
    }
    out.traces += traceIds.size;
    if (traceIds.size >= depth) out.truncated = true;
  }
  out.ms = performance.now() - started;
  return out;
}

/** One instant PromQL query's vector: labels and value of each sample. */
export async function promVector(url: string, query: string): Promise<{ metric: Record<string, string>; value: number }[]> {
  const u = new URL('/api/v1/query', url);
  u.searchParams.set('query', query);
  const body = await getJson(u, 30_000);
  if (field(body, 'status') !== 'success') throw new Error(`prometheus: ${query}: ${JSON.stringify(body).slice(0, 200)}`);
  return list(field(field(body, 'data'), 'result')).map((r) => ({ metric: (field(r, 'metric') ?? {}) as Record<string, string>, value: Number(list(field(r, 'value'))[1]) }));
}

/** A single-number PromQL answer (0 when empty). */
export async function promScalar(url: string, query: string): Promise<number> {
  return (await promVector(url, query))[0]?.value ?? 0;
}

/** Series of the spanmetrics connector Prometheus holds now. */
export function spanMetricSeries(url: string): Promise<number> {
  return promScalar(url, 'count({__name__=~"traces_span_metrics.*"})');
}

/** Calls the span metrics have counted in all. */
export function spanMetricCalls(url: string): Promise<number> {
  return promScalar(url, 'sum(traces_span_metrics_calls_total)');
}

/** The histogram's finite bucket bounds (ms), ascending. */
export async function histogramBounds(url: string): Promise<number[]> {
  const rows = await promVector(url, 'count by (le) (traces_span_metrics_duration_milliseconds_bucket)');
  return rows
    .map((r) => Number(r.metric['le']))
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
}
