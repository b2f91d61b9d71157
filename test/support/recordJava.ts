/**
 * Re-records test/fixtures/otlp-recorded/java/: the Java conformance app under the OpenTelemetry
 * Java agent, with the fixed traffic, exporting to the OTLP recorder; once with the agent's
 * defaults, once with controller spans on.
 * Run: bash scripts/conformance/java.sh && node --import tsx test/support/recordJava.ts
 */
import { join } from 'node:path';
import { repoRoot } from './harness';
import { runJavaConformance } from './javaConformanceRun';
import type { JavaRunOptions } from './javaConformanceRun';
import { startRecorder } from './otlpRecorder';

// export.jsonl: the agent's defaults; export-controller-spans.jsonl: controller telemetry on.
async function record(name: string, opts: JavaRunOptions): Promise<void> {
  const recorder = await startRecorder();
  try {
    const run = await runJavaConformance(recorder.url, opts);
    const file = join(repoRoot, 'test', 'fixtures', 'otlp-recorded', 'java', name);
    recorder.save(file);
    const byPath = new Map<string, number>();
    for (const r of recorder.records) byPath.set(r.path, (byPath.get(r.path) ?? 0) + 1);
    console.log(`recorded ${recorder.records.length} exports (${[...byPath].map(([p, n]) => `${p} x${n}`).join(', ')}) to ${file}; app ready in ${run.startMs} ms`);
  } finally {
    await recorder.stop();
  }
}

async function main(): Promise<void> {
  await record('export.jsonl', {});
  await record('export-controller-spans.jsonl', { controllerSpans: true });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`recordJava: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
