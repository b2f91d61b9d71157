// The demo's AI-written change, shadow-run against the revision before it: the demo repository
// (scripts/lib/demoRepo.ts: flat-rate shipping by a person, then the AI's carrier call), its real
// inventory/carrier downstream, traffic recorded by Chromium, and `runtime-lens shadow --baseline-ref
// HEAD~1` starting both revisions. The run must show what the AI's change does: a new call to the
// carrier from quoteShipping at its fetch line, the answer's new shape, and a slower route.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, it } from 'node:test';
import type { ShadowReport } from '../../src/core/api/shadowReport';
import { createDemoRepo } from '../../scripts/lib/demoRepo';
import { freePort } from '../../src/core/shadow/localBuild';
import { repoRoot } from '../support/harness';
import { runShadowCli, recordShopTraffic } from '../support/shadowTraffic';

// Inside this repository, so the service resolves its packages from the root node_modules.
const dir = path.join(repoRoot, 'test-results', 'workspaces', `shadow-demo-${process.pid}`);
const PATHS = Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? `/quote?sku=apple&qty=${1 + (i % 5)}` : `/shipping?weight=${1 + (i % 9)}`));
let inventory: { stop: () => Promise<void> } | undefined;
let inventoryUrl = '';
let har = '';

before(async () => {
  mkdirSync(path.dirname(dir), { recursive: true });
  createDemoRepo(dir);
  const port = await freePort();
  inventoryUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['inventory.js'], { cwd: dir, env: { ...process.env, INVENTORY_PORT: String(port), OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }, stdio: 'ignore' });
  inventory = { stop: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))) };
  for (let i = 0; ; i++) {
    if (
      await fetch(`${inventoryUrl}/v1/quotes?weight=1`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    assert.ok(i < 100, 'the inventory service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  har = path.join(dir, '..', `shadow-demo-${process.pid}.har`);
  await recordShopTraffic(dir, PATHS, har, { INVENTORY_URL: inventoryUrl });
});

after(async () => {
  await inventory?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (har) rmSync(har, { force: true });
});

it("shows what the demo's AI-written change does against the revision before it", async () => {
  const run = await runShadowCli(['--traffic', har, '--start', 'node server.js', '--health', '/health', '--baseline-ref', 'HEAD~1', '--workspace', dir, '--json'], { ...process.env, INVENTORY_URL: inventoryUrl });
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as ShadowReport;
  assert.equal(report.replayed, PATHS.length + 1, 'every request and the page load');

  const shipping = report.functions.find((f) => f.function === 'quoteShipping');
  assert.ok(shipping, report.functions.map((f) => f.function).join(', '));
  assert.equal(shipping.file, 'shipping.js');
  const fetchLine =
    readFileSync(path.join(dir, 'shipping.js'), 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('await fetch(')) + 1;
  assert.deepEqual(
    shipping.calls.map((c) => [c.change, c.target, c.line, c.baselinePerRequest, c.candidatePerRequest]),
    [['added', `${new URL(inventoryUrl).host}/v1/quotes`, fetchLine, 0, 1]],
  );
  assert.equal(shipping.latency?.slower, true, JSON.stringify(shipping.latency));

  const route = report.routes.find((r) => r.method === 'GET' && r.route === '/shipping');
  assert.ok(route, report.routes.map((r) => `${r.method} ${r.route}`).join(', '));
  assert.deepEqual(route.shapeChanges.map((c) => [c.path, c.change]).sort(), [
    ['$.band', 'removed'],
    ['$.days', 'removed'],
    ['$.weight', 'added'],
  ]);
  assert.equal(route.statusMismatches, 0, JSON.stringify(route.examples));
  // The quote route was not touched: its answers keep their shape.
  assert.deepEqual(report.routes.find((r) => r.route === '/quote')?.shapeChanges, []);
});
