import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { IngestPipeline } from '../../../src/core/sources/ingestPipeline';
import { emptyCode, type SpanRecord } from '../../../src/core/ingest/records';
import { peerParts } from '../../../src/core/mapping/callLines';
import { CallSites } from '../../../src/core/mapping/callSites';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { workspaceReader, WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { OutgoingCalls } from '../../../src/core/signals/outgoingCalls';
import { SignalStore } from '../../../src/core/signals/signalStore';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { span, TestClock } from '../../support/records';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-calls-'));
let index: WorkspaceIndex;

const CHECKOUT = `async function checkout(order) {
  const stock = await fetch(\`\${INVENTORY}/stock/\${order.sku}\`);
  const receipt = await fetch(\`\${PAYMENTS}/charges\`, { method: 'POST' });
  return { stock, receipt };
}

async function notify(order) {
  const body = JSON.stringify(order);
  return fetch(MAILER_URL, { method: 'POST', body });
}

function total(order) {
  return order.items.length;
}
`;

// An inline handler: a route-mapped span points at the registration line, which starts no indexed function.
const SERVER = `const app = express();
app.get('/price/:item', async (req, res) => {
  const r = await fetch(pricingUrl(req.params.item));
  res.json(await r.json());
});
app.listen(8080);
`;

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/checkout.js'), CHECKOUT);
  writeFileSync(path.join(root, 'src/server.js'), SERVER);
  index = (await WorkspaceIndex.build(root)).index;
});
after(() => rmSync(root, { recursive: true, force: true }));

function setup(options: { maxPending?: number } = {}) {
  // spans are stamped at BASE and the store's clock reads a little later: however slow the machine,
  // no span ends after the store's now (a real-time stamp against a fixed clock did, under load)
  const clock = new TestClock(BASE + 60_000);
  const store = new SignalStore({}, clock);
  const traces = new TraceBuffer({ maxSpans: 1_000 });
  const sites = new CallSites(index.functions, workspaceReader(root));
  const calls = new OutgoingCalls(store, traces, sites, { pendingTtlMs: 10_000, ...options }, clock);
  const pipeline = new IngestPipeline(store, new CodeMapper(index), 10_000, Promise.resolve(), undefined, { traces, calls });
  const send = async (spans: SpanRecord[]) => {
    pipeline.offer({ spans, logs: [], rejected: 0, rejectReasons: [] });
    await pipeline.idle();
  };
  return { clock, store, calls, send };
}

let seq = 0x100;
const BASE = Date.now();
function parentOf(fn: string, line: number): SpanRecord {
  seq++;
  return span({ startMs: BASE, spanId: seq.toString(16).padStart(16, '0'), name: fn, kind: 1, code: { ...emptyCode(), function: fn, file: '/app/src/checkout.js', line } });
}

function client(parent: SpanRecord, peer: string, durationMs = 40, error = false): SpanRecord {
  seq++;
  return span({ startMs: BASE, traceId: parent.traceId, spanId: seq.toString(16).padStart(16, '0'), parentSpanId: parent.spanId, name: 'GET', kind: 3, peer, durationMs, error });
}

test('a client span whose parent was filed earlier is tied to the line naming its URL path', async () => {
  const { store, send } = setup();
  const parent = parentOf('checkout', 1);
  await send([parent]);
  await send([client(parent, 'http://inventory:7000/stock/881', 40), client(parent, 'http://inventory:7000/stock/882', 60, true)]);
  await send([client(parent, 'https://payments.example.com/charges', 300)]);
  const calls = store.query({ windowMs: 300_000 }).calls;
  assert.deepEqual(
    calls.map((c) => [c.function, c.file, c.line, c.target, c.lineMatch, c.count, c.errors]),
    [
      ['checkout', 'src/checkout.js', 3, 'payments.example.com', 'url', 1, 0],
      ['checkout', 'src/checkout.js', 2, 'inventory:7000', 'url', 2, 1],
    ],
  );
  assert.equal(calls[1].errorRate, 0.5);
  assert.ok(calls[0].p95Ms >= 290 && calls[0].p95Ms <= 310, `p95 ${calls[0].p95Ms}`);
});

test('a client span filed before its parent waits for it, across batches', async () => {
  const { store, calls, send } = setup();
  const parent = parentOf('notify', 7);
  await send([client(parent, 'http://mailer.internal/send', 25)]);
  assert.equal(calls.pendingSize, 1);
  assert.equal(store.query({ windowMs: 300_000 }).calls.length, 0);
  await send([parentOf('total', 12), parent]);
  assert.equal(calls.pendingSize, 0);
  const got = store.query({ windowMs: 300_000 }).calls;
  assert.deepEqual(
    got.map((c) => [c.function, c.line, c.target, c.lineMatch]),
    [['notify', 9, 'mailer.internal', 'only-call']],
  );
});

test('a call from a function without call lines falls back to the function line; unmapped parents are dropped', async () => {
  const { store, calls, send } = setup();
  const parent = parentOf('total', 12);
  const unmapped = span({ startMs: BASE, spanId: 'fedcba9876543210', name: 'no such function', kind: 1 });
  await send([parent, unmapped, client(parent, 'db.internal:5432'), client(unmapped, 'db.internal:5432')]);
  const got = store.query({ windowMs: 300_000 }).calls;
  assert.deepEqual(
    got.map((c) => [c.function, c.line, c.target, c.lineMatch]),
    [['total', 12, 'db.internal:5432', 'function']],
  );
  assert.equal(calls.dropped, 1);
});

test('waiting calls expire after their time to live and are bounded in number', async () => {
  const { clock, calls, send, store } = setup({ maxPending: 3 });
  const parents = [1, 2, 3, 4, 5].map(() => parentOf('checkout', 1));
  await send(parents.map((p) => client(p, 'http://inventory/stock/1')));
  assert.equal(calls.pendingSize, 3, 'the oldest were dropped to stay within the bound');
  clock.t += 11_000;
  await send([parentOf('total', 12)]);
  assert.equal(calls.pendingSize, 0, 'expired');
  await send([parents[4]]);
  assert.equal(store.query({ windowMs: 300_000 }).calls.length, 0, 'an expired call is not filed when its parent comes late');
});

test('calls are listed per file, and a file query reads only that file', async () => {
  const { store, send } = setup();
  const parent = parentOf('checkout', 1);
  await send([parent, client(parent, 'http://inventory/stock/1')]);
  assert.equal(store.query({ windowMs: 300_000, file: 'src/checkout.js' }).calls.length, 1);
  assert.equal(store.query({ windowMs: 300_000, file: 'src/other.js' }).calls.length, 0);
  assert.equal(store.lastQueryExamined, 0);
});

test('calls survive a snapshot round trip', async () => {
  const { store, send } = setup();
  const parent = parentOf('checkout', 1);
  await send([parent, client(parent, 'http://inventory/stock/1')]);
  const copy = new SignalStore();
  copy.restore(JSON.parse(JSON.stringify(store.toState())));
  assert.deepEqual(
    copy.query({ windowMs: 300_000, environment: 'production' }).calls.map((c) => [c.line, c.target, c.count]),
    [[2, 'inventory', 1]],
  );
});

function child(parent: SpanRecord, fields: Partial<SpanRecord>): SpanRecord {
  seq++;
  return span({ startMs: BASE, traceId: parent.traceId, spanId: seq.toString(16).padStart(16, '0'), parentSpanId: parent.spanId, ...fields });
}

test('a call under framework spans that map to no function is tied to the nearest mapped ancestor, whatever the order', async () => {
  const { store, calls, send } = setup();
  // Filed in order: handler, router layer, call.
  const handler = parentOf('notify', 7);
  const layer = child(handler, { name: 'request handler - /notify', kind: 1 });
  await send([handler, layer, child(layer, { name: 'POST', kind: 3, peer: 'http://mailer.internal/send', httpMethod: 'POST' })]);
  // Children first, each in its own batch: call, layer, handler.
  const late = parentOf('notify', 7);
  const lateLayer = child(late, { name: 'router - /', kind: 1 });
  await send([child(lateLayer, { name: 'POST', kind: 3, peer: 'http://mailer.internal/send', httpMethod: 'POST' })]);
  await send([lateLayer]);
  assert.equal(calls.pendingSize, 1, "the call now waits for the layer's parent");
  await send([late]);
  assert.equal(calls.pendingSize, 0);
  assert.deepEqual(
    store.query({ windowMs: 300_000 }).calls.map((c) => [c.function, c.line, c.target, c.lineMatch, c.count]),
    [['notify', 9, 'mailer.internal', 'only-call', 2]],
  );
  assert.equal(calls.dropped, 0);
});

test('a client span under another client span is the same call: counted once, not dropped', async () => {
  const { store, calls, send } = setup();
  const parent = parentOf('checkout', 1);
  const outer = client(parent, 'http://inventory:7000/stock/1');
  const inner = child(outer, { name: 'GET', kind: 3, peer: 'inventory:7000' });
  await send([inner]);
  await send([outer]);
  await send([parent]);
  const innerAfter = child(outer, { name: 'GET', kind: 3, peer: 'inventory:7000' });
  await send([innerAfter]);
  assert.deepEqual(
    store.query({ windowMs: 300_000 }).calls.map((c) => [c.line, c.target, c.count]),
    [[2, 'inventory:7000', 1]],
  );
  assert.deepEqual([calls.nested, calls.dropped, calls.pendingSize], [2, 0, 0]);
});

test('a call whose ancestors all map to no function is dropped once its root is filed', async () => {
  const { store, calls, send } = setup();
  const root = span({ startMs: BASE, spanId: 'abcdefabcdef0001', name: 'no such function', kind: 2 });
  const layer = child(root, { name: 'middleware - query', kind: 1 });
  await send([child(layer, { name: 'GET', kind: 3, peer: 'http://x/y' })]);
  await send([layer, root]);
  assert.deepEqual([calls.dropped, calls.pendingSize, store.query({ windowMs: 300_000 }).calls.length], [1, 0, 0]);
});

test("the span's HTTP method picks between two calls whose URL is not written on their lines", async () => {
  const { store, send } = setup();
  const parent = parentOf('checkout', 1);
  await send([parent, client(parent, 'http://elsewhere:9000/unknown')]);
  await send([child(parent, { name: 'POST', kind: 3, peer: 'http://elsewhere:9000/unknown', httpMethod: 'POST' })]);
  // checkout's fetches: line 2 (GET, no options) and line 3 (method: 'POST'); a span without a method decides nothing.
  assert.deepEqual(
    store
      .query({ windowMs: 300_000 })
      .calls.map((c) => [c.line, c.lineMatch])
      .sort(),
    [
      [1, 'function'],
      [3, 'only-call'],
    ],
  );
});

test('a call from an inline handler (mapped to its registration line) lands on its line inside the handler', async () => {
  const sites = new CallSites(index.functions, workspaceReader(root));
  const caller = { file: 'src/server.js', line: 2, function: 'GET /price/:item handler', mappedBy: 'route' as const, confidence: 0.7 };
  assert.deepEqual(await sites.resolve(caller, peerParts('http://pricing:7001/price/pear', 'GET')), { file: 'src/server.js', line: 3, function: 'GET /price/:item handler', lineMatch: 'only-call' });
  const listen = { ...caller, line: 6, function: 'app' };
  assert.equal((await sites.resolve(listen, peerParts('http://pricing:7001/price/pear', 'GET'))).lineMatch, 'function', 'a line that registers no inline handler keeps the function line');
});
