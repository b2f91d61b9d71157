/**
 * Issue 9 §4: telemetry strings that name Object.prototype members (`constructor`, `__proto__`, ...)
 * in every string field of a span, a resource and a log record, sent as real OTLP (JSON and
 * protobuf, serialized by the OpenTelemetry SDK's own serializers) to a real receiver. Every good
 * span of the same batch must be filed and the counters must reconcile once the queue is idle.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import type { SignalsResponse, StatusResponse } from '../../../src/core/api/signals';
import { encodeLogs, encodeSpans } from './sdkPayloads';

const PROTO_KEYS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
const GOOD_PER_BATCH = 20;

let workspace: string;
// Inline decoding yields record batches, worker decoding columnar ones: both filing paths are covered.
const receivers: { name: string; rx: EmbeddedReceiver }[] = [];
let rx: EmbeddedReceiver;
let base: string;

function use(name: string): void {
  rx = receivers.find((r) => r.name === name)!.rx;
  base = rx.status().listening;
}

before(async () => {
  // A real git repository: resource revisions and versions go through revision drift.
  workspace = mkdtempSync(path.join(os.tmpdir(), 'rl-proto-'));
  mkdirSync(path.join(workspace, 'src'));
  writeFileSync(path.join(workspace, 'src/pay.js'), 'function charge(card) {\n  const total = card.amount;\n  throw new TypeError("boom");\n}\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' });
  git('init', '-q');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '.');
  git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'init');
  for (const [name, decodeWorkers] of [
    ['inline', 0],
    ['workers', 1],
  ] as const) {
    const r = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace, decodeWorkers });
    await r.start();
    await r.indexReady;
    receivers.push({ name, rx: r });
  }
});

after(async () => {
  for (const r of receivers) await r.rx.stop();
  rmSync(workspace, { recursive: true, force: true });
});

const stackOf = (k: string) => `${k}: ${k}\n    at ${k} (/app/src/${k}.js:1:1)\n    at charge (/app/src/pay.js:3:11)`;

function provider(resource: Record<string, string>) {
  const exporter = new InMemorySpanExporter();
  const p = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: p.getTracer(resource['service.name'] ?? 'x') };
}

/** Every resource string field set to `k`. */
function hostileResource(k: string): Record<string, string> {
  return {
    'service.name': k,
    'deployment.environment.name': k,
    'deployment.environment': k,
    'telemetry.sdk.language': k,
    'vcs.ref.head.revision': k,
    'vcs.repository.ref.revision': k,
    'service.version': k,
  };
}

/** A span with every string field we read set to `k`, an exception and a child client call. */
function hostileSpans(tracer: ReturnType<typeof provider>['tracer'], k: string): void {
  const attributes = {
    'code.function.name': k,
    'code.function': k,
    'code.namespace': k,
    'code.file.path': k,
    'code.filepath': k,
    'code.stacktrace': stackOf(k),
    'http.route': k,
    'http.request.method': k,
    'http.method': k,
  };
  const server = tracer.startSpan(k, { kind: SpanKind.SERVER, attributes });
  server.addEvent('exception', { 'exception.type': k, 'exception.message': k, 'exception.stacktrace': stackOf(k) });
  server.setStatus({ code: SpanStatusCode.ERROR, message: k });
  // Without code attributes, the stack trace, the route and the name are what map it.
  const bare = tracer.startSpan(k, { kind: SpanKind.SERVER, attributes: { 'http.route': k, 'http.request.method': k } }, trace.setSpan(context.active(), server));
  bare.addEvent('exception', { 'exception.type': k, 'exception.message': k, 'exception.stacktrace': k });
  bare.setStatus({ code: SpanStatusCode.ERROR, message: k });
  bare.end();
  const client = tracer.startSpan(
    k,
    {
      kind: SpanKind.CLIENT,
      attributes: { 'url.full': k, 'http.url': k, 'server.address': k, 'net.peer.name': k, 'peer.service': k, 'server.port': k, 'http.request.method': k },
    },
    trace.setSpan(context.active(), server),
  );
  client.end();
  server.end();
}

function goodSpans(tracer: ReturnType<typeof provider>['tracer'], n: number): void {
  for (let i = 0; i < n; i++) {
    tracer
      .startSpan('charge', {
        kind: SpanKind.INTERNAL,
        attributes: { 'code.function.name': 'charge', 'code.file.path': '/app/src/pay.js', 'code.line.number': 2 },
      })
      .end();
  }
}

/**
 * One batch: a resource of hostile values holding a hostile span and good ones, and a resource
 * that is normal but for its language (the case) holding the same.
 */
function batchFor(k: string): { spans: ReadableSpan[]; good: number } {
  const hostile = provider(hostileResource(k));
  hostileSpans(hostile.tracer, k);
  goodSpans(hostile.tracer, GOOD_PER_BATCH);
  const language = provider({ 'service.name': 'checkout', 'deployment.environment.name': 'prod', 'telemetry.sdk.language': k });
  hostileSpans(language.tracer, k);
  goodSpans(language.tracer, GOOD_PER_BATCH);
  return { spans: [...hostile.exporter.getFinishedSpans(), ...language.exporter.getFinishedSpans()], good: 2 * GOOD_PER_BATCH };
}

async function logsFor(k: string) {
  const exporter = new InMemoryLogRecordExporter();
  const p = new LoggerProvider({ resource: resourceFromAttributes(hostileResource(k)), processors: [new SimpleLogRecordProcessor({ exporter })] });
  const logger = p.getLogger(k);
  logger.emit({ severityNumber: SeverityNumber.ERROR, body: k, attributes: { 'code.function.name': k, 'code.file.path': k, 'exception.type': k, 'exception.message': k, 'exception.stacktrace': stackOf(k) } });
  logger.emit({ severityNumber: SeverityNumber.ERROR, body: k });
  logger.emit({ severityNumber: SeverityNumber.ERROR, body: 'good', attributes: { 'code.function.name': 'charge', 'code.file.path': '/app/src/pay.js', 'code.line.number': 3 } });
  await p.forceFlush();
  return exporter.getFinishedLogRecords();
}

async function post(signal: 'traces' | 'logs', encoding: 'json' | 'proto', body: string | Uint8Array): Promise<number> {
  const type = encoding === 'json' ? 'application/json' : 'application/x-protobuf';
  const res = await fetch(`${base}/v1/${signal}`, { method: 'POST', body, headers: { 'Content-Type': type } });
  await res.arrayBuffer();
  return res.status;
}

async function status(): Promise<StatusResponse> {
  return (await (await fetch(`${base}/api/status`)).json()) as StatusResponse;
}

async function chargeCount(environment: string, service: string): Promise<number> {
  const res = await fetch(`${base}/api/signals?window=1h&environment=${encodeURIComponent(environment)}`);
  assert.equal(res.status, 200, `/api/signals for environment ${environment}`);
  const body = (await res.json()) as SignalsResponse;
  return body.functions.filter((f) => f.function === 'charge' && f.service === service).reduce((n, f) => n + f.count, 0);
}

for (const [decoding, encoding] of [
  ['inline', 'json'],
  ['inline', 'proto'],
  ['workers', 'json'],
  ['workers', 'proto'],
] as const) {
  test(`prototype keys in every string field (${encoding}, decoded ${decoding}): every good span is filed and the counters reconcile`, async () => {
    use(decoding);
    const before = await status();
    const goodBefore = new Map<string, number>();
    for (const k of PROTO_KEYS) goodBefore.set(k, await chargeCount(k, k));
    const checkoutBefore = await chargeCount('prod', 'checkout');
    let good = 0;
    for (const k of PROTO_KEYS) {
      const batch = batchFor(k);
      good += batch.good;
      const payload = encodeSpans(batch.spans);
      assert.equal(await post('traces', encoding, encoding === 'json' ? payload.json : payload.proto), 200, `traces with ${k}`);
      const logs = encodeLogs(await logsFor(k));
      assert.equal(await post('logs', encoding, encoding === 'json' ? logs.json : logs.proto), 200, `logs with ${k}`);
    }
    await rx.pipeline.idle();
    const after = await status();
    assert.equal(after.spansAccepted - before.spansAccepted, PROTO_KEYS.length * (good / PROTO_KEYS.length + 6));
    assert.equal(after.spansProcessed, after.spansAccepted, 'every accepted span was filed');
    assert.equal(after.spansFailed, 0, 'nothing failed while filing');
    assert.equal(after.logsProcessed, after.logsAccepted, 'every accepted log record was filed');
    for (const k of PROTO_KEYS) {
      assert.equal((await chargeCount(k, k)) - goodBefore.get(k)!, GOOD_PER_BATCH, `good spans of the resource named ${k}`);
    }
    assert.equal((await chargeCount('prod', 'checkout')) - checkoutBefore, PROTO_KEYS.length * GOOD_PER_BATCH, 'good spans beside a hostile language');
    // The hostile values are served back as plain strings, never as prototype members.
    const hostile = (await (await fetch(`${base}/api/signals?window=1h&environment=__proto__`)).json()) as SignalsResponse;
    assert.equal(hostile.environment, '__proto__');
    for (const e of hostile.errors) assert.equal(typeof e.type, 'string');
  });
}

for (const decoding of ['inline', 'workers'] as const)
  test(`a span whose filing throws is counted as failed; the rest of its batch is filed (decoded ${decoding})`, async () => {
    use(decoding);
    const before = await status();
    const beforeCount = await chargeCount('prod', 'checkout');
    // A store callback that throws for one error group stands for any bug met while filing one span.
    const previous = rx.store.onNewErrorGroup;
    rx.store.onNewErrorGroup = (group) => {
      if (group.message === 'poison') throw new Error('filing bug');
    };
    try {
      const p = provider({ 'service.name': 'checkout', 'deployment.environment.name': 'prod', 'telemetry.sdk.language': 'nodejs' });
      const bad = p.tracer.startSpan('charge', { attributes: { 'code.function.name': 'charge', 'code.file.path': '/app/src/pay.js', 'code.line.number': 2 } });
      bad.addEvent('exception', { 'exception.type': 'Poison', 'exception.message': 'poison', 'exception.stacktrace': stackOf('poison') });
      bad.end();
      goodSpans(p.tracer, 100);
      const payload = encodeSpans(p.exporter.getFinishedSpans());
      assert.equal(await post('traces', 'json', payload.json), 200);
      await rx.pipeline.idle();
    } finally {
      rx.store.onNewErrorGroup = previous;
    }
    const after = await status();
    assert.equal(after.spansAccepted - before.spansAccepted, 101);
    assert.equal((after.spansFailed ?? 0) - (before.spansFailed ?? 0), 1, 'the poisoned span is counted as failed');
    assert.equal(after.spansProcessed - before.spansProcessed, 100, 'the 100 good spans were filed');
    assert.equal(after.spansProcessed + (after.spansFailed ?? 0), after.spansAccepted, 'processed + failed reconciles with accepted');
    // The bad span itself reached its location before its exception failed; the good ones all did.
    assert.ok((await chargeCount('prod', 'checkout')) - beforeCount >= 100);
  });
