/**
 * `npm run bench:ingest`: end-to-end ingest throughput of the embedded receiver (decode, map,
 * store) under load from a second process over loopback, against the raw decode ceiling of the
 * same bytes in this process, and RSS after 10 million spans over 10,000 locations.
 * Options: --spans-json N --spans-proto N --spans-rss N (defaults 1M, 3M, 10M); --only rss runs the
 * RSS phase alone and prints where the memory is (V8 spaces, malloc arenas, other anonymous memory);
 * --heap-snapshot FILE writes the receiver's main-thread heap after the RSS phase's full GC;
 * --reuse-corpus keeps bench/.corpus from an earlier run instead of generating it again.
 * The receiver runs as the product runs it: a child `dist/cli.js serve` started with the Node flags
 * and environment the extension starts it with (RECEIVER_NODE_FLAGS, RECEIVER_ENV); --node-flags "..." replaces those flags.
 * --env K=V (repeatable) adds to the child's environment, for diagnosis (e.g. MALLOC_ARENA_MAX=2).
 * --in-process runs it inside this process instead (the earlier way; then --workers N sets its decode workers).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeRequest } from '../src/core/ingest/otlpDecode';
import { decodeTraceRequestJson } from '../src/core/ingest/otlpJson';
import { decodeTraceRequestProto } from '../src/core/ingest/otlpProtobuf';
import { countSpansProto } from '../src/core/ingest/protobufWalk';
import { BATCH_SIZE } from './corpus';
import type { CorpusManifest } from './makeCorpus';
import { describeMemory, type MemoryReading } from './memProbe';
import { RECEIVER_ENV, RECEIVER_NODE_FLAGS } from '../src/vscode/receiverProcess';
import { startReceiver, type ReceiverHandle } from './receiverHandle';

interface Batch {
  proto: Buffer;
  json: Buffer;
  spans: number;
}

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const JSON_SPANS = arg('spans-json', 1_000_000);
const PROTO_SPANS = arg('spans-proto', 3_000_000);
const RSS_SPANS = arg('spans-rss', 10_000_000);
const ONLY = (() => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? process.argv[i + 1] : '';
})();
const WORKERS = process.argv.includes('--workers') ? arg('workers', 2) : undefined;
const IN_PROCESS = process.argv.includes('--in-process');
const CHILD_ENV = { ...RECEIVER_ENV, ...Object.fromEntries(process.argv.flatMap((a, i) => (a === '--env' ? [process.argv[i + 1].split(/=(.*)/s).slice(0, 2)] : []))) };
const NODE_FLAGS = (() => {
  const i = process.argv.indexOf('--node-flags');
  return i > 0 ? process.argv[i + 1].split(/\s+/).filter(Boolean) : RECEIVER_NODE_FLAGS;
})();
const CONCURRENCY = 4;
// Run from the repository root (npm run bench:ingest); this file runs bundled from dist/bench.
const dir = path.resolve('bench', '.corpus');

function rate(spans: number, ms: number): number {
  return Math.round((spans * 1000) / ms);
}

/** Spans per second of `fn` over all batches, repeated for about a second, best of three. */
function ceiling(batches: Batch[], fn: (b: Batch) => unknown): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let spans = 0;
    const started = performance.now();
    while (performance.now() - started < 1000) {
      for (const b of batches) {
        fn(b);
        spans += b.spans;
      }
    }
    best = Math.max(best, rate(spans, performance.now() - started));
  }
  return best;
}

/** Replays `files` from a child process until `spans` were sent; returns spans/s until all were filed. */
async function replay(rx: ReceiverHandle, files: string[], contentType: string, spans: number, onSample?: () => Promise<void>): Promise<{ spansPerSec: number; retries: number }> {
  const requests = Math.ceil(spans / BATCH_SIZE);
  const target = (await rx.spansProcessed()) + requests * BATCH_SIZE;
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(__dirname, 'loadgen.js'), `${rx.url}/v1/traces`, contentType, String(requests), String(CONCURRENCY), ...files], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  let sampling = false;
  const sampler = onSample
    ? setInterval(() => {
        if (sampling) return;
        sampling = true;
        void onSample().finally(() => (sampling = false));
      }, 500)
    : undefined;
  await new Promise<void>((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loadgen exited ${code}`)))));
  await rx.filed(target);
  const ms = performance.now() - started;
  if (sampler) clearInterval(sampler);
  const report = JSON.parse(out) as { retries: number };
  return { spansPerSec: rate(requests * BATCH_SIZE, ms), retries: report.retries };
}

async function main(): Promise<void> {
  if (!process.argv.includes('--reuse-corpus') || !existsSync(path.join(dir, 'manifest.json'))) {
    rmSync(dir, { recursive: true, force: true });
    console.log('generating the corpus with the OpenTelemetry JS SDK (in a child process)...');
    execFileSync(process.execPath, [path.join(__dirname, 'makeCorpus.js'), dir], { stdio: 'inherit' });
  }
  const corpus = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as CorpusManifest;
  const workspace = corpus.workspace;
  const receiverOptions = { workspace, workers: WORKERS, nodeFlags: NODE_FLAGS, inProcess: IN_PROCESS, env: CHILD_ENV };

  // RSS first, in a receiver that has done nothing else yet.
  const wideRx = await startReceiver(receiverOptions);
  console.log(`receiver: ${wideRx.description}`);
  const baseline = await wideRx.memory(false);
  const rssSamples: { spans: number; reading: MemoryReading }[] = [];
  const detailed: { label: string; reading: MemoryReading }[] = [];
  const sample = async () => {
    const spans = await wideRx.spansProcessed();
    const reading = await wideRx.memory(false);
    rssSamples.push({ spans, reading });
    if (ONLY !== 'rss') return;
    const step = Math.floor((spans / RSS_SPANS) * 10);
    if (step > detailed.length - 1) detailed.push({ label: `${step * 10}%`, reading });
  };
  const wideRun = await replay(wideRx, corpus.wide, 'application/x-protobuf', RSS_SPANS, sample);
  await sample();
  const atEnd = rssSamples[rssSamples.length - 1].reading;
  // What stays once V8 collects: the retained set plus the heap V8 keeps.
  const snapshotAt = process.argv.indexOf('--heap-snapshot');
  const afterGc = await wideRx.memory(true, snapshotAt > 0 ? path.resolve(process.argv[snapshotAt + 1]) : undefined);
  if (snapshotAt > 0) console.log(`heap snapshot: ${path.resolve(process.argv[snapshotAt + 1])}`);
  const locations = await wideRx.locations();
  await wideRx.stop();
  const mb = (n: number) => Math.round(n);
  const at = (fraction: number) => (rssSamples.find((s) => s.spans >= RSS_SPANS * fraction) ?? rssSamples[rssSamples.length - 1]).reading;
  const rssLine =
    `RSS over ${(RSS_SPANS / 1e6).toFixed(0)}M protobuf spans across ${locations.toLocaleString('en-US')} locations (${wideRun.spansPerSec.toLocaleString('en-US')} spans/s): ` +
    `${mb(baseline.rss)} MB before, ${mb(at(0.2).rss)} MB at 20%, ${mb(at(0.5).rss)} MB at 50%, ${mb(atEnd.rss)} MB at the end, peak ${mb(Math.max(...rssSamples.map((s) => s.reading.rss)))} MB. ` +
    `At the end: V8 heap ${mb(atEnd.heapUsed)} MB used of ${mb(atEnd.heapTotal)} MB, ` +
    `off-heap buffers ${mb(atEnd.external)} MB. After a full GC: RSS ${mb(afterGc.rss)} MB, V8 heap ${mb(afterGc.heapUsed)} MB used.`;
  if (ONLY === 'rss') {
    console.log(`before: ${describeMemory(baseline)}`);
    for (const d of detailed) console.log(`${d.label}: ${describeMemory(d.reading)}`);
    console.log(`end: ${describeMemory(atEnd)}`);
    console.log(`after GC: ${describeMemory(afterGc)}`);
    console.log(`\n${rssLine} 429 retries: ${wideRun.retries}.\n`);
    return;
  }

  const rx = await startReceiver(receiverOptions);
  // Warm up mapping caches and the JIT so both phases measure the steady state.
  await replay(rx, corpus.hot.proto, 'application/x-protobuf', 100_000);
  await replay(rx, corpus.hot.json, 'application/json', 50_000);
  const json = await replay(rx, corpus.hot.json, 'application/json', JSON_SPANS);
  const proto = await replay(rx, corpus.hot.proto, 'application/x-protobuf', PROTO_SPANS);
  const uniform = await replay(rx, corpus.uniform, 'application/x-protobuf', PROTO_SPANS / 3);
  const requests = await replay(rx, corpus.requests, 'application/x-protobuf', PROTO_SPANS / 3);
  const locationsSeen = await rx.locations();
  const rxDescription = rx.description;
  await rx.stop();

  const hot: Batch[] = corpus.hot.proto.slice(0, 40).map((f, i) => ({ proto: readFileSync(f), json: readFileSync(corpus.hot.json[i]), spans: BATCH_SIZE }));
  const jsonParse = ceiling(hot, (b) => JSON.parse(b.json.toString('utf8')));
  // What the receiver runs (the byte decoder), and the general decoder it falls back to (JSON.parse, then a walk).
  const jsonDecode = ceiling(hot, (b) => decodeRequest('traces', 'json', b.json));
  const jsonGeneral = ceiling(hot, (b) => decodeTraceRequestJson(b.json.toString('utf8')));
  const protoWalk = ceiling(hot, (b) => countSpansProto(b.proto));
  const protoDecode = ceiling(hot, (b) => decodeTraceRequestProto(b.proto));
  const bytesPerSpan = (k: 'json' | 'proto') => corpus.bytesPerSpan[k];

  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const lines = [
    `### ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${cpu} · Node ${process.version} · git ${gitHead()}`,
    '',
    '| measure | JSON | protobuf |',
    '| --- | ---: | ---: |',
    `| bytes per span on the wire | ${bytesPerSpan('json')} | ${bytesPerSpan('proto')} |`,
    `| end to end, spans/s (second process, ${CONCURRENCY} keep-alive connections, ${JSON_SPANS / 1e6}M / ${PROTO_SPANS / 1e6}M spans) | ${json.spansPerSec.toLocaleString('en-US')} | ${proto.spansPerSec.toLocaleString('en-US')} |`,
    `| raw ceiling in-process, spans/s (JSON.parse / skip-only protobuf walk) | ${jsonParse.toLocaleString('en-US')} | ${protoWalk.toLocaleString('en-US')} |`,
    `| end to end ÷ raw ceiling | ${pct(json.spansPerSec, jsonParse)} | ${pct(proto.spansPerSec, protoWalk)} |`,
    `| our decoder alone in-process, spans/s | ${jsonDecode.toLocaleString('en-US')} | ${protoDecode.toLocaleString('en-US')} |`,
    `| end to end ÷ decoder alone | ${pct(json.spansPerSec, jsonDecode)} | ${pct(proto.spansPerSec, protoDecode)} |`,
    `| JSON's general decoder alone (UTF-8 text, JSON.parse, walk: bodies the byte decoder leaves), spans/s; the byte decoder ÷ it | ${jsonGeneral.toLocaleString('en-US')}; ${(jsonDecode / jsonGeneral).toFixed(2)}× | |`,
    `| end to end with uniform traffic over every location (CPU-cache worst case), spans/s | | ${uniform.spansPerSec.toLocaleString('en-US')} |`,
    `| end to end with whole requests (server, handler, middleware and client span each; one call and one exception counted per request), spans/s, and ÷ uniform flat spans | | ${requests.spansPerSec.toLocaleString('en-US')} (${pct(requests.spansPerSec, uniform.spansPerSec)}) |`,
    '',
    `Receiver: ${rxDescription}.`,
    '',
    `Throughput corpus: 10 services, ${locationsSeen.toLocaleString('en-US')} code locations, Zipf(1) traffic per service, 5% errors with V8 stack traces, ${BATCH_SIZE} spans per batch.`,
    '',
    `${rssLine} 429 retries: ${json.retries + proto.retries + wideRun.retries}.`,
  ];
  console.log(`\n${lines.join('\n')}\n`);
  console.log('Targets: protobuf >= 250,000 spans/s, JSON >= 100,000 spans/s, each >= 60% of its ceiling; RSS under 200 MB.');
}

function pct(a: number, b: number): string {
  return `${Math.round((a / b) * 100)}%`;
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
