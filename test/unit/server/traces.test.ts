import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SignalsResponse, StatusResponse, TraceResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { hrTime, makeSpans, sendSpans } from './sdkSend';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-traces-'));
let rx: EmbeddedReceiver;
let base = '';

const ORDERS = `async function createOrder(req) {
  const stock = await fetch(\`\${INVENTORY}/stock/\${req.sku}\`);
  return stock;
}

function listOrders() {
  return [];
}
`;

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/orders.js'), ORDERS);
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0, traces: { maxSpans: 8 } });
  await rx.start();
  await rx.indexReady;
  const address = rx.receiver.address()!;
  base = `http://127.0.0.1:${address.port}`;
});
after(async () => {
  await rx.stop();
  rmSync(root, { recursive: true, force: true });
});

async function get<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

const code = (fn: string, line: number) => ({ 'code.function.name': fn, 'code.file.path': '/app/src/orders.js', 'code.line.number': line });

test('status names the workspace the receiver maps against', async () => {
  const { body } = await get<StatusResponse>(`${base}/api/status`);
  assert.equal(body.workspace, path.resolve(root));
});

test("a trace comes back whole, sorted by start, with each span's mapping; the client span's call is attributed", async () => {
  const t0 = Date.now() - 5_000;
  let traceId = '';
  const spans = makeSpans('orders', (tracer) => {
    const server = tracer.startSpan('POST /orders', { kind: SpanKind.SERVER, startTime: hrTime(t0), attributes: code('createOrder', 1) });
    traceId = server.spanContext().traceId;
    const parent = trace.setSpan(context.active(), server);
    const call = tracer.startSpan('GET', { kind: SpanKind.CLIENT, startTime: hrTime(t0 + 5), attributes: { 'url.full': 'http://inventory:7000/stock/991?x=1' } }, parent);
    call.recordException({ name: 'FetchError', message: 'socket hang up' }, hrTime(t0 + 80));
    call.setStatus({ code: SpanStatusCode.ERROR, message: 'socket hang up' });
    call.end(hrTime(t0 + 90));
    server.end(hrTime(t0 + 100));
  });
  // The client span travels first, in its own request: its parent is not known yet.
  await sendSpans(
    base,
    spans.filter((s) => s.kind === SpanKind.CLIENT),
  );
  await sendSpans(
    base,
    spans.filter((s) => s.kind === SpanKind.SERVER),
  );
  await rx.pipeline.idle();

  const { status, body } = await get<TraceResponse>(`${base}/api/traces/${traceId.toUpperCase()}`);
  assert.equal(status, 200);
  assert.equal(body.traceId, traceId);
  assert.deepEqual(
    body.spans.map((s) => [s.name, s.kind]),
    [
      ['POST /orders', 2],
      ['GET', 3],
    ],
  );
  // Matched by path suffix (/app/src/orders.js), hence 0.95 x 0.95.
  assert.deepEqual(body.spans[0].mapping, { file: 'src/orders.js', line: 1, function: 'createOrder', mappedBy: 'code-attributes', confidence: 0.9025 });
  assert.equal(body.spans[1].parentSpanId, body.spans[0].spanId);
  assert.deepEqual([body.spans[1].error, body.spans[1].statusMessage, body.spans[1].exceptions], [true, 'socket hang up', [{ type: 'FetchError', message: 'socket hang up' }]]);
  assert.equal(body.spans[0].durationMs, 100);

  const signals = (await get<SignalsResponse>(`${base}/api/signals?window=5m`)).body;
  assert.deepEqual(
    signals.calls.map((c) => [c.service, c.function, c.file, c.line, c.target, c.lineMatch, c.count, c.errors]),
    [['orders', 'createOrder', 'src/orders.js', 2, 'inventory:7000', 'url', 1, 1]],
  );
});

test('unknown traces answer 404 with a message; malformed ids answer 400', async () => {
  const missing = await get<{ error: string }>(`${base}/api/traces/${'ab'.repeat(16)}`);
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /not held/);
  for (const bad of ['xyz', '0'.repeat(32), `${'a'.repeat(31)}g`, '%E0%A4%A']) {
    const res = await get<{ error: string }>(`${base}/api/traces/${bad}`);
    assert.equal(res.status, 400, bad);
    assert.match(res.body.error, /32 hex digits/);
  }
  const post = await fetch(`${base}/api/traces/${'ab'.repeat(16)}`, { method: 'POST' });
  assert.equal(post.status, 405);
});

test('a trace an exemplar names outlives the ring; an ordinary one does not', async () => {
  const t0 = Date.now() - 60_000;
  const ids: string[] = [];
  const spans = makeSpans('orders', (tracer) => {
    // The first three spans fill listOrders' slowest-three list, so they are pinned; later, faster ones are not.
    const durations = [900, 800, 700, ...Array.from({ length: 20 }, () => 5)];
    durations.forEach((ms, i) => {
      const s = tracer.startSpan('listOrders', { kind: SpanKind.SERVER, startTime: hrTime(t0 + i * 1_000), attributes: code('listOrders', 5) });
      ids.push(s.spanContext().traceId);
      s.end(hrTime(t0 + i * 1_000 + ms));
    });
  });
  await sendSpans(base, spans);
  await rx.pipeline.idle();
  assert.equal((await get<TraceResponse>(`${base}/api/traces/${ids[0]}`)).status, 200, 'the slowest trace is pinned');
  assert.equal((await get<TraceResponse>(`${base}/api/traces/${ids[5]}`)).status, 404, 'a fast trace left the 8-span ring');
  assert.equal((await get<TraceResponse>(`${base}/api/traces/${ids[22]}`)).status, 200, 'the newest trace is in the ring');
  const fns = (await get<SignalsResponse>(`${base}/api/signals?window=5m`)).body.functions;
  const list = fns.find((f) => f.function === 'listOrders')!;
  assert.ok(list.exemplars.some((e) => e.traceId === ids[0]));
});

test('top must be a positive whole number', async () => {
  const bad = await get<{ error: string }>(`${base}/api/signals?top=-1`);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /invalid top/);
  const ok = await get<SignalsResponse>(`${base}/api/signals?top=1`);
  assert.equal(ok.status, 200);
  assert.ok(ok.body.functions.length >= 1 && ok.body.functions.length <= 3);
});
