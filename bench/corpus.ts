/**
 * The ingest benchmark's corpus: a generated workspace of 10 services and realistic OTLP
 * batches produced by the OpenTelemetry JS SDK and its exporters' serializers. Deterministic
 * (no randomness), so every run replays the same bytes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export const SERVICES = 10;
export const FUNCTIONS_PER_MODULE = 10;
export const BATCH_SIZE = 512;
/** Lines each generated function takes: `function name(req) {`, 3 body lines, `}`, blank. */
const FUNCTION_LINES = 6;

/**
 * Which location the k-th span of a service goes to. Production traffic is skewed (a few hot
 * endpoints take most requests), so the default is a Zipf(1) draw over the locations, made
 * deterministic with a fixed-seed generator; `uniform` walks every location in turn (worst case
 * for CPU caches).
 */
export type Traffic = 'zipf' | 'uniform';

function locationPicker(traffic: Traffic, locations: number): (k: number) => number {
  if (traffic === 'uniform') return (k) => k % locations;
  const cumulative = new Float64Array(locations);
  let total = 0;
  for (let i = 0; i < locations; i++) cumulative[i] = total += 1 / (i + 1);
  let seed = 0x9e3779b9;
  const random = () => {
    // xorshift32: deterministic across runs and machines.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = locations - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** One pre-encoded export request in both encodings. */
export interface Batch {
  proto: Buffer;
  json: Buffer;
  spans: number;
}

/** Writes svcN/src/moduleM.js files with FUNCTIONS_PER_MODULE functions each. */
export function writeWorkspace(root: string, modulesPerService: number): void {
  for (let s = 0; s < SERVICES; s++) {
    const dir = path.join(root, `svc${s}`, 'src');
    mkdirSync(dir, { recursive: true });
    for (let m = 0; m < modulesPerService; m++) {
      const lines: string[] = [];
      for (let f = 0; f < FUNCTIONS_PER_MODULE; f++) {
        lines.push(`async function handler${m}_${f}(req) {`, `  const started = Date.now();`, `  const result = await work(req, ${f});`, `  return { result, ms: Date.now() - started };`, '}', '');
      }
      lines.push('async function work(req, n) {', '  return n;', '}', '', `module.exports = { ${Array.from({ length: FUNCTIONS_PER_MODULE }, (_, f) => `handler${m}_${f}`).join(', ')} };`);
      writeFileSync(path.join(dir, `module${m}.js`), `${lines.join('\n')}\n`);
    }
  }
}

/** Frames an Express app's stack has below its handler, from the framework and Node. */
const EXPRESS_FRAMES = ['    at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)', '    at next (/app/node_modules/express/lib/router/route.js:149:13)'];
const NODE_FRAME = '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)';

/**
 * A V8 stack thrown in module `module`'s helper `work`, under handler `fn` of `file`, then the
 * framework's frames (`more` between Express's and Node's): what both corpora's exceptions carry.
 */
export function handlerStack(firstLine: string, file: string, module: number, fn: number, more: readonly string[] = []): string {
  return [firstLine, `    at work (${file}:${FUNCTIONS_PER_MODULE * FUNCTION_LINES + 2}:9)`, `    at handler${module}_${fn} (${file}:${functionLine(fn) + 2}:24)`, ...EXPRESS_FRAMES, ...more, NODE_FRAME].join('\n');
}

/** The first line of function f in any module. */
export function functionLine(f: number): number {
  return f * FUNCTION_LINES + 1;
}

/**
 * `count` batches of BATCH_SIZE spans spread over `modulesPerService` modules per service:
 * server spans with the usual HTTP attributes and code.* attributes, 5% of them failing with
 * an exception whose V8 stack has framework frames above the in-app one.
 */
export function makeBatches(count: number, modulesPerService: number, firstSeq = 0, traffic: Traffic = 'zipf'): Batch[] {
  const batches: Batch[] = [];
  const now = Date.now();
  let seq = firstSeq;
  const perService = new Array<number>(SERVICES).fill(0);
  const pickers = Array.from({ length: SERVICES }, () => locationPicker(traffic, modulesPerService * FUNCTIONS_PER_MODULE));
  for (let b = 0; b < count; b++) {
    const service = b % SERVICES;
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': `svc${service}`,
        'service.version': '1.0.0',
        'deployment.environment.name': 'production',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.name': 'opentelemetry',
        'host.name': `svc${service}-7c9f8d-x2k4q`,
      }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.52.0');
    for (let i = 0; i < BATCH_SIZE; i++, seq++) {
      const location = pickers[service](perService[service]++);
      const fn = location % FUNCTIONS_PER_MODULE;
      const module = Math.floor(location / FUNCTIONS_PER_MODULE);
      const file = `/app/svc${service}/src/module${module}.js`;
      const start = now - 30_000 + (seq % 20_000);
      const duration = 2 + ((seq * 7919) % 400) / 4;
      const span = tracer.startSpan(`GET /api/m${module}/f${fn}/:id`, {
        kind: SpanKind.SERVER,
        startTime: start,
        attributes: {
          'http.request.method': 'GET',
          'http.route': `/api/m${module}/f${fn}/:id`,
          'url.path': `/api/m${module}/f${fn}/${seq}`,
          'http.response.status_code': 200,
          'server.address': `svc${service}.internal`,
          'server.port': 8080,
          'network.protocol.version': '1.1',
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)',
          'code.function.name': `handler${module}_${fn}`,
          'code.file.path': file,
          'code.line.number': functionLine(fn) + 2,
        },
      });
      if (seq % 20 === 0) {
        const error = new Error(`upstream timed out after ${1000 + (seq % 7)} ms`);
        error.stack = handlerStack(`Error: ${error.message}`, file, module, fn);
        span.recordException(error, start + duration - 1);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      }
      span.end(start + duration);
    }
    const spans = exporter.getFinishedSpans();
    batches.push({
      proto: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
      json: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
      spans: spans.length,
    });
  }
  return batches;
}

/**
 * `count` batches of whole requests as agents report them (issue 10): per request a server span
 * (route and code.* of its handler), the handler's own span with the same code.* (the Java agent's
 * controller span: one call, folded), a middleware span (framework-internal, folded) and a client
 * span (an outgoing call), children ending first; 5% of requests fail with the same exception
 * recorded on the handler span and on the server span (one occurrence). Uniform over the locations.
 */
export function makeRequestBatches(count: number, modulesPerService: number): Batch[] {
  const batches: Batch[] = [];
  const now = Date.now();
  let seq = 0;
  const locations = modulesPerService * FUNCTIONS_PER_MODULE;
  const perBatch = Math.floor(BATCH_SIZE / 4);
  for (let b = 0; b < count; b++) {
    const service = b % SERVICES;
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `svc${service}`, 'deployment.environment.name': 'production', 'telemetry.sdk.language': 'nodejs' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('bench-requests');
    for (let i = 0; i < perBatch; i++, seq++) {
      const location = seq % locations;
      const fn = location % FUNCTIONS_PER_MODULE;
      const module = Math.floor(location / FUNCTIONS_PER_MODULE);
      const file = `/app/svc${service}/src/module${module}.js`;
      const code = { 'code.function.name': `handler${module}_${fn}`, 'code.file.path': file, 'code.line.number': functionLine(fn) + 2 };
      const start = now - 30_000 + (seq % 20_000);
      const route = `/api/m${module}/f${fn}/:id`;
      const server = tracer.startSpan(`GET ${route}`, { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.request.method': 'GET', 'http.route': route, ...code } });
      const inServer = trace.setSpan(context.active(), server);
      const middleware = tracer.startSpan('middleware - query', { kind: SpanKind.INTERNAL, startTime: start }, inServer);
      middleware.end(start + 1);
      const handler = tracer.startSpan(`handler${module}_${fn}`, { kind: SpanKind.INTERNAL, startTime: start + 1, attributes: code }, inServer);
      const call = tracer.startSpan(
        'GET',
        { kind: SpanKind.CLIENT, startTime: start + 2, attributes: { 'http.request.method': 'GET', 'url.full': 'http://rates.internal/rate', 'server.address': 'rates.internal' } },
        trace.setSpan(context.active(), handler),
      );
      call.end(start + 5);
      const failing = seq % 20 === 0;
      if (failing) {
        const error = new Error(`upstream timed out after ${1000 + (seq % 7)} ms`);
        error.stack = [`Error: ${error.message}`, `    at work (${file}:${FUNCTIONS_PER_MODULE * FUNCTION_LINES + 2}:9)`, `    at handler${module}_${fn} (${file}:${functionLine(fn) + 2}:24)`].join('\n');
        for (const s of [handler, server]) {
          s.recordException(error, start + 6);
          s.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        }
      }
      handler.end(start + 7);
      server.end(start + 8);
    }
    const spans = exporter.getFinishedSpans();
    batches.push({
      proto: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
      json: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
      spans: spans.length,
    });
  }
  return batches;
}
