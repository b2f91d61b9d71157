/**
 * The sample traffic the backend smoke test and the fixture recorder send through the real
 * OpenTelemetry JS SDK to the collector, and small readers of the answers Jaeger and Prometheus
 * give about it. One batch is 3 traces of GET /orders/:id (getOrder, with a loadOrder child), one
 * failing POST /orders (createOrder, status ERROR with an exception event) and one span of a second
 * service.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';

/** The main sample service and a second one (so service lists have two entries). */
export const SAMPLE_SERVICE = 'checkout-api';
export const SAMPLE_SERVICE_2 = 'inventory-worker';
/** Where the sample functions live in "production". */
export const SAMPLE_FILE = '/app/src/orders.ts';
/** Spans (and calls) per batch, by function. */
export const PER_BATCH = { getOrder: 3, loadOrder: 3, createOrder: 1, reserveStock: 1 } as const;

/** What one batch sent. */
export interface SentBatch {
  traceIds: string[];
  errorTraceId: string;
  /** Earliest span start and latest span end, ms since the epoch. */
  startMs: number;
  endMs: number;
}

function provider(url: string, service: string): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': 'production' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }))],
  });
}

/** Sends one sample batch to an OTLP/HTTP base URL (e.g. the collector's) and waits until it is exported. */
export async function sendSampleBatch(otlpHttpUrl: string): Promise<SentBatch> {
  const main = provider(otlpHttpUrl, SAMPLE_SERVICE);
  const second = provider(otlpHttpUrl, SAMPLE_SERVICE_2);
  const tracer = main.getTracer('runtime-lens-backend-sample');
  const base = Date.now() - 2_000;
  const traceIds: string[] = [];
  const durations = [20, 40, 60];
  for (let i = 0; i < PER_BATCH.getOrder; i++) {
    const start = base + i * 100;
    const server = tracer.startSpan('GET /orders/:id', {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'http.response.status_code': 200,
        'code.function.name': 'getOrder',
        'code.file.path': SAMPLE_FILE,
        'code.line.number': 12,
      },
    });
    const child = tracer.startSpan(
      'loadOrder',
      { kind: SpanKind.INTERNAL, startTime: start + 2, attributes: { 'code.function.name': 'loadOrder', 'code.file.path': SAMPLE_FILE, 'code.line.number': 30 } },
      trace.setSpan(context.active(), server),
    );
    child.end(start + 2 + durations[i]! / 2);
    server.end(start + durations[i]!);
    traceIds.push(server.spanContext().traceId);
  }
  const errorStart = base + 400;
  const failing = tracer.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    startTime: errorStart,
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/orders',
      'http.response.status_code': 500,
      'code.function.name': 'createOrder',
      'code.file.path': SAMPLE_FILE,
      'code.line.number': 45,
    },
  });
  const error = new TypeError('card declined');
  error.stack = `TypeError: card declined\n    at createOrder (${SAMPLE_FILE}:47:11)\n    at handle (/app/src/server.ts:20:5)`;
  failing.recordException(error, errorStart + 100);
  failing.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  failing.end(errorStart + 120);
  const errorTraceId = failing.spanContext().traceId;
  traceIds.push(errorTraceId);
  const worker = second.getTracer('runtime-lens-backend-sample').startSpan('reserveStock', {
    kind: SpanKind.CONSUMER,
    startTime: base + 600,
    attributes: { 'code.function.name': 'reserveStock', 'code.file.path': '/app/src/stock.ts' },
  });
  worker.end(base + 610);
  traceIds.push(worker.spanContext().traceId);
  await Promise.all([main.forceFlush(), second.forceFlush()]);
  await Promise.all([main.shutdown(), second.shutdown()]);
  return { traceIds, errorTraceId, startMs: base, endMs: base + 700 };
}

/** Polls `probe` every 500 ms until it returns a value (not undefined); throws one line naming `what` on timeout. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = ` (last error: ${(e as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** GETs base+path?params; returns the raw text and the parsed JSON; throws one line on non-2xx. */
export async function getJson(base: string, path: string, params: Record<string, string> = {}): Promise<{ text: string; json: unknown }> {
  const url = new URL(path, base);
  for (const [k, v] of Object.entries(params)) url.searchParams.append(k, v);
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url.pathname}${url.search}: HTTP ${res.status}: ${text.slice(0, 200)}`);
  return { text, json: JSON.parse(text) as unknown };
}

/**
 * The Jaeger api_v3 search parameters for a service and window (RFC 3339 times, as the gateway wants).
 * v1.75.0's memory store answers 500 "search depth must be greater than 0" without query.num_traces.
 */
export function jaegerSearchParams(service: string, startMs: number, endMs: number): Record<string, string> {
  return {
    'query.service_name': service,
    'query.start_time_min': new Date(startMs).toISOString(),
    'query.start_time_max': new Date(endMs).toISOString(),
    'query.num_traces': '20',
  };
}

/** One series of a Prometheus instant-vector answer. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs a PromQL instant query; returns the vector's samples (throws one line for any other answer). */
export async function promVector(url: string, query: string): Promise<{ text: string; samples: PromSample[] }> {
  const { text, json } = await getJson(url, '/api/v1/query', { query });
  const body = json as { status?: string; data?: { resultType?: string; result?: PromSample[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'vector' || !Array.isArray(body.data.result)) {
    throw new Error(`unexpected Prometheus answer to ${query}: ${text.slice(0, 200)}`);
  }
  return { text, samples: body.data.result };
}

/** The sample with these label values (undefined when absent). */
export function findSample(samples: PromSample[], labels: Record<string, string>): PromSample | undefined {
  return samples.find((s) => Object.entries(labels).every(([k, v]) => s.metric[k] === v));
}
