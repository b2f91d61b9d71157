/**
 * The metric exports the real SDKs sent in the conformance runs (test/fixtures/otlp-recorded:
 * Python opentelemetry-instrument on Flask, the Java agent, Go otelhttp, Node auto-instrumentations),
 * replayed in order into the route metrics: nothing is rejected, every route is named as its spans
 * name it, and the deltas of the cumulative exports add up to exactly the last totals sent.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { DecodedMetrics } from '../../../src/core/ingest/metricRecords';
import { decodeMetricsRequestJson } from '../../../src/core/ingest/otlpMetricsJson';
import { decodeMetricsRequestProto } from '../../../src/core/ingest/otlpMetricsProto';
import { RouteMetrics } from '../../../src/core/signals/routeMetrics';
import { repoRoot } from '../../support/harness';

const ROOT = join(repoRoot, 'test', 'fixtures', 'otlp-recorded');
/** A route each stack's traffic script serves, as the stack's spans name its operation. */
const EXPECTED_ROUTE: Record<string, string> = { python: 'GET /price/<item>', java: 'GET /price/{item}', go: 'GET /price/{item}', node: 'GET /price/:item' };

function metricExports(stack: string): DecodedMetrics[] {
  const file = join(ROOT, stack, 'export.jsonl');
  const out: DecodedMetrics[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { path: string; contentType: string; contentEncoding: string; bodyBase64: string };
    if (r.path !== '/v1/metrics') continue;
    let body = Buffer.from(r.bodyBase64, 'base64');
    if (r.contentEncoding === 'gzip') body = gunzipSync(body);
    out.push(r.contentType.includes('json') ? decodeMetricsRequestJson(body.toString('utf8')) : decodeMetricsRequestProto(body));
  }
  return out;
}

// The conformance runs' stacks (other recordings there, like node-headers, hold traces only).
const stacks = existsSync(ROOT) ? readdirSync(ROOT).filter((s) => Object.hasOwn(EXPECTED_ROUTE, s) && existsSync(join(ROOT, s, 'export.jsonl'))) : [];

test('the recorded conformance exports are there to replay', () => {
  assert.deepEqual(stacks.sort(), Object.keys(EXPECTED_ROUTE).sort(), `recorded exports under ${ROOT}`);
});

for (const stack of stacks) {
  test(`${stack}: the SDK's metric exports give per-route totals equal to its last cumulative export`, () => {
    const exports = metricExports(stack);
    assert.ok(exports.length > 0, `${stack} recorded no /v1/metrics export`);
    const points = exports.flatMap((e) => e.points);
    assert.deepEqual(
      exports.flatMap((e) => e.rejectReasons),
      [],
    );
    // The receiver was listening before the service started, as in the conformance run.
    let now = Math.min(...points.map((p) => p.startMs)) - 1_000;
    const store = new RouteMetrics({}, { now: () => now });
    now = Math.max(...points.map((p) => p.timeMs)) + 1_000;
    for (const e of exports) store.record(e);

    // What the last export of each series says, added up per route: the truth the deltas must reach.
    const last = new Map<string, (typeof points)[number]>();
    for (const p of points) if ((last.get(p.seriesKey)?.timeMs ?? -1) < p.timeMs) last.set(p.seriesKey, p);
    const hasStable = points.some((p) => p.metric === 'http.server.request.duration');
    const expected = new Map<string, { count: number; errors: number }>();
    for (const p of last.values()) {
      if (p.route === '' || (hasStable && p.metric !== 'http.server.request.duration')) continue;
      const name = `${p.method} ${p.route}`;
      const e = expected.get(name) ?? { count: 0, errors: 0 };
      e.count += p.count;
      if (p.statusCode >= 500 || p.errorType !== '') e.errors += p.count;
      expected.set(name, e);
    }
    const environment = points[0].resource.environment;
    const rows = store.rows(environment, 3_600_000);
    assert.deepEqual(new Map(rows.map((r) => [r.name, { count: r.count, errors: r.errors }])), expected);
    const price = rows.find((r) => r.name === EXPECTED_ROUTE[stack]);
    assert.ok(price, `${stack}: no ${EXPECTED_ROUTE[stack]} among ${rows.map((r) => r.name).join(', ')}`);
    assert.ok(price.errors > 0 && price.errors < price.count, `${stack}: ${EXPECTED_ROUTE[stack]} has failing and succeeding requests`);
  });
}
