import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { assertUsageError, getSignals, runCli, startServer, waitForProcessed } from '../support/harness';
import { nowNs, postTraces } from '../support/otlpJson';
import { routeSpansJson, type RouteSpan } from '../support/routeSpanJson';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-service-roots-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

// Both services register GET /health in a file of the same name: only the service tells them apart.
const ORDERS_APP = `from flask import Flask

app = Flask(__name__)


@app.get("/health")
def health():
    return "orders ok"
`;
const BILLING_APP = `from flask import Flask

app = Flask(__name__)


@app.get("/orders")
def list_orders():
    return []


@app.get("/health")
def health():
    return "billing ok"
`;

/** A monorepo: orders named by an explicit rule only, billing by its pyproject.toml. */
function monorepo(name: string): string {
  const root = path.join(tmp, name);
  write(root, 'services/orders/app.py', ORDERS_APP);
  write(root, 'services/billing/pyproject.toml', '[project]\nname = "billing"\nversion = "1.0.0"\n');
  write(root, 'services/billing/app.py', BILLING_APP);
  return root;
}

const health = (n: number, errors = 0): RouteSpan[] => Array.from({ length: n }, (_, i) => ({ method: 'GET', route: '/health', startNs: nowNs(), durationMs: 5, error: i < errors }));

test("serve --service-root: the same route in two services' folders lands in the folder of the span's service", async () => {
  const workspace = monorepo('explicit');
  const server = await startServer({ workspace, args: ['--service-root', 'orders=services/orders'] });
  try {
    const res = await postTraces(server.url, routeSpansJson({ orders: health(3, 1), billing: health(2) }));
    assert.equal(res.status, 200);
    await waitForProcessed(server.url, 5);
    const s = await getSignals(server.url);
    const rows = s.functions.map((f) => ({ service: f.service, file: f.file, line: f.line, function: f.function, count: f.count, errors: f.errors })).sort((a, b) => a.service.localeCompare(b.service));
    assert.deepEqual(
      rows,
      [
        { service: 'billing', file: 'services/billing/app.py', line: 12, function: 'health', count: 2, errors: 0 },
        { service: 'orders', file: 'services/orders/app.py', line: 7, function: 'health', count: 3, errors: 1 },
      ],
      JSON.stringify(s.unmapped),
    );
    assert.deepEqual(s.unmapped, [], 'nothing listed as ambiguous');
  } finally {
    await server.stop();
  }
});

test('without a rule or a manifest for the service, the route stays honestly ambiguous', async () => {
  const workspace = monorepo('no-rule');
  const server = await startServer({ workspace });
  try {
    await postTraces(server.url, routeSpansJson({ orders: health(1), billing: health(1) }));
    await waitForProcessed(server.url, 2);
    const s = await getSignals(server.url);
    assert.deepEqual(
      s.functions.map((f) => [f.service, f.file]),
      [['billing', 'services/billing/app.py']],
      'billing is found by its pyproject.toml',
    );
    assert.equal(s.unmapped.length, 1);
    assert.match(s.unmapped[0]!.reason, /registered in several places/);
  } finally {
    await server.stop();
  }
});

test('bad --service-root values exit 2 with one line', () => {
  const workspace = monorepo('bad');
  assertUsageError(runCli(['serve', '--workspace', workspace, '--service-root', 'orders']), /--service-root takes NAME=DIR/);
  assertUsageError(runCli(['serve', '--workspace', workspace, '--service-root', 'orders=../elsewhere']), /--service-root orders=\.\.\/elsewhere: \.\.\/elsewhere is outside the workspace/);
  assertUsageError(runCli(['serve', '--workspace', workspace, '--service-root', 'orders=services/nope']), /no folder services\/nope in the workspace/);
  assertUsageError(runCli(['serve', '--service-root', 'orders=services/orders']), /--service-root needs --workspace/);
});
