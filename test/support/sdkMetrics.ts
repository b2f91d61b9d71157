/**
 * A real OpenTelemetry JS MeterProvider recording the HTTP server duration histogram the way the
 * http instrumentations do, exported by the real OTLP metrics exporters (JSON or protobuf), and a
 * loopback endpoint that keeps the exact bodies they send.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { Histogram } from '@opentelemetry/api';

/** One request as the instrumentation records it. */
export interface RecordedRequest {
  method: string;
  route: string;
  status: number;
  seconds: number;
  /** Sets `error.type` (stable semconv sets it for 5xx and exceptions). */
  errorType?: string;
}

/** A provider whose metrics go to `url` (`.../v1/metrics`) when flushed. */
export interface SdkMeter {
  record(requests: RecordedRequest[]): void;
  /** Exports now (cumulative, the SDK default); a failed export is only logged by the SDK, as in an app. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A MeterProvider with the stable `http.server.request.duration` histogram (s) and an unrelated counter. */
export function sdkMeter(url: string, encoding: 'json' | 'protobuf', resource: Record<string, string>, headers: Record<string, string> = {}): SdkMeter {
  const exporter = encoding === 'json' ? new JsonMetricExporter({ url, headers }) : new ProtoMetricExporter({ url, headers });
  // A long interval: exports happen only when the test flushes.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader] });
  const meter = provider.getMeter('@opentelemetry/instrumentation-http', '0.223.0');
  const duration: Histogram = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    description: 'Duration of HTTP server requests.',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] },
  });
  const jobs = meter.createCounter('app.jobs.processed');
  return {
    record(requests) {
      for (const r of requests) {
        duration.record(r.seconds, {
          'http.request.method': r.method,
          'http.route': r.route,
          'http.response.status_code': r.status,
          'url.scheme': 'http',
          'network.protocol.version': '1.1',
          ...(r.errorType ? { 'error.type': r.errorType } : {}),
        });
      }
      jobs.add(requests.length, { queue: 'default' });
    },
    async flush() {
      await provider.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };
}

/** A body an exporter sent. */
export interface CapturedBody {
  contentType: string;
  body: Buffer;
}

/** A loopback OTLP endpoint that answers 200 {} and keeps what it got. */
export async function captureEndpoint(): Promise<{ url: string; bodies: CapturedBody[]; stop(): Promise<void> }> {
  const bodies: CapturedBody[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ contentType: String(req.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
      const json = String(req.headers['content-type']).includes('json');
      res.writeHead(200, { 'Content-Type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    bodies,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
