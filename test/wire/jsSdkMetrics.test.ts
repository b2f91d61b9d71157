/**
 * Wire compatibility of `/v1/metrics` with the real OpenTelemetry JS SDK: a MeterProvider with
 * the official OTLP metrics exporters (protobuf and JSON, cumulative as by default) exports the
 * `http.server.request.duration` histogram to the CLI receiver, and `/api/signals` shows each
 * route as an operation with source 'metrics' and the exact request and error counts sent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { OperationSignal, SignalsResponse } from '../../src/core/api/signals';
import { getSignals, getStatus, startServer, type StartedServer } from '../support/harness';
import { sdkMeter, type RecordedRequest } from '../support/sdkMetrics';

let server: StartedServer;
let workspace: string;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'rl-metrics-'));
  server = await startServer({ workspace });
});

after(async () => {
  await server?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

function operation(s: SignalsResponse, service: string, name: string): OperationSignal {
  const found = s.operations.find((o) => o.service === service && o.name === name);
  assert.ok(found, `no operation ${name} of ${service}: ${JSON.stringify(s.operations)}`);
  return found;
}

/** `n` requests of one kind. */
function times(n: number, r: RecordedRequest): RecordedRequest[] {
  return Array.from({ length: n }, () => r);
}

for (const encoding of ['protobuf', 'json'] as const) {
  test(`the JS SDK's ${encoding} metrics export reaches /api/signals as exact per-route figures`, async () => {
    const service = `checkout-${encoding}`;
    const meter = sdkMeter(`${server.url}/v1/metrics`, encoding, { 'service.name': service, 'deployment.environment.name': 'production' });
    meter.record([
      ...times(12, { method: 'GET', route: '/cart/{id}', status: 200, seconds: 0.008 }),
      ...times(3, { method: 'GET', route: '/cart/{id}', status: 500, seconds: 0.4, errorType: '500' }),
      ...times(2, { method: 'GET', route: '/cart/{id}', status: 404, seconds: 0.001 }),
      ...times(5, { method: 'POST', route: '/checkout', status: 201, seconds: 0.12 }),
    ]);
    // The SDK only logs a failed export (a 404 from an older receiver): the rows below are the proof it was taken.
    await meter.flush();
    let s = await getSignals(server.url, { environment: 'production' });
    const cart = operation(s, service, 'GET /cart/{id}');
    assert.deepEqual([cart.count, cart.errors, cart.source], [17, 3, 'metrics']);
    const checkout = operation(s, service, 'POST /checkout');
    assert.deepEqual([checkout.count, checkout.errors, checkout.source], [5, 0, 'metrics']);
    assert.ok(checkout.p50Ms > 100 && checkout.p50Ms <= 250, `p50 ${checkout.p50Ms} within the 100-250 ms bucket`);

    // The SDK sends cumulative totals again on every export: only the new requests may count.
    meter.record([...times(4, { method: 'POST', route: '/checkout', status: 502, seconds: 0.2, errorType: '502' })]);
    await meter.flush();
    s = await getSignals(server.url, { environment: 'production' });
    assert.deepEqual([operation(s, service, 'GET /cart/{id}').count, operation(s, service, 'POST /checkout').count, operation(s, service, 'POST /checkout').errors], [17, 9, 4]);
    await meter.shutdown();
  });
}

test('status reports the metric points accepted', async () => {
  const status = await getStatus(server.url);
  assert.ok((status.metricPointsAccepted ?? 0) > 0, JSON.stringify(status));
});
