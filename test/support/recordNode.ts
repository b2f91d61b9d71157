/**
 * Re-records what @opentelemetry/auto-instrumentations-node sends for the Node conformance app
 * (test/fixtures/otlp-recorded/node/export.jsonl): the app and its traffic script, exporting to the
 * recorder instead of the receiver. Run: `node --import tsx test/support/recordNode.ts`.
 */
import { join } from 'node:path';
import { repoRoot } from './harness';
import { prepareNodeApp, runNodeApp } from './nodeConformanceApp';
import { startRecorder } from './otlpRecorder';

const OUT = join(repoRoot, 'test', 'fixtures', 'otlp-recorded', 'node', 'export.jsonl');

async function main(): Promise<void> {
  prepareNodeApp();
  const recorder = await startRecorder();
  try {
    const run = await runNodeApp(recorder.url);
    recorder.save(OUT);
    const paths = recorder.records.map((r) => r.path);
    const count = (p: string): number => paths.filter((x) => x === p).length;
    console.log(`recorded ${run.requests} requests: ${count('/v1/traces')} trace, ${count('/v1/logs')} log, ${count('/v1/metrics')} metric exports -> ${OUT}`);
    if (run.appStderr.trim() !== '') console.log(`app stderr:\n${run.appStderr}`);
  } finally {
    await recorder.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`recordNode: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
