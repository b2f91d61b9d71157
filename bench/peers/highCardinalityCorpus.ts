/**
 * bench:peers' production-cardinality corpus (issue 15): 10 services x 2,000 routes each, server
 * spans with 12 attributes (HTTP route, method, status, path, peer and code.* pointing into the
 * workspace that bench/corpus.ts writeWorkspace makes with 200 modules per service), 5% failing with
 * an exception event carrying a V8 stack, and a fresh trace id on every span (each span is a root,
 * and the SDK draws its ids). Serialized by the OpenTelemetry JS SDK's own serializers.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BATCH_SIZE, type Batch, FUNCTIONS_PER_MODULE, functionLine, handlerStack, SERVICES } from '../corpus';

/** Distinct routes (and handler functions) per service. */
export const ROUTES_PER_SERVICE = 2_000;
/** Modules per service in the workspace: one handler function per route. */
export const HIGH_CARDINALITY_MODULES = ROUTES_PER_SERVICE / FUNCTIONS_PER_MODULE;
/** Attributes on every span (the 12). */
export const ATTRIBUTES_PER_SPAN = 12;

const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
// Coprime with ROUTES_PER_SERVICE: stepping by it visits every route once per 2,000 spans of a
// service, in an order with no locality, so every route stays live (the cardinality the caps meet).
const ROUTE_STRIDE = 7_919;
const ERROR_TYPES = ['TimeoutError', 'TypeError', 'ValidationError', 'ECONNRESET'];

/**
 * Batch `b` of the corpus (service b % 10), `BATCH_SIZE` spans; `seq` numbers spans across the
 * corpus so paths and error messages differ span to span. Timestamps lie in the minute before `now`.
 */
export function makeHighCardinalityBatch(b: number, now: number): Batch {
  const service = b % SERVICES;
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': `svc${service}`,
      'service.version': '2.4.1',
      'deployment.environment.name': 'production',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.name': 'opentelemetry',
      'host.name': `svc${service}-5d8c7b-${b % 7}q2x`,
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0');
  // The k-th span this service gets across the corpus (batches rotate over the services).
  const firstOfService = Math.floor(b / SERVICES) * BATCH_SIZE;
  for (let i = 0; i < BATCH_SIZE; i++) {
    const k = firstOfService + i;
    const seq = b * BATCH_SIZE + i;
    const routeIndex = (k * ROUTE_STRIDE) % ROUTES_PER_SERVICE;
    const module = Math.floor(routeIndex / FUNCTIONS_PER_MODULE);
    const fn = routeIndex % FUNCTIONS_PER_MODULE;
    const method = METHODS[routeIndex % METHODS.length];
    const route = `/api/v2/r${module}/f${fn}/:id`;
    const file = `/app/svc${service}/src/module${module}.js`;
    const failing = seq % 20 === 0;
    const start = now - 60_000 + (seq % 50_000);
    const duration = 1 + ((seq * 7_919) % 800) / 4;
    const span = tracer.startSpan(`${method} ${route}`, {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: {
        'http.request.method': method,
        'http.route': route,
        'url.path': `/api/v2/r${module}/f${fn}/${(seq * 2_654_435_761) >>> 8}`,
        'http.response.status_code': failing ? 500 : 200,
        'server.address': `svc${service}.prod.internal`,
        'server.port': 8080,
        'network.protocol.version': '1.1',
        'user_agent.original': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/13${seq % 10}.0 Safari/537.36`,
        'client.address': `10.${(seq >>> 16) & 255}.${(seq >>> 8) & 255}.${seq & 255}`,
        'code.function.name': `handler${module}_${fn}`,
        'code.file.path': file,
        'code.line.number': functionLine(fn) + 2,
      },
    });
    if (failing) {
      const type = ERROR_TYPES[(seq / 20) % ERROR_TYPES.length];
      const error = new Error(`request ${seq} to r${module}/f${fn} failed after ${200 + (seq % 900)} ms`);
      error.name = type;
      error.stack = handlerStack(`${type}: ${error.message}`, file, module, fn, ['    at Route.dispatch (/app/node_modules/express/lib/router/route.js:119:3)']);
      span.recordException(error, start + duration - 1);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    span.end(start + duration);
  }
  const spans = exporter.getFinishedSpans();
  return {
    proto: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
    json: Buffer.from(JsonTraceSerializer.serializeRequest(spans)!),
    spans: spans.length,
  };
}
