/**
 * Re-records test/fixtures/otlp-recorded/go/export.jsonl: the Go conformance app (otelhttp and the
 * OTLP/HTTP exporters) with the fixed traffic, exporting to the OTLP recorder.
 * Run: bash scripts/conformance/go.sh && node --import tsx test/support/recordGo.ts
 */
import { join } from 'node:path';
import { runGoConformance } from './goConformanceRun';
import { repoRoot } from './harness';
import { startRecorder } from './otlpRecorder';

async function main(): Promise<void> {
  const recorder = await startRecorder();
  try {
    const run = await runGoConformance(recorder.url);
    const file = join(repoRoot, 'test', 'fixtures', 'otlp-recorded', 'go', 'export.jsonl');
    recorder.save(file);
    const byPath = new Map<string, number>();
    for (const r of recorder.records) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    console.log(`recorded ${recorder.records.length} exports (${[...byPath].map(([p, n]) => `${p} x${n}`).join(', ')}) to ${file}; ${run.downstreamCalls} downstream calls`);
    if (run.appStderr.trim() !== '') console.log(`--- app stderr ---\n${run.appStderr}`);
  } finally {
    await recorder.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`recordGo: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
