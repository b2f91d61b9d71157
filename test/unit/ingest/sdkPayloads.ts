/**
 * Real OTLP payloads for the decoder tests: spans and log records produced by the
 * OpenTelemetry JS SDK and serialized by the same serializers the OTLP exporters use.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { JsonLogsSerializer, JsonTraceSerializer, ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

/** One request in both encodings. */
export interface Payload {
  proto: Uint8Array;
  json: string;
}

/** The resource of the checkout service (deprecated environment and revision keys). */
export const checkoutResource = {
  'service.name': 'checkout',
  'service.version': '1.4.2',
  'deployment.environment': 'prod',
  'vcs.repository.ref.revision': 'abc123',
  'telemetry.sdk.language': 'nodejs',
};

/** The resource of the billing service (stable keys, with deprecated ones that must lose). */
export const billingResource = {
  'service.name': 'billing',
  'deployment.environment.name': 'staging',
  'deployment.environment': 'ignored-old-env',
  'vcs.ref.head.revision': 'def456',
  'vcs.repository.ref.revision': 'ignored-old-rev',
  'telemetry.sdk.language': 'nodejs',
};

function tracer(resource: Record<string, string>): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, provider };
}

/** A small, varied set of spans from two services. */
export function sdkSpans(): ReadableSpan[] {
  const a = tracer(checkoutResource);
  const t = a.provider.getTracer('checkout-tests');
  const server = t.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.route': '/orders',
      'http.request.method': 'POST',
      'http.method': 'IGNORED',
      'code.function.name': 'OrderController.create',
      'code.function': 'ignored',
      'code.file.path': '/srv/app/src/orders.ts',
      'code.line.number': 41,
      'code.column.number': 7,
      'net.peer.name': 'db.internal',
    },
  });
  server.recordException(new Error('card declined'));
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed' });
  const child = t.startSpan(
    'validate',
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'code.function': 'validateOrder',
        'code.namespace': 'OrderService',
        'code.filepath': 'src/validate.ts',
        'code.lineno': '88',
        'code.column': 3,
        'http.method': 'GET',
        'code.stacktrace': 'at validateOrder (src/validate.ts:88:3)',
      },
    },
    trace.setSpan(context.active(), server),
  );
  child.addEvent('cache miss', { key: 'order:1' });
  const typed = new TypeError('bad input');
  child.recordException(typed);
  child.end();
  server.end();
  const client = t.startSpan('GET /inventory', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET' } });
  client.setStatus({ code: SpanStatusCode.OK });
  client.end();
  const producer = t.startSpan('publish ünïcødé ✓', { kind: SpanKind.PRODUCER });
  producer.end();

  const b = tracer(billingResource);
  const consumer = b.provider.getTracer('billing-tests').startSpan('consume invoice', { kind: SpanKind.CONSUMER });
  consumer.recordException('plain string failure');
  consumer.end();
  return [...a.exporter.getFinishedSpans(), ...b.exporter.getFinishedSpans()];
}

/** `n` realistic spans: server spans with a dozen attributes and an exception on every 16th. */
export function realisticSpans(n: number): ReadableSpan[] {
  const a = tracer(checkoutResource);
  const t = a.provider.getTracer('@opentelemetry/instrumentation-http', '0.52.0');
  for (let i = 0; i < n; i++) {
    const s = t.startSpan(`GET /api/items/:id`, {
      kind: i % 4 === 0 ? SpanKind.SERVER : SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/items/:id',
        'url.full': `http://localhost:3000/api/items/${i}?expand=true`,
        'http.response.status_code': 200,
        'server.address': 'localhost',
        'server.port': 3000,
        'network.protocol.version': '1.1',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36',
        'code.function.name': 'ItemsController.get',
        'code.file.path': '/srv/app/src/items/controller.ts',
        'code.line.number': 120 + (i % 50),
        'net.host.name': 'items-7f9c',
      },
    });
    if (i % 16 === 0) {
      s.recordException(new Error(`item ${i} not found`));
      s.setStatus({ code: SpanStatusCode.ERROR });
    }
    s.end();
  }
  return a.exporter.getFinishedSpans();
}

/** Serializes spans the way the OTLP/HTTP exporters do. */
export function encodeSpans(spans: ReadableSpan[]): Payload {
  const proto = ProtobufTraceSerializer.serializeRequest(spans);
  const json = JsonTraceSerializer.serializeRequest(spans);
  if (!proto || !json) throw new Error('serializer returned nothing');
  return { proto, json: new TextDecoder().decode(json) };
}

/** Log records from the SDK: an error with an exception and code.*, and a plain info line. */
export async function sdkLogs(): Promise<ReadableLogRecord[]> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(checkoutResource),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('checkout-logs');
  const spans = tracer(checkoutResource);
  const span = spans.provider.getTracer('x').startSpan('handler');
  logger.emit({
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment failed',
    attributes: { 'code.function.name': 'charge', 'code.file.path': 'src/pay.ts', 'code.line.number': 17 },
    exception: new RangeError('amount out of range'),
    context: trace.setSpan(context.active(), span),
  });
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    body: 42,
    attributes: { 'code.lineno': 9, 'code.filepath': 'src/old.ts', 'code.function': 'legacy' },
  });
  logger.emit({ severityNumber: SeverityNumber.WARN, body: { structured: true } });
  span.end();
  await provider.forceFlush();
  return exporter.getFinishedLogRecords();
}

/** Serializes log records the way the OTLP/HTTP exporters do. */
export function encodeLogs(logs: ReadableLogRecord[]): Payload {
  const proto = ProtobufLogsSerializer.serializeRequest(logs);
  const json = JsonLogsSerializer.serializeRequest(logs);
  if (!proto || !json) throw new Error('serializer returned nothing');
  return { proto, json: new TextDecoder().decode(json) };
}
