/**
 * The integration tier against the team's backends: a real Jaeger, OpenTelemetry Collector and
 * Prometheus, the demo service exporting to the collector as production would, and a real VS Code
 * reading Jaeger and Prometheus with its embedded receiver off (see teamRun.ts). CodeLens, hover,
 * panel and status bar show the backends' figures; a Prometheus cut mid-run turns them stale, not
 * wrong, and they recover. Each suite test is reported here under its own name; the figures
 * (first CodeLens, queries and bytes per source, the host's longest stretch) are printed, never asserted.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { runTeamSuites } from './teamRun';
import { hostKind } from './vscodeHost';

test(`team backends (Jaeger + Prometheus, receiver off) inside ${hostKind()}`, { timeout: 600_000 }, async (t) => {
  const { outcome, runDir, backendLogs } = await runTeamSuites();
  assert.ok(outcome.done, `the suite run did not finish; results so far in ${runDir}/results.json; backend logs: ${backendLogs.join(', ')}`);
  assert.ok(outcome.results.length > 0, 'no suite test ran');
  for (const r of outcome.results) {
    await t.test(r.title, () => {
      if (r.state === 'failed') assert.fail(r.error ?? 'failed');
    });
  }
  t.diagnostic(`figures: ${JSON.stringify(outcome.figures)}`);
  for (const note of outcome.notes ?? []) t.diagnostic(note);
});
