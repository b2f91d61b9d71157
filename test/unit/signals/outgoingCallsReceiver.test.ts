import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { context, SpanKind, trace } from '@opentelemetry/api';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { hrTime, makeSpans, sendSpans } from '../server/sdkSend';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-calls-rx-'));
let rx: EmbeddedReceiver;
let base = '';

// The URLs come from configuration: no line names a peer, so the method decides the line.
const SHOP = `async function price(req, res) {
  const r = await fetch(pricingUrl(req.params.item));
  await fetch(auditUrl, { method: 'POST', body: JSON.stringify({ item: req.params.item }) });
  res.json(await r.json());
}
`;

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/shop.js'), SHOP);
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: root, decodeWorkers: 0 });
  await rx.start();
  await rx.indexReady;
  base = `http://127.0.0.1:${rx.receiver.address()!.port}`;
});
after(async () => {
  await rx.stop();
  rmSync(root, { recursive: true, force: true });
});

test('calls made under a framework span arrive before it and their handler, and still land on their lines', async () => {
  const t0 = Date.now() - 5_000;
  const spans = makeSpans('shop', (tracer) => {
    // As Express under auto-instrumentations-node nests them: server span, `request handler`
    // layer (no code attributes, maps to no function), then the fetches the handler makes;
    // the GET's socket-level client span sits under it (a second instrumentation of one call).
    const server = tracer.startSpan('GET /price/:item', {
      kind: SpanKind.SERVER,
      startTime: hrTime(t0),
      attributes: { 'code.function.name': 'price', 'code.file.path': '/srv/src/shop.js', 'code.line.number': 1, 'http.request.method': 'GET' },
    });
    const layer = tracer.startSpan('request handler - /price/:item', { kind: SpanKind.INTERNAL, startTime: hrTime(t0 + 1), attributes: { 'express.type': 'request_handler' } }, trace.setSpan(context.active(), server));
    const inLayer = trace.setSpan(context.active(), layer);
    const get = tracer.startSpan('GET', { kind: SpanKind.CLIENT, startTime: hrTime(t0 + 2), attributes: { 'http.request.method': 'GET', 'url.full': 'http://pricing:7001/price/pear' } }, inLayer);
    const socket = tracer.startSpan(
      'GET',
      { kind: SpanKind.CLIENT, startTime: hrTime(t0 + 3), attributes: { 'http.request.method': 'GET', 'server.address': 'pricing', 'server.port': 7001 } },
      trace.setSpan(context.active(), get),
    );
    socket.end(hrTime(t0 + 20));
    get.end(hrTime(t0 + 21));
    const post = tracer.startSpan('POST', { kind: SpanKind.CLIENT, startTime: hrTime(t0 + 22), attributes: { 'http.request.method': 'POST', 'url.full': 'http://audit:7002/log' } }, inLayer);
    post.end(hrTime(t0 + 30));
    layer.end(hrTime(t0 + 31));
    server.end(hrTime(t0 + 32));
  });
  const byName = (name: string, kind: SpanKind) => spans.filter((s) => s.name === name && s.kind === kind);
  // Children end first, and a batch processor exports them first: one request each, innermost first.
  await sendSpans(base, byName('GET', SpanKind.CLIENT));
  await sendSpans(base, byName('POST', SpanKind.CLIENT));
  await sendSpans(base, byName('request handler - /price/:item', SpanKind.INTERNAL));
  await sendSpans(base, byName('GET /price/:item', SpanKind.SERVER));
  await rx.pipeline.idle();

  const res = await fetch(`${base}/api/signals?window=5m`);
  const signals = (await res.json()) as SignalsResponse;
  assert.deepEqual(
    signals.calls.map((c) => [c.function, c.file, c.line, c.target, c.lineMatch, c.count]).sort((a, b) => Number(a[2]) - Number(b[2])),
    [
      ['price', 'src/shop.js', 2, 'pricing:7001', 'only-call', 1],
      ['price', 'src/shop.js', 3, 'audit:7002', 'only-call', 1],
    ],
  );
});
