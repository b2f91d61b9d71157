/**
 * Re-records test/fixtures/otlp-recorded/node-headers/export.jsonl: what
 * @opentelemetry/instrumentation-http sends for server spans with request headers captured
 * (`headersToSpanAttributes`), the same spans through both the protobuf and the JSON exporter.
 * The app is node-headers/app.cjs. Run: `node --import tsx test/support/recordNodeHeaders.ts`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './harness';
import { startRecorder } from './otlpRecorder';

const DIR = join(repoRoot, 'test', 'fixtures', 'otlp-recorded', 'node-headers');

function run(endpoint: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint };
    const child = spawn(process.execPath, [join(DIR, 'app.cjs')], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`app.cjs exited ${code}: ${out.trim()}`))));
  });
}

async function main(): Promise<void> {
  const recorder = await startRecorder();
  try {
    const out = await run(recorder.url);
    const file = join(DIR, 'export.jsonl');
    recorder.save(file);
    const types = recorder.records.map((r) => r.contentType).join(', ');
    console.log(`recorded ${recorder.records.length} exports (${types}) -> ${file}\n${out.trim()}`);
  } finally {
    await recorder.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`recordNodeHeaders: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
