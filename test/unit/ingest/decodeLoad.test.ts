import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddedReceiver, type EmbeddedReceiverOptions } from '../../../src/core/server/embeddedReceiver';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { encodeSpans, realisticSpans } from './sdkPayloads';

async function withReceiver(options: Partial<EmbeddedReceiverOptions>, run: (base: string, rx: EmbeddedReceiver) => Promise<void>): Promise<void> {
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, ...options });
  await rx.start();
  try {
    await run(rx.status().listening, rx);
  } finally {
    await rx.stop();
  }
}

function post(base: string, body: string | Uint8Array, type = 'application/json'): Promise<Response> {
  return fetch(`${base}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': type } });
}

/** `n` small SDK spans (a name and two attributes), protobuf-encoded by the exporter's serializer. */
function smallSpansProto(n: number): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bulk' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bulk');
  for (let i = 0; i < n; i++) tracer.startSpan('GET /items/:id', { attributes: { 'code.function.name': 'getItem', 'http.route': '/items/:id' } }).end();
  return encodeSpans(exporter.getFinishedSpans()).proto;
}

/** A valid OTLP/JSON request of one span with ~`mb` MB of small attributes nobody reads: cheap to send, heavy for JSON.parse. */
function heavyJson(mb: number): string {
  const attrs = Array.from({ length: Math.floor((mb * 1024 * 1024) / 40) }, (_, i) => `{"key":"k${i % 100}","value":{"intValue":${i % 10}}}`);
  return `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'a'.repeat(32)}","spanId":"${'b'.repeat(16)}","name":"heavy","attributes":[${attrs.join(',')}]}]}]}]}`;
}

/** A valid OTLP/JSON request of `n` spans, each named apart: every one becomes a record, whichever decoder reads it. */
function manySpansJson(n: number): string {
  const spans = Array.from({ length: n }, (_, i) => `{"traceId":"${(i + 1).toString(16).padStart(32, 'a')}","spanId":"${(i + 1).toString(16).padStart(16, 'b')}","name":"op ${i}"}`);
  return `{"resourceSpans":[{"scopeSpans":[{"spans":[${spans.join(',')}]}]}]}`;
}

function smallJson(i: number, n = 5): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: n }, (_, k) => ({
    traceId: (i * 100 + k + 1).toString(16).padStart(32, 'c'),
    spanId: (i * 100 + k + 1).toString(16).padStart(16, 'd'),
    name: 'GET /ok',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 1_000_000n),
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'normal' } }] }, scopeSpans: [{ spans }] }] });
}

/** Waits for a state of the receiver (not a time); gives up after a generous while so a broken receiver fails instead of hanging. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the receiver never reached the expected state');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('a JSON batch of 50k spans and a protobuf batch of 200k spans under the 64 MiB cap get 200 and are filed', async () => {
  const json = encodeSpans(realisticSpans(50_000)).json;
  const proto = smallSpansProto(200_000);
  assert.ok(json.length < 64 * 1024 * 1024 && proto.length < 64 * 1024 * 1024, 'both under the default body cap');
  await withReceiver({ maxQueuedItems: 20_000 }, async (base, rx) => {
    const j = await post(base, json);
    assert.equal(j.status, 200, await j.text());
    const p = await post(base, proto, 'application/x-protobuf');
    assert.equal(
      p.status,
      200,
      Buffer.from(await p.arrayBuffer())
        .toString('latin1')
        .slice(0, 300),
    );
    await rx.pipeline.idle();
    assert.equal(rx.pipeline.stats.spansProcessed, 250_000);
  });
});

test('a batch that kills its decode worker fails alone: the other client gets 200 for every request and its spans are filed', async () => {
  // One worker with a small heap, so every request queues behind the killer on the same worker.
  await withReceiver({ decodeWorkers: 1, decodeHeapMb: 32 }, async (base, rx) => {
    const killer = post(base, manySpansJson(240_000));
    // Send the normal client's requests while the killer is being decoded.
    const receiver = rx.receiver as unknown as { decoders: { decoding: number } };
    await until(() => receiver.decoders.decoding > 0);
    const normal = await Promise.all(Array.from({ length: 20 }, (_, i) => post(base, smallJson(i))));
    const statuses = normal.map((r) => r.status);
    assert.deepEqual(
      statuses,
      Array.from({ length: 20 }, () => 200),
    );
    const k = await killer;
    assert.equal(k.status, 413, 'the batch that exhausted the heap is told to send smaller batches');
    assert.match(((await k.json()) as { message: string }).message, /too large to decode/);
    await rx.pipeline.idle();
    assert.equal(rx.pipeline.stats.spansProcessed, 100);
    // The pool is whole again: a later request decodes.
    assert.equal((await post(base, smallJson(99))).status, 200);
    // What JSON.parse could not hold in this heap (a tree of 600k objects) the byte decoder skips.
    assert.equal((await post(base, heavyJson(24))).status, 200);
  });
});

test('a request with more items than the per-request cap gets 413 before its records are built', async () => {
  await withReceiver({ decodeWorkers: 0 }, async (base) => {
    const res = await post(base, smallSpansProto(250_001), 'application/x-protobuf');
    assert.equal(res.status, 413);
  });
});

test('a decode backlog sheds new requests with 503 and Retry-After instead of queueing them', async () => {
  await withReceiver({ decodeWorkers: 1, maxDecodeBacklogBytes: 256 * 1024 }, async (base, rx) => {
    const receiver = rx.receiver as unknown as { decoders: { decoding: number; backlogBytes: number } };
    const slow = post(base, heavyJson(12));
    await until(() => receiver.decoders.decoding > 0);
    // These queue behind the slow body until the backlog passes the limit; the rest are shed.
    const queued = post(base, heavyJson(0.5));
    await until(() => receiver.decoders.backlogBytes > 256 * 1024);
    const shed = await Promise.all(Array.from({ length: 5 }, (_, i) => post(base, smallJson(i))));
    for (const r of shed) {
      assert.equal(r.status, 503);
      assert.equal(r.headers.get('retry-after'), '1');
    }
    assert.equal((await slow).status, 200);
    assert.equal((await queued).status, 200);
  });
});
