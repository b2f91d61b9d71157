/**
 * Wire compatibility with the official OpenTelemetry Python SDK: a Flask app instrumented with
 * FlaskInstrumentor exports protobuf spans to the CLI receiver, whose signals must name the
 * Python file and line that raised, the route's handler, and the deployment environment.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSignals, getStatus, repoRoot, startChild, startServer, waitForProcessed } from '../support/harness';
import type { StartedChild, StartedServer } from '../support/harness';
import { pythonVenvDir } from '../support/conformanceCache';
import type { SignalsResponse } from '../../src/core/api/signals';

const APP_DIR = join(repoRoot, 'test', 'fixtures', 'python-app');
// The venv scripts/conformance/python.sh builds in the cache outside the clone (npm test's pretest runs it).
const PYTHON = join(pythonVenvDir(repoRoot), 'bin', 'python');
const SERVICE = 'py-orders';
const ROUTE = '/orders/<int:order_id>';
const ORDER_IDS = [1, 2, 3, 5, 8, 13, 21];
const FAILURES = 2;

/** 1-based number of the only line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const lines = readFileSync(join(APP_DIR, file), 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(needle) ? [i + 1] : []));
  assert.equal(hits.length, 1, `${file} should contain "${needle}" exactly once`);
  return hits[0]!;
}

const raiseLine = lineOf('pricing.py', 'raise ValueError(');
const routeLine = lineOf('app.py', `@app.get("${ROUTE}")`);
const handlerLine = lineOf('app.py', 'def get_order(');

let server: StartedServer | undefined;
let app: StartedChild | undefined;

/** The environment for the app: no inherited OTEL_* setting may redirect or rename its telemetry. */
function appEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('OTEL_')) env[key] = value;
  return {
    ...env,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    PYTHONUNBUFFERED: '1',
    // Keep the fixture folder free of __pycache__.
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

before(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`bash scripts/conformance/python.sh\` (npm test's pretest does)`);
  server = await startServer({ workspace: APP_DIR });
  app = await startChild(PYTHON, [join(APP_DIR, 'app.py'), '0'], {
    cwd: APP_DIR,
    env: appEnv(server.url),
    ready: /^py-orders listening on (http:\/\/127\.0\.0\.1:(\d+))$/,
  });
  const base = app.match[1]!;
  for (const id of ORDER_IDS) {
    const res = await fetch(`${base}/orders/${id}`);
    assert.equal(res.status, 200, `GET /orders/${id}`);
    assert.equal(((await res.json()) as { id: number }).id, id);
  }
  for (let i = 0; i < FAILURES; i++) {
    const res = await fetch(`${base}/fail`);
    await res.arrayBuffer();
    assert.equal(res.status, 500, 'GET /fail');
  }
  // SIGTERM makes the app shut its TracerProvider down, which flushes the batch processor.
  await app.stop();
  await waitForProcessed(server.url, ORDER_IDS.length + FAILURES, 20_000);
});

after(async () => {
  await app?.stop();
  await server?.stop();
});

function pySignals(s: SignalsResponse): SignalsResponse {
  return { ...s, functions: s.functions.filter((f) => f.service === SERVICE), errors: s.errors.filter((e) => e.service === SERVICE) };
}

test('the receiver accepted exactly the spans the Flask app exported', async () => {
  const status = await getStatus(server!.url);
  assert.equal(status.spansAccepted, ORDER_IDS.length + FAILURES);
  assert.equal(status.spansRejected, 0);
});

test('the ValueError group maps to the raise in pricing.py through the Python stack trace', async () => {
  const signals = pySignals(await getSignals(server!.url, { environment: 'production' }));
  const groups = signals.errors.filter((e) => e.type === 'ValueError');
  assert.equal(groups.length, 1, `ValueError groups: ${JSON.stringify(signals.errors)}`);
  const group = groups[0]!;
  assert.equal(group.file, 'pricing.py');
  assert.equal(group.line, raiseLine);
  assert.equal(group.function, 'price_for');
  assert.equal(group.mappedBy, 'stacktrace');
  assert.equal(group.count, FAILURES);
  assert.equal(group.environment, 'production');
  assert.match(group.message, /^cannot price quantity/);
});

test(`the ${ROUTE} server spans are counted once per request and mapped to their handler`, async () => {
  const signals = await getSignals(server!.url, { environment: 'production' });
  const ops = signals.operations.filter((o) => o.service === SERVICE && o.name.includes(ROUTE));
  assert.equal(ops.length, 1, `operations for ${ROUTE}: ${JSON.stringify(signals.operations)}`);
  assert.equal(ops[0]!.count, ORDER_IDS.length);
  assert.equal(ops[0]!.errors, 0);
  assert.equal(ops[0]!.kind, 2, 'a Flask request span is a SERVER span');

  const handler = pySignals(signals).functions.find((f) => f.file === 'app.py' && f.function === 'get_order');
  assert.ok(handler, `no get_order row in ${JSON.stringify(signals.functions)}; unmapped: ${JSON.stringify(signals.unmapped)}`);
  assert.equal(handler.count, ORDER_IDS.length);
  assert.equal(handler.errors, 0);
  assert.equal(handler.mappedBy, 'route');
  // The route is registered by the decorator; the row belongs on the handler's `def` line below it.
  assert.equal(routeLine + 1, handlerLine, 'fixture: the decorator sits right above get_order');
  assert.equal(handler.line, handlerLine);
});

test('every py-orders signal carries the production environment from the resource', async () => {
  const all = await getSignals(server!.url);
  assert.ok(all.environments.includes('production'), `environments: ${JSON.stringify(all.environments)}`);
  const mine = pySignals(all);
  assert.ok(mine.functions.length > 0 && mine.errors.length > 0, 'no py-orders signals at all');
  for (const row of [...mine.functions, ...mine.errors]) assert.equal(row.environment, 'production', JSON.stringify(row));
  const staging = pySignals(await getSignals(server!.url, { environment: 'staging' }));
  assert.deepEqual([staging.functions, staging.errors], [[], []], 'an environment filter must exclude production data');
});
