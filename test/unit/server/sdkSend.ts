/**
 * Sends spans built with the real OpenTelemetry JS SDK to a receiver through the real OTLP/HTTP
 * JSON exporter, one export per call (so tests decide which spans share a batch).
 */
import type { HrTime, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/** Unix ms to the SDK's HrTime. */
export function hrTime(ms: number): HrTime {
  return [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
}

/** Spans made by `build` with a tracer of `service`, finished and collected (not yet sent). */
export function makeSpans(service: string, build: (tracer: Tracer) => void, environment = 'production'): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment.name': environment, 'telemetry.sdk.language': 'nodejs' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  build(provider.getTracer('runtime-lens-tests'));
  return memory.getFinishedSpans();
}

/** Exports `spans` in one request to `base` (`http://host:port`); rejects when the export fails. */
export function sendSpans(base: string, spans: ReadableSpan[], headers: Record<string, string> = {}): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${base}/v1/traces`, headers });
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => {
      void exporter.shutdown();
      if (result.code === 0) resolve();
      else reject(result.error ?? new Error('export failed'));
    });
  });
}
