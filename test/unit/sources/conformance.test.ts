// The TelemetrySource conformance suite against every implementation: the embedded receiver's
// store fed by the real OpenTelemetry JS SDK over OTLP/HTTP, and the in-memory source fed with
// what the embedded one answered.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { CompositeSource } from '../../../src/core/sources/compositeSource';
import { MemorySource } from '../../../src/core/sources/memorySource';
import { parseSignalsQuery } from '../../../src/core/sources/telemetrySource';
import { hrTime, makeSpans, sendSpans } from '../server/sdkSend';
import { telemetrySourceConformance, type ConformanceFixture } from './conformance';

const FILE = 'src/orders.js';
const ORDERS = 'function createOrder(req) {\n  return req;\n}\n\nfunction listOrders() {\n  return [];\n}\n';

/** A receiver on a temp workspace with spans of createOrder and listOrders, one trace id held. */
async function embedded(): Promise<ConformanceFixture & { rx: EmbeddedReceiver }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-conformance-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, FILE), ORDERS);
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0 });
  await rx.start();
  await rx.indexReady;
  const now = Date.now();
  let traceId = '';
  let trafficTraceId = '';
  const spans = makeSpans('orders', (tracer) => {
    // A request the HTTP server span recorded, as instrumentations following the semantic conventions do.
    const served = tracer.startSpan('GET /orders/:id', {
      kind: SpanKind.SERVER,
      startTime: hrTime(now - 900),
      attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'url.path': '/orders/7', 'url.query': 'expand=lines', 'http.response.status_code': 200 },
    });
    trafficTraceId = served.spanContext().traceId;
    served.end(hrTime(now - 880));
    for (const [fn, ms] of [
      ['createOrder', 40],
      ['listOrders', 5],
      ['createOrder', 60],
    ] as const) {
      const span = tracer.startSpan(`orders.${fn}`, { kind: SpanKind.INTERNAL, startTime: hrTime(now - 1000), attributes: { 'code.function.name': fn, 'code.file.path': path.join(root, FILE) } });
      traceId ||= span.spanContext().traceId;
      span.end(hrTime(now - 1000 + ms));
    }
  });
  await sendSpans(`http://127.0.0.1:${rx.receiver.address()!.port}`, spans);
  await rx.pipeline.idle();
  return {
    rx,
    source: rx.source,
    file: FILE,
    traceId,
    trafficTraceId,
    teardown: async () => {
      await rx.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

telemetrySourceConformance('embedded receiver (real SDK spans over OTLP/HTTP)', embedded);

telemetrySourceConformance('in-memory source', async () => {
  // the embedded source's own answers, held in memory: the fake answers as the real one does
  const real = await embedded();
  const answer = await real.source.signals(parseSignalsQuery(new URLSearchParams('window=5m'), '5m'));
  const traces = await Promise.all([real.traceId, real.trafficTraceId!].map((id) => real.source.trace(id)));
  await real.teardown();
  const source = new MemorySource({ answers: new Map([['5m', answer]]), traces: new Map(traces.flatMap((t) => (t ? [[t.traceId, t] as const] : []))) });
  return { source, file: FILE, traceId: real.traceId, trafficTraceId: real.trafficTraceId, teardown: () => source.dispose() };
});

telemetrySourceConformance('composite of the embedded receiver and an in-memory source', async () => {
  const real = await embedded();
  const memory = new MemorySource({ answers: new Map([['5m', await real.source.signals(parseSignalsQuery(new URLSearchParams('window=5m'), '5m'))]]) });
  const source = new CompositeSource([
    { source: real.source, name: 'embedded' },
    { source: memory, name: 'memory' },
  ]);
  return {
    source,
    file: FILE,
    traceId: real.traceId,
    trafficTraceId: real.trafficTraceId,
    teardown: async () => {
      await source.dispose();
      await real.teardown();
    },
  };
});
