/**
 * Hostile but valid OTLP requests, made by the OpenTelemetry JS SDK and its own serializers (the
 * ones the OTLP/HTTP exporters use): every string field a megabyte long.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { encodeLogs, encodeSpans, type Payload } from './sdkPayloads';

/** A string of `n` characters that says which field it fills (so a capped value shows its origin). */
export function huge(field: string, n = 1024 * 1024): string {
  return (field + ':').padEnd(n, field[0]);
}

/** The resource with every attribute we read a megabyte long; `tag` keeps services of different tests apart. */
export function hugeResource(tag: string): Record<string, string> {
  return {
    'service.name': huge(`svc-${tag}`),
    'deployment.environment.name': huge(`env-${tag}`),
    'vcs.ref.head.revision': huge('rev'),
    'service.version': huge('ver'),
    'telemetry.sdk.language': huge('lang'),
  };
}

/** `n` server spans whose name, status message, code.* and http.* values and exception fields are each ~1 MiB. */
export function hugeSpans(n: number, tag: string): Payload {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(hugeResource(tag)), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('hostile');
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(huge(`name${i}-`), {
      kind: SpanKind.SERVER,
      attributes: {
        'code.function.name': huge('fn'),
        'code.namespace': huge('ns'),
        'code.file.path': huge('/file'),
        'code.stacktrace': huge('cst'),
        'http.route': huge('/route'),
        'http.request.method': huge('method'),
      },
    });
    span.recordException({ name: huge('Type'), message: huge('msg'), stack: huge('stack') });
    span.setStatus({ code: SpanStatusCode.ERROR, message: huge('status') });
    span.end();
  }
  return encodeSpans(exporter.getFinishedSpans());
}

/** One error log record whose body and exception fields are each ~1 MiB. */
export async function hugeLogs(tag: string): Promise<Payload> {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource: resourceFromAttributes(hugeResource(tag)), processors: [new SimpleLogRecordProcessor({ exporter })] });
  provider.getLogger('hostile').emit({
    severityNumber: SeverityNumber.ERROR,
    body: huge('body'),
    attributes: { 'exception.type': huge('LType'), 'exception.message': huge('lmsg'), 'exception.stacktrace': huge('lstack') },
  });
  await provider.forceFlush();
  return encodeLogs(exporter.getFinishedLogRecords());
}
