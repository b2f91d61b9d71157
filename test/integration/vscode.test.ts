/**
 * The integration tier: the suites under test/integration/suites run inside a real VS Code
 * (code-server here, @vscode/test-electron where a desktop VS Code is available) with the
 * demo service sending real OTLP to the extension's receiver. Each suite test is reported here
 * under its own name.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { repoRoot } from '../support/harness';
import { startDemoWorkspace } from '../support/demoWorkspace';
import { hostKind, runSuites } from './vscodeHost';

test(`integration suites inside ${hostKind()}`, { timeout: 600_000 }, async (t) => {
  const runDir = path.join(repoRoot, 'test-results', 'integration');
  const demo = await startDemoWorkspace();
  try {
    const outcome = await runSuites({ workspace: demo.workspace, runDir });
    assert.ok(outcome.done, `the suite run did not finish; results so far in ${runDir}/results.json`);
    assert.ok(outcome.results.length > 0, 'no suite test ran');
    for (const r of outcome.results) {
      await t.test(r.title, () => {
        if (r.state === 'failed') assert.fail(r.error ?? 'failed');
      });
    }
    t.diagnostic(`figures: ${JSON.stringify(outcome.figures)}`);
    for (const note of outcome.notes ?? []) t.diagnostic(note);
  } finally {
    await demo.stop();
  }
});
