/**
 * The shadow run inside a real VS Code (code-server here): the workspace is the shop service
 * (test/fixtures/shadow-service) in a git repository whose working tree carries every planted
 * regression, the traffic a HAR that headless Chromium recorded from the service at its base revision.
 * The suite set `shadow` (suites/shadow.suite.ts) runs "Runtime Lens: Shadow Run…" against it and
 * checks the report webview, the CodeLens and the Live Signals line. Each suite test is reported here.
 */
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { freePort } from '../../src/core/shadow/localBuild';
import { repoRoot } from '../support/harness';
import { createShadowServiceRepo } from '../support/shadowService';
import { shopPaths, recordShopTraffic } from '../support/shadowTraffic';
import { hostKind, runSuites } from './vscodeHost';

/** Where the suite finds the HAR (SHADOW_TRAFFIC_ENV in suites/shadow.suite.ts; that module loads only inside VS Code). */
const SHADOW_TRAFFIC_ENV = 'RUNTIME_LENS_SHADOW_TRAFFIC';

test(`shadow run from the editor inside ${hostKind()}`, { timeout: 600_000 }, async (t) => {
  const runDir = path.join(repoRoot, 'test-results', 'integration-shadow');
  const repo = createShadowServiceRepo();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-shadow-editor-'));
  try {
    const har = path.join(tmp, 'shop.har');
    await recordShopTraffic(repo.dir, shopPaths(140), har);
    repo.plantRegressions();
    // The editor's own receiver stays off and out of the way: the run collects spans in the CLI's.
    mkdirSync(path.join(repo.dir, '.vscode'));
    writeFileSync(path.join(repo.dir, '.vscode', 'settings.json'), JSON.stringify({ 'runtimeLens.autoStart': false, 'runtimeLens.receiver.port': await freePort() }, null, 2));
    appendFileSync(path.join(repo.dir, '.git', 'info', 'exclude'), '.vscode/\n');
    const outcome = await runSuites({ workspace: repo.dir, runDir, env: { RUNTIME_LENS_SUITES: 'shadow', [SHADOW_TRAFFIC_ENV]: har }, timeoutMs: 420_000 });
    assert.ok(outcome.done, `the suite run did not finish; results so far in ${runDir}/results.json`);
    assert.ok(outcome.results.length > 0, 'no suite test ran');
    for (const r of outcome.results) {
      await t.test(r.title, () => {
        if (r.state === 'failed') assert.fail(r.error ?? 'failed');
      });
    }
  } finally {
    repo.dispose();
    rmSync(tmp, { recursive: true, force: true });
  }
});
