/**
 * Decoding `/v1/metrics` bodies: the exact bytes the real JS SDK's OTLP metrics exporters send
 * (JSON and protobuf), and hand-built bodies for every validation rule.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeMetricsRequestJson } from '../../../src/core/ingest/otlpMetricsJson';
import { decodeMetricsRequestProto } from '../../../src/core/ingest/otlpMetricsProto';
import { DecodeError } from '../../../src/core/ingest/records';
import type { DecodedMetrics, RouteHistogramPoint } from '../../../src/core/ingest/metricRecords';
import { captureEndpoint, sdkMeter, type CapturedBody, type RecordedRequest } from '../../support/sdkMetrics';

const REQUESTS: RecordedRequest[] = [
  { method: 'GET', route: '/orders/:id', status: 200, seconds: 0.004 },
  { method: 'GET', route: '/orders/:id', status: 200, seconds: 0.006 },
  { method: 'GET', route: '/orders/:id', status: 200, seconds: 0.03 },
  { method: 'GET', route: '/orders/:id', status: 500, seconds: 0.2, errorType: '500' },
  { method: 'POST', route: '/orders', status: 201, seconds: 0.05 },
];

const bodies = new Map<'json' | 'protobuf', CapturedBody>();

before(async () => {
  for (const encoding of ['json', 'protobuf'] as const) {
    const endpoint = await captureEndpoint();
    const meter = sdkMeter(endpoint.url, encoding, { 'service.name': 'shop', 'deployment.environment.name': 'prod' });
    meter.record(REQUESTS);
    await meter.flush();
    await meter.shutdown();
    await endpoint.stop();
    assert.ok(endpoint.bodies.length >= 1, `the ${encoding} exporter sent nothing`);
    bodies.set(encoding, endpoint.bodies[0]);
  }
});

function decode(encoding: 'json' | 'protobuf'): DecodedMetrics {
  const captured = bodies.get(encoding)!;
  return encoding === 'json' ? decodeMetricsRequestJson(captured.body.toString('utf8')) : decodeMetricsRequestProto(captured.body);
}

function pointOf(d: DecodedMetrics, method: string, route: string, status: number): RouteHistogramPoint {
  const p = d.points.find((x) => x.method === method && x.route === route && x.statusCode === status);
  assert.ok(p, `no point for ${method} ${route} ${status} in ${JSON.stringify(d.points.map((x) => [x.method, x.route, x.statusCode]))}`);
  return p;
}

for (const encoding of ['json', 'protobuf'] as const) {
  test(`decodes the real SDK's ${encoding} export: one point per series, latencies in ms`, () => {
    assert.match(bodies.get(encoding)!.contentType, encoding === 'json' ? /json/ : /protobuf/);
    const d = decode(encoding);
    assert.equal(d.rejected, 0, d.rejectReasons.join('; '));
    assert.equal(d.points.length, 3);
    // The counter is another metric: accepted, ignored, counted.
    assert.equal(d.ignored, 1);
    const ok = pointOf(d, 'GET', '/orders/:id', 200);
    assert.equal(ok.metric, 'http.server.request.duration');
    assert.equal(ok.resource.service, 'shop');
    assert.equal(ok.resource.environment, 'prod');
    assert.equal(ok.temporality, 2, 'the SDK default is cumulative');
    assert.equal(ok.count, 3);
    assert.ok(Math.abs(ok.sumMs - 40) < 1e-6, `sum ${ok.sumMs}`);
    assert.deepEqual(ok.boundsMs.slice(0, 3), [5, 10, 25]);
    assert.equal(ok.bucketCounts.length, ok.boundsMs.length + 1);
    assert.deepEqual(ok.bucketCounts.slice(0, 4), [1, 1, 0, 1]);
    assert.ok(ok.startMs > 0 && ok.timeMs >= ok.startMs);
    const failed = pointOf(d, 'GET', '/orders/:id', 500);
    assert.equal(failed.errorType, '500');
    assert.equal(failed.count, 1);
    assert.equal(pointOf(d, 'POST', '/orders', 201).count, 1);
    // Series differ by their attributes, so their identities do.
    assert.equal(new Set(d.points.map((p) => p.seriesKey)).size, 3);
  });
}

test('JSON and protobuf give the same figures for the same export', () => {
  const strip = (d: DecodedMetrics) =>
    d.points.map(({ seriesKey: _k, startMs: _s, timeMs: _t, ...rest }) => rest).sort((a, b) => `${a.method}${a.route}${a.statusCode}`.localeCompare(`${b.method}${b.route}${b.statusCode}`));
  assert.deepEqual(strip(decode('json')), strip(decode('protobuf')));
});

/** A JSON export request with one histogram metric holding `point`. */
function histogramJson(point: Record<string, unknown>, metric: Record<string, unknown> = {}): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeMetrics: [
          {
            scope: { name: 'x' },
            metrics: [
              {
                name: 'http.server.duration',
                unit: 'ms',
                histogram: { aggregationTemporality: 'AGGREGATION_TEMPORALITY_CUMULATIVE', dataPoints: [point] },
                ...metric,
              },
            ],
          },
        ],
      },
    ],
  });
}

const GOOD = {
  attributes: [
    { key: 'http.method', value: { stringValue: 'GET' } },
    { key: 'http.route', value: { stringValue: '/x' } },
    { key: 'http.status_code', value: { intValue: '503' } },
  ],
  startTimeUnixNano: '1700000000000000000',
  timeUnixNano: '1700000060000000000',
  count: '3',
  sum: 30,
  bucketCounts: ['1', '2', '0'],
  explicitBounds: [5, 50],
};

test('the older http.server.duration (ms) with its old attribute names', () => {
  const d = decodeMetricsRequestJson(histogramJson(GOOD));
  assert.equal(d.rejected, 0, d.rejectReasons.join('; '));
  const p = d.points[0];
  assert.equal(p.metric, 'http.server.duration');
  assert.equal(p.method, 'GET');
  assert.equal(p.statusCode, 503);
  assert.deepEqual(p.boundsMs, [5, 50]);
  assert.equal(p.sumMs, 30);
  assert.equal(p.timeMs, 1700000060000);
});

test('invalid data points are rejected with a reason, the rest of the request is kept', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...GOOD, bucketCounts: ['1', '2'] }, /2 bucket counts need 1 explicit bounds, got 2/],
    [{ ...GOOD, count: '4' }, /add up to 3, not the count 4/],
    [{ ...GOOD, count: '-3' }, /count is not a whole number/],
    [{ ...GOOD, sum: -1 }, /sum is not a finite number >= 0/],
    [{ ...GOOD, sum: 'Infinity' }, /sum is not a finite number >= 0/],
    [{ ...GOOD, explicitBounds: [50, 5] }, /not strictly ascending/],
    [{ ...GOOD, explicitBounds: [5, 'NaN'] }, /not a finite number/],
    [{ ...GOOD, bucketCounts: ['1', '2.5', '0'], count: '3.5' }, /not a whole number/],
    [{ ...GOOD, timeUnixNano: undefined }, /missing timeUnixNano/],
    [{ ...GOOD, startTimeUnixNano: {} }, /startTimeUnixNano/],
    [{ ...GOOD, bucketCounts: Array.from({ length: 600 }, () => '0'), explicitBounds: Array.from({ length: 599 }, (_, i) => i), count: '0' }, /600 buckets, more than 512/],
  ];
  for (const [point, reason] of cases) {
    const d = decodeMetricsRequestJson(histogramJson(point));
    assert.equal(d.points.length, 0, `accepted ${JSON.stringify(point)}`);
    assert.equal(d.rejected, 1);
    assert.match(d.rejectReasons[0], reason);
  }
  const unspecified = decodeMetricsRequestJson(histogramJson(GOOD, { histogram: { aggregationTemporality: 0, dataPoints: [GOOD] } }));
  assert.match(unspecified.rejectReasons[0], /neither delta \(1\) nor cumulative \(2\)/);
});

test('points flagged "no recorded value", exponential histograms and other metrics are ignored, not rejected', () => {
  const flagged = decodeMetricsRequestJson(histogramJson({ ...GOOD, flags: 1 }));
  assert.deepEqual([flagged.points.length, flagged.rejected, flagged.ignored], [0, 0, 1]);
  const exponential = decodeMetricsRequestJson(histogramJson(GOOD, { histogram: undefined, exponentialHistogram: { dataPoints: [{}] } }));
  assert.deepEqual([exponential.points.length, exponential.rejected, exponential.ignored], [0, 0, 1]);
  const other = decodeMetricsRequestJson(histogramJson(GOOD, { name: 'db.client.operation.duration' }));
  assert.deepEqual([other.points.length, other.rejected, other.ignored], [0, 0, 1]);
});

test('attribute order does not change a series identity; any attribute value does', () => {
  const a = decodeMetricsRequestJson(histogramJson(GOOD)).points[0];
  const b = decodeMetricsRequestJson(histogramJson({ ...GOOD, attributes: [...GOOD.attributes].reverse() })).points[0];
  const c = decodeMetricsRequestJson(histogramJson({ ...GOOD, attributes: [...GOOD.attributes, { key: 'server.port', value: { intValue: 8081 } }] })).points[0];
  assert.equal(a.seriesKey, b.seriesKey);
  assert.notEqual(a.seriesKey, c.seriesKey);
});

test('broken bodies throw DecodeError; an empty request is fine', () => {
  assert.throws(() => decodeMetricsRequestJson('{"resourceMetrics": ['), DecodeError);
  assert.throws(() => decodeMetricsRequestJson('[]'), DecodeError);
  assert.throws(() => decodeMetricsRequestJson('{"resourceMetrics": 3}'), DecodeError);
  assert.throws(() => decodeMetricsRequestProto(Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02])), DecodeError);
  const truncated = bodies.get('protobuf')!.body.subarray(0, bodies.get('protobuf')!.body.length - 3);
  assert.throws(() => decodeMetricsRequestProto(truncated), DecodeError);
  assert.deepEqual(decodeMetricsRequestJson('{}'), { points: [], ignored: 0, rejected: 0, rejectReasons: [] });
  assert.deepEqual(decodeMetricsRequestProto(new Uint8Array(0)), { points: [], ignored: 0, rejected: 0, rejectReasons: [] });
});

after(() => bodies.clear());
