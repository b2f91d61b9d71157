/**
 * The backend benchmark's traffic: whole requests made with the real OpenTelemetry JS SDK over the
 * ingest benchmark's generated workspace (10 services x 20 files x 10 functions = 2,000 functions
 * in 200 files, see corpus.ts writeWorkspace), encoded by the SDK's own protobuf serializer.
 * A request is one server span (handler0 or handler1 of a file, with its route) and four internal
 * spans (four of handler2..handler9 of the same file), each with code.function.name/code.file.path,
 * so every function has one span name and kind and both sides count the same spans. Some calls fail:
 * handler9 with an exception in 0-8% of its calls depending on the file, handler0 with a 500 in 1%.
 * Deterministic durations (a fixed-seed generator), so two runs send the same shape of traffic.
 */
import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FUNCTIONS_PER_MODULE, SERVICES } from '../corpus';

/** Files per service: 10 x 20 = 200 files, 2,000 functions. */
export const MODULES_PER_SERVICE = 20;
/** Spans per request: one server span and four internal ones. */
export const SPANS_PER_TRACE = 5;
/** Requests per export request (one service each): 500 spans. */
export const TRACES_PER_BATCH = 100;
/** Where the functions live "in production"; serve maps it away with `--path-rule /app/=`. */
export const PRODUCTION_ROOT = '/app/';

/** The workspace-relative file of module `m` of service `s`. */
export function relativeFile(service: number, module: number): string {
  return `svc${service}/src/module${module}.js`;
}

// corpus.ts writes each function in six lines, the first one `async function handlerM_F(req) {`.
const functionLine = (f: number): number => f * 6 + 1;

/** A batch ready to POST. */
export interface TrafficBatch {
  body: Buffer;
  spans: number;
  traces: number;
}

/** Fixed-seed xorshift32 in [0, 1). */
function generator(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Milliseconds a call of function f of module m takes: a per-function median with a long tail. */
function duration(m: number, f: number, r: number): number {
  const median = 2 + ((f * 7 + m * 3) % 40);
  // Pareto-like tail: most calls near the median, a few up to ~20x.
  return Math.max(0.2, median * (0.5 + 0.5 / Math.max(0.05, 1 - r)) ** 0.8);
}

/** Errors per call of handler9 in module m: 0%, 2%, 4%, 6% or 8%. */
export function handler9ErrorRate(m: number): number {
  return (m % 5) * 0.02;
}

/**
 * Batch number `b`: `traces` requests of service b % 10, over its 20 files in turn, timed to end
 * just before `nowMs`. Which functions a request calls cycles, so each function's calls are spread
 * evenly over time (a window edge then cuts both sides' counts alike).
 */
export function makeTrafficBatch(b: number, nowMs: number, traces = TRACES_PER_BATCH): TrafficBatch {
  const service = b % SERVICES;
  const random = generator(b * 2654435761 + 1);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `svc${service}`, 'service.version': '1.0.0', 'deployment.environment.name': 'production', 'telemetry.sdk.language': 'nodejs' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('runtime-lens-bench-backends');
  for (let t = 0; t < traces; t++) {
    const seq = Math.floor(b / SERVICES) * traces + t;
    const m = seq % MODULES_PER_SERVICE;
    const file = `${PRODUCTION_ROOT}${relativeFile(service, m)}`;
    const code = (f: number) => ({ 'code.function.name': `handler${m}_${f}`, 'code.file.path': file, 'code.line.number': functionLine(f) + 1 });
    const turn = Math.floor(seq / MODULES_PER_SERVICE);
    const root = turn % 2;
    const route = `/api/m${m}/h${root}/:id`;
    const start = nowMs - 2_000 - Math.floor(random() * 3_000);
    const failing = root === 0 && random() < 0.01;
    const server = tracer.startSpan(`GET ${route}`, {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': failing ? 500 : 200, ...code(root) },
    });
    const parent = trace.setSpan(context.active(), server);
    let at = start + 0.5;
    // Four distinct internal functions of the same file, starting one further on each request.
    const first = 2 + (turn % (FUNCTIONS_PER_MODULE - 2));
    for (let k = 0; k < SPANS_PER_TRACE - 1; k++) {
      const f = 2 + ((first - 2 + k * 2) % (FUNCTIONS_PER_MODULE - 2));
      const took = duration(m, f, random());
      const child: Span = tracer.startSpan(`handler${m}_${f}`, { kind: SpanKind.INTERNAL, startTime: at, attributes: code(f) }, parent);
      if (f === 9 && random() < handler9ErrorRate(m)) {
        const error = new Error(`upstream timed out after ${1000 + (seq % 7)} ms`);
        error.stack = [`Error: ${error.message}`, `    at handler${m}_9 (${file}:${functionLine(9) + 2}:11)`, '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'].join('\n');
        child.recordException(error, at + took - 0.1);
        child.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      child.end(at + took);
      at += took + 0.1;
    }
    if (failing) server.setStatus({ code: SpanStatusCode.ERROR, message: 'HTTP 500' });
    server.end(Math.max(at, start + duration(m, root, random())));
  }
  const spans = exporter.getFinishedSpans();
  const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
  return { body, spans: spans.length, traces };
}
