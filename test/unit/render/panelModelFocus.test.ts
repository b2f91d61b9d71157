import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWebviewMessage } from '../../../src/core/api/panelProtocol';
import { functionKey } from '../../../src/core/render/panelModel';
import { buildFocusDetail } from '../../../src/core/render/panelModelFocus';
import { receiverStatusView } from '../../../src/core/render/panelModelStatus';
import { SignalStore } from '../../../src/core/signals/signalStore';
import type { CodeLocation } from '../../../src/core/signals/storeTypes';
import { resource, span, TestClock } from '../../support/records';

const loc: CodeLocation = { file: 'src/orders.ts', line: 40, function: 'createOrder', mappedBy: 'stacktrace', confidence: 0.8 };

test('the focus card has one column per window, and only windows with calls have figures', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 21, 12, 0, 59));
  const store = new SignalStore({}, clock);
  const res = resource('orders', 'production');
  // Calls 30 minutes ago (only the 1h window sees them) and 2 minutes ago (5m and 1h).
  for (let i = 0; i < 10; i++) store.recordSpan(span({ resource: res, startMs: clock.t - 30 * 60_000, durationMs: 900, error: true }), loc, '');
  for (let i = 0; i < 10; i++) store.recordSpan(span({ resource: res, startMs: clock.t - 2 * 60_000, durationMs: 100 }), loc, '');
  store.recordException(res, { type: 'Error', message: 'out of stock', stacktrace: '', timeMs: clock.t - 30 * 60_000 }, 'e'.repeat(32), loc, 'k');
  const perWindow = ['1m', '5m', '1h'].map((window) => ({ window, response: store.query({ windowMs: window === '1m' ? 60_000 : window === '5m' ? 300_000 : 3_600_000, file: loc.file }) }));
  const target = { service: 'orders', environment: 'production', file: 'src/orders.ts', line: 40, function: 'createOrder' };
  const d = buildFocusDetail(target, perWindow);
  assert.equal(d.found, true);
  assert.equal(d.key, functionKey(target));
  assert.deepEqual(
    d.windows.map((w) => w.window),
    ['1m', '5m', '1h'],
  );
  assert.equal(d.windows[0].figures, undefined);
  assert.equal(d.windows[1].figures?.count, 10);
  assert.equal(d.windows[1].figures?.errorRateText, '0%');
  assert.equal(d.windows[2].figures?.count, 20);
  assert.equal(d.windows[2].figures?.errorRateText, '50%');
  assert.equal(d.mapping, 'stack trace · 80% confidence');
  assert.deepEqual(
    d.errors.map((e) => e.message),
    ['out of stock'],
  );
  assert.ok(d.exemplars.length > 0);
  assert.ok(d.exemplars.some((x) => x.label === 'failed · 900 ms'));
  assert.ok(d.exemplars.some((x) => x.label === '900 ms'));
  assert.equal(new Set(d.exemplars.map((x) => x.traceId)).size, d.exemplars.length);
});

test('a focus on a moved line still finds the function; an unknown one is not found', () => {
  const store = new SignalStore({}, new TestClock());
  store.recordSpan(span({ startMs: Date.UTC(2026, 10, 21, 11, 59, 30) }), loc, '');
  const perWindow = [{ window: '5m', response: store.query({ windowMs: 300_000 }) }];
  const moved = buildFocusDetail({ service: 'orders', environment: 'production', file: 'src/orders.ts', line: 44, function: 'createOrder' }, perWindow);
  assert.equal(moved.found, true);
  assert.equal(moved.line, 40);
  const other = buildFocusDetail({ service: 'orders', environment: 'production', file: 'src/other.ts', line: 1, function: 'x' }, perWindow);
  assert.equal(other.found, false);
  assert.deepEqual(other.windows, [{ window: '5m' }]);
  assert.equal(other.file, 'src/other.ts');
});

test('the status line names the endpoint, the rate and the mapped share', () => {
  const status = {
    version: '0.1.0',
    listening: '127.0.0.1:4318',
    workspace: '/w',
    startedAt: 0,
    spansAccepted: 10,
    spansProcessed: 10,
    spansRejected: 0,
    logsAccepted: 0,
    logsProcessed: 0,
    queueDepth: 0,
    spansPerSecond: 42.4,
    services: 2,
    mappedPercent: 96.2,
  };
  const running = receiverStatusView({ kind: 'running', endpoint: 'http://127.0.0.1:4318', attached: false, status }, 'http://127.0.0.1:4318');
  assert.equal(running.text, 'Receiving on 127.0.0.1:4318 · 42 spans/s · 96% mapped');
  assert.equal(running.otlpLine, 'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318');
  assert.match(receiverStatusView({ kind: 'running', endpoint: '127.0.0.1:9999', attached: true, status }, '').text, /^Attached to 127\.0\.0\.1:9999/);
  const stopped = receiverStatusView({ kind: 'stopped' }, '127.0.0.1:4318');
  assert.equal(stopped.text, 'Receiver stopped');
  assert.equal(stopped.otlpLine, 'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318');
  assert.equal(receiverStatusView({ kind: 'error', message: 'port 4318 is in use\nstack' }, '').text, 'port 4318 is in use');
});

test('webview messages are validated before the host acts on them', () => {
  assert.deepEqual(parseWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
  assert.deepEqual(parseWebviewMessage({ kind: 'request', id: 3, method: 'openLocation', params: { file: 'src/a.ts', line: 4 } }), {
    kind: 'request',
    id: 3,
    method: 'openLocation',
    params: { file: 'src/a.ts', line: 4 },
  });
  assert.equal(parseWebviewMessage({ kind: 'request', id: 3, method: 'openLocation', params: { file: 'src/a.ts', line: 0 } }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'request', id: 3, method: 'setWindow', params: { window: '2y' } }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'request', id: 3, method: 'openTrace', params: { traceId: '../x' } }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'request', id: 3, method: 'toString', params: {} }), undefined);
  assert.equal(parseWebviewMessage({ kind: 'request', id: 'x', method: 'openDemo', params: {} }), undefined);
  assert.equal(parseWebviewMessage(null), undefined);
  assert.ok(parseWebviewMessage({ kind: 'request', id: 1, method: 'setEnvironment', params: { environment: null } }));
});
