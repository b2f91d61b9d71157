/**
 * The read API the editor uses, end to end: a real service instrumented with the OpenTelemetry
 * Node SDK and its http instrumentation calls a downstream over HTTP from inside a function; the
 * CLI receiver ties the client span to the line making the call, serves the whole trace, and
 * pushes `changed` for the service's file on its WebSocket.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import type { TraceResponse } from '../../src/core/api/signals';
import type { StreamMessage } from '../../src/core/api/streamProtocol';
import { getSignals, getStatus, repoRoot, startChild, startServer, waitForProcessed } from '../support/harness';
import type { StartedServer } from '../support/harness';

const APP = `'use strict';
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment.name': 'production' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: process.env.OTLP_URL }), { scheduledDelayMillis: 100 })],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
const http = require('http');
const { trace } = require('@opentelemetry/api');
const tracer = trace.getTracer('checkout');

function reserveStock(port, sku) {
  const attributes = { 'code.function.name': 'reserveStock', 'code.file.path': __filename };
  return tracer.startActiveSpan('reserveStock', { attributes }, (span) => new Promise((done) => {
    const label = 'sku ' + sku;
    http.get('http://127.0.0.1:' + port + '/stock/' + sku, (res) => {
      res.resume();
      res.on('end', () => {
        span.end();
        done(label);
      });
    });
  }));
}

const downstream = http.createServer((req, res) => res.end('ok'));
downstream.listen(0, '127.0.0.1', async () => {
  for (let sku = 1; sku <= 5; sku++) await reserveStock(downstream.address().port, 1000 + sku);
  await sdk.shutdown();
  downstream.close();
  console.log('done');
});
`;

const CALL_LINE = APP.split('\n').findIndex((l) => l.includes('http.get(')) + 1;
const FUNCTION_LINE = APP.split('\n').findIndex((l) => l.includes('function reserveStock')) + 1;

let workspace = '';
let server: StartedServer | undefined;

before(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'rl-editor-api-'));
  writeFileSync(join(workspace, 'app.js'), APP);
  server = await startServer({ workspace });
});

after(async () => {
  await server?.stop();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

test("an instrumented service's outgoing calls, traces and change stream reach the editor API", async () => {
  const status = await getStatus(server!.url);
  assert.equal(status.workspace, resolve(workspace));

  const ws = new WebSocket(`${server!.url.replace('http:', 'ws:')}/api/stream`);
  const messages: StreamMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as StreamMessage));
  await new Promise<void>((done, fail) => {
    ws.once('open', () => done());
    ws.once('error', fail);
  });

  const app = await startChild(process.execPath, ['app.js'], {
    cwd: workspace,
    env: { ...process.env, NODE_PATH: join(repoRoot, 'node_modules'), OTLP_URL: `${server!.url}/v1/traces`, OTEL_SEMCONV_STABILITY_OPT_IN: 'http' },
    ready: /^done$/,
    timeoutMs: 30_000,
  });
  await app.stop();
  // Per call: reserveStock (internal), the http client span, the downstream's server span.
  await waitForProcessed(server!.url, 15);

  const signals = await getSignals(server!.url, { environment: 'production' });
  assert.deepEqual(
    signals.calls.map((c) => [c.service, c.function, c.file, c.line, c.lineMatch, c.count, c.errors]),
    [['checkout', 'reserveStock', 'app.js', CALL_LINE, 'url', 5, 0]],
  );
  assert.match(signals.calls[0].target, /^127\.0\.0\.1:\d+$/);
  const fn = signals.functions.find((f) => f.function === 'reserveStock');
  assert.ok(fn, JSON.stringify(signals.functions));
  assert.equal(fn.line, FUNCTION_LINE);

  const traceId = fn.exemplars[0].traceId;
  const res = await fetch(`${server!.url}/api/traces/${traceId}`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as TraceResponse;
  assert.deepEqual(
    body.spans.map((s) => s.kind),
    [1, 3, 2],
    'function, its client call, the downstream server span',
  );
  assert.equal(body.spans[0].mapping?.function, 'reserveStock');
  assert.equal(body.spans[1].parentSpanId, body.spans[0].spanId);
  assert.equal(body.spans[2].parentSpanId, body.spans[1].spanId);

  // The stream said which file changed (the status poll above may come before or after it).
  const deadline = Date.now() + 5_000;
  while (!messages.some((m) => m.type === 'changed' && m.files.includes('app.js')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(messages[0]?.type, 'hello');
  assert.ok(
    messages.some((m) => m.type === 'changed' && m.files.includes('app.js') && m.environments.includes('production')),
    JSON.stringify(messages.map((m) => m.type)),
  );
  ws.close();
});
