import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { ReceiverStartError } from '../../../src/core/ingest/otlpReceiver';

const TOKEN = 's3cret';
let rx: EmbeddedReceiver;
let base: string;

function traceJson(count: number, opts: { badIds?: number; service?: string } = {}): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: i < (opts.badIds ?? 0) ? 'nothex' : (i + 1).toString(16).padStart(32, '0'),
    spanId: (i + 1).toString(16).padStart(16, '0'),
    name: 'GET /orders/:id',
    kind: 2,
    startTimeUnixNano: String(now),
    endTimeUnixNano: String(now + 5_000_000n),
    attributes: [{ key: 'code.function.name', value: { stringValue: 'getOrder' } }],
    status: { code: i % 4 === 0 ? 2 : 0 },
  }));
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: opts.service ?? 'orders' } }] },
        scopeSpans: [{ scope: { name: 't' }, spans }],
      },
    ],
  });
}

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(base + path, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers },
  });
}

before(async () => {
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, token: TOKEN, maxBodyBytes: 1024 * 1024, maxQueuedItems: 600, queueWaitMs: 200 });
  await rx.start();
  base = rx.status().listening;
});

after(async () => {
  await rx.stop();
});

test('accepts JSON and gzipped JSON, answering {} in JSON', async () => {
  const plain = await post('/v1/traces', traceJson(10));
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('content-type'), 'application/json');
  assert.deepEqual(await plain.json(), {});
  const zipped = await post('/v1/traces', gzipSync(traceJson(10)), { 'Content-Encoding': 'gzip' });
  assert.equal(zipped.status, 200);
  await rx.pipeline.idle();
  assert.equal(rx.pipeline.stats.spansProcessed >= 20, true);
});

test('reports rejected spans as partial success', async () => {
  const res = await post('/v1/traces', traceJson(5, { badIds: 2 }));
  assert.equal(res.status, 200);
  const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
  assert.equal(body.partialSuccess.rejectedSpans, '2');
  assert.equal(rx.status().spansRejected, 2);
  assert.match(body.partialSuccess.errorMessage, /trace/i);
});

test('malformed bodies get 400 with a message, in the request encoding', async () => {
  const json = await post('/v1/traces', '{"resourceSpans": [');
  assert.equal(json.status, 400);
  const status = (await json.json()) as { code: number; message: string };
  assert.equal(status.code, 3);
  assert.ok(status.message.length > 0);
  const proto = await post('/v1/traces', Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02]), { 'Content-Type': 'application/x-protobuf' });
  assert.equal(proto.status, 400);
  assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
  const badGzip = await post('/v1/traces', Buffer.from('not gzip at all'), { 'Content-Encoding': 'gzip' });
  assert.equal(badGzip.status, 400);
});

test('wrong content type gets 415, wrong method 405, unknown path 404', async () => {
  assert.equal((await post('/v1/traces', 'x', { 'Content-Type': 'text/plain' })).status, 415);
  assert.equal((await post('/v1/traces', 'x', { 'Content-Encoding': 'br' })).status, 415);
  assert.equal((await fetch(`${base}/v1/traces`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 405);
  assert.equal((await post('/v1/profiles', '{}')).status, 404);
});

test('oversized bodies and gzip bombs get 413 without inflating past the cap', async () => {
  const big = await post('/v1/traces', Buffer.alloc(2 * 1024 * 1024, 0x20));
  assert.equal(big.status, 413);
  // 200 MB of zeros compress to ~200 KB: under the cap on the wire, far over it inflated.
  const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024), { level: 9 });
  assert.ok(bomb.length < 1024 * 1024);
  const before = process.memoryUsage().rss;
  const res = await post('/v1/traces', bomb, { 'Content-Encoding': 'gzip' });
  assert.equal(res.status, 413);
  assert.match(((await res.json()) as { message: string }).message, /exceeds the limit of 1048576 bytes/);
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'inflating must stop at the cap');
});

test('requests without the bearer token get 401', async () => {
  const res = await fetch(`${base}/v1/traces`, { method: 'POST', body: traceJson(1), headers: { 'Content-Type': 'application/json' } });
  assert.equal(res.status, 401);
  assert.equal(res.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await fetch(`${base}/api/signals`)).status, 401);
});

test('a full queue answers 429 with Retry-After and loses nothing it accepted', async () => {
  await rx.pipeline.idle();
  const processedBefore = rx.pipeline.stats.spansProcessed;
  rx.pipeline.pause();
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await post('/v1/traces', traceJson(200, { service: 'flood' }));
    statuses.push(res.status);
    if (res.status === 429) assert.equal(res.headers.get('retry-after'), '1');
  }
  rx.pipeline.resume();
  await rx.pipeline.idle();
  const accepted = statuses.filter((s) => s === 200).length;
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  assert.equal(rx.pipeline.stats.spansProcessed - processedBefore, accepted * 200);
  const signals = (await (await fetch(`${base}/api/signals?window=5m`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json()) as { operations: { service: string; count: number }[] };
  assert.equal(signals.operations.find((o) => o.service === 'flood')?.count, accepted * 200);
});

test('a request that finds the queue full waits for room instead of failing at once', async () => {
  await rx.pipeline.idle();
  rx.pipeline.pause();
  for (let i = 0; i < 3; i++) assert.equal((await post('/v1/traces', traceJson(200, { service: 'patient' }))).status, 200);
  const waiting = post('/v1/traces', traceJson(200, { service: 'patient' }));
  setTimeout(() => rx.pipeline.resume(), 50);
  assert.equal((await waiting).status, 200, 'accepted once the queue drained within the wait');
  await rx.pipeline.idle();
});

test('the read API rejects a bad window with 400 and a message', async () => {
  const res = await fetch(`${base}/api/signals?window=forever`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: string }).error, /invalid window "forever"/);
});

test('a port in use is one clear line naming the port and how to change it', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  const second = new EmbeddedReceiver({ host: '127.0.0.1', port, portHint: 'the runtimeLens.receiver.port setting' });
  await assert.rejects(second.start(), (err: Error) => {
    assert.ok(err instanceof ReceiverStartError);
    assert.equal(err.message, `port ${port} on 127.0.0.1 is already in use (another receiver or collector?); choose another with the runtimeLens.receiver.port setting`);
    return true;
  });
  blocker.close();
});
