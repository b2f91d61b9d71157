/**
 * `POST /v1/metrics` on the real receiver: never 404, both encodings, gzip, the token guard,
 * partial success for invalid points, and the real JS SDK's cumulative exports turning into exact
 * operation figures (source 'metrics') on `/api/signals`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { OperationSignal, SignalsResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { sdkMeter, type RecordedRequest } from '../../support/sdkMetrics';

const TOKEN = 'metrics-token';
let rx: EmbeddedReceiver;
let base: string;

before(async () => {
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, token: TOKEN, decodeWorkers: 0 });
  await rx.start();
  base = rx.status().listening;
});

after(async () => {
  await rx.stop();
});

function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/v1/metrics`, { method: 'POST', body, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers } });
}

async function signals(): Promise<SignalsResponse> {
  const res = await fetch(`${base}/api/signals?window=5m&environment=prod`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as SignalsResponse;
}

function row(s: SignalsResponse, service: string, name: string): OperationSignal {
  const found = s.operations.find((o) => o.service === service && o.name === name);
  assert.ok(found, `no operation ${service} ${name} in ${JSON.stringify(s.operations.map((o) => [o.service, o.name]))}`);
  return found;
}

test('/v1/metrics is never 404: empty and foreign metrics are accepted, in both encodings and gzipped', async () => {
  const other = JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'process.cpu.time', sum: { dataPoints: [{ asDouble: 1 }] } }] }] }] });
  for (const [body, headers] of [
    ['{}', {}],
    [other, {}],
    [gzipSync(other), { 'Content-Encoding': 'gzip' }],
    [Buffer.alloc(0), { 'Content-Type': 'application/x-protobuf' }],
  ] as [string | Buffer, Record<string, string>][]) {
    const res = await post(body, headers);
    assert.equal(res.status, 200, await res.text());
  }
  assert.equal((await fetch(`${base}/v1/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 405);
  assert.equal((await post('{}', { Authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await post('{}', { 'Content-Type': 'text/plain' })).status, 415);
  assert.equal((await post('{"resourceMetrics": [')).status, 400);
});

test('invalid duration points are answered as partial success (rejectedDataPoints)', async () => {
  const body = JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bad' } }] },
        scopeMetrics: [
          { metrics: [{ name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '1', count: '2', bucketCounts: ['1'], explicitBounds: [] }] } }] },
        ],
      },
    ],
  });
  const res = await post(body);
  assert.equal(res.status, 200);
  const answer = (await res.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
  assert.equal(answer.partialSuccess.rejectedDataPoints, '1');
  assert.match(answer.partialSuccess.errorMessage, /add up to 1, not the count 2/);
});

for (const encoding of ['protobuf', 'json'] as const) {
  test(`the real JS SDK's ${encoding} exports give exact counts and errors, cumulative turned into deltas`, async () => {
    const service = `shop-${encoding}`;
    const meter = sdkMeter(`${base}/v1/metrics`, encoding, { 'service.name': service, 'deployment.environment.name': 'prod' }, { Authorization: `Bearer ${TOKEN}` });
    const first: RecordedRequest[] = [
      ...Array.from({ length: 7 }, (): RecordedRequest => ({ method: 'GET', route: '/orders/:id', status: 200, seconds: 0.012 })),
      { method: 'GET', route: '/orders/:id', status: 500, seconds: 0.3, errorType: '500' },
      { method: 'GET', route: '/orders/:id', status: 404, seconds: 0.002 },
      { method: 'POST', route: '/orders', status: 201, seconds: 0.08 },
    ];
    meter.record(first);
    await meter.flush();
    let s = await signals();
    const orders = row(s, service, 'GET /orders/:id');
    assert.deepEqual([orders.count, orders.errors, orders.source, orders.kind], [9, 1, 'metrics', 2]);
    assert.ok(orders.p50Ms >= 10 && orders.p50Ms <= 25, `p50 ${orders.p50Ms} within the 10-25 ms bucket`);
    assert.equal(row(s, service, 'POST /orders').count, 1);
    // The next export carries the totals again: only the new requests count.
    meter.record([
      { method: 'GET', route: '/orders/:id', status: 503, seconds: 0.05, errorType: '503' },
      { method: 'POST', route: '/orders', status: 201, seconds: 0.07 },
    ]);
    await meter.flush();
    s = await signals();
    assert.deepEqual([row(s, service, 'GET /orders/:id').count, row(s, service, 'GET /orders/:id').errors], [10, 2]);
    assert.equal(row(s, service, 'POST /orders').count, 2);
    await meter.shutdown();
  });
}

test('status counts the metric points accepted', () => {
  assert.ok((rx.status().metricPointsAccepted ?? 0) >= 8);
});
