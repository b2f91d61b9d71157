/**
 * Re-records test/fixtures/otlp-recorded/python/export.jsonl: the Python conformance app's exact
 * OTLP exports for the traffic script, captured by a recorder instead of the receiver.
 * Run: `bash scripts/conformance/python.sh && node --import tsx test/support/recordPython.ts`
 */
import { join } from 'node:path';
import { repoRoot } from './harness';
import { startRecorder } from './otlpRecorder';
import { runPythonConformance } from './conformancePythonApp';

const OUT = join(repoRoot, 'test', 'fixtures', 'otlp-recorded', 'python', 'export.jsonl');

async function main(): Promise<void> {
  const recorder = await startRecorder();
  try {
    const run = await runPythonConformance(recorder.url);
    if (run.exitCode !== 0) throw new Error(`the app exited with ${run.exitCode}; its exports may be incomplete:\n${run.stderr}`);
    recorder.save(OUT);
    const byPath = new Map<string, number>();
    for (const r of recorder.records) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    console.log(`recorded ${recorder.records.length} exports (${[...byPath].map(([p, n]) => `${p} x${n}`).join(', ')}) to ${OUT}`);
    if (run.stderr.trim() !== '') console.log(`--- app stderr ---\n${run.stderr}`);
  } finally {
    await recorder.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
