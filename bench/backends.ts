/**
 * `npm run bench:backends`: Runtime Lens reading the team's backends at scale, side by side with the
 * embedded receiver on the same traffic (issue 12 §4). Real Jaeger v2, OpenTelemetry Collector
 * (spanmetrics) and Prometheus; the OpenTelemetry JS SDK makes the traffic, and every batch goes byte
 * for byte to the collector (-> Jaeger, -> span metrics -> Prometheus) and to `runtime-lens serve`
 * with its embedded receiver. A second kind of serve reads Jaeger and Prometheus only
 * (`--no-receiver --source jaeger=... --source prometheus=...`). Measured:
 *   - what the backends hold (Jaeger spans counted back through its API, Prometheus series);
 *   - the read API's time from asking a file's signals, as an editor does when a file opens, to an
 *     answer with figures, cold and warm, backends against the embedded receiver;
 *   - figures (calls, errors, error rate, rate, p50, p95) of every function, backends against
 *     embedded: settled (all traffic in the window) and live (a steady trickle over a full window);
 *   - refresh cost with 1, 5 and 20 open editors (bench/backends/editorSim.ts: the core's read-API
 *     client, signals cache and stream as the extension wires them): requests and bytes each source
 *     sends its backend per minute per open editor, from `/api/status`.
 * Options: --spans N (default 1,000,000), --refresh-seconds S (least measured refresh time, default
 * 120), --live-window 1m (default 5m; 1m for a quick trial), --record (append the table to bench/RESULTS.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SignalsResponse } from '../src/core/api/signals';
import { ensureBackends, startCollector, startJaeger, startPrometheus } from '../test/support/backends';
import { startServer, waitForStatus } from '../test/support/harness';
import { writeWorkspace } from './corpus';
import { histogramBounds, jaegerHoldings, spanMetricCalls, spanMetricSeries } from './backends/backendCounts';
import { runChild } from './backends/children';
import { sampleSourceTraffic, summarizeTraffic } from './backends/sourceTraffic';
import type { EditorPlan, EditorReport } from './backends/editorSim';
import { compareFigures } from './backends/figures';
import { recordResults, renderResults, type RefreshRun, type Results } from './backends/report';
import type { SendPlan, SendReport } from './backends/sendTraffic';
import { MODULES_PER_SERVICE, relativeFile, SPANS_PER_TRACE, TRACES_PER_BATCH } from './backends/traffic';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SPANS = arg('spans', 1_000_000);
/** The live comparison's window: a steady trickle covers all of it first (1m makes a quick trial run). */
const LIVE_WINDOW = process.argv.includes('--live-window') ? process.argv[process.argv.indexOf('--live-window') + 1]! : '5m';
const LIVE_WINDOW_MS = (LIVE_WINDOW.endsWith('m') ? 60_000 : 1_000) * Number.parseInt(LIVE_WINDOW, 10);
const REFRESH_SECONDS = arg('refresh-seconds', 120);
const SPANS_PER_BATCH = TRACES_PER_BATCH * SPANS_PER_TRACE;
/** Jaeger keeps this many traces (memory store): room for the bulk and the trickle. */
const MAX_TRACES = Math.ceil((SPANS * 1.5) / SPANS_PER_TRACE);
const TRICKLE_SPANS_PER_SECOND = 1_000;
/** Small trickle batches, each service's turn every half second: no function's calls arrive in bursts. */
const TRICKLE_TRACES_PER_BATCH = 10;
const EDITORS = [1, 5, 20];
/** Seconds of the trickle Prometheus holds before the editors open. */
const WARM_SECONDS = 15;
/**
 * Settled, both sides hold the same spans: every figure but the rate, which is per minute of the
 * window for the backends and per minute the receiver has held data for the receiver (by design).
 */
const SETTLED_MEASURES = ['calls (count)', 'errors', 'error rate', 'p50', 'p95'];
/** Live, the windows' old edges differ (the receiver counts the edge minute whole): the per-minute figures. */
const LIVE_MEASURES = ['rate per minute', 'error rate'];
const SERVICES = 10;
const ALL_FILES = Array.from({ length: SERVICES * MODULES_PER_SERVICE }, (_, i) => relativeFile(i % SERVICES, Math.floor(i / SERVICES)));
const editorFiles = (n: number) => Array.from({ length: n }, (_, i) => relativeFile(i % SERVICES, (i * 7) % MODULES_PER_SERVICE));
const probeFiles = Array.from({ length: 20 }, (_, i) => relativeFile(i % SERVICES, (i * 3 + 1) % MODULES_PER_SERVICE));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.error(`[bench:backends ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** GET /api/signals for one file; the time to an answer and whether it had figures. */
async function askFile(server: string, file: string, window: string): Promise<{ ms: number; answer: SignalsResponse }> {
  const started = performance.now();
  const res = await fetch(`${server}/api/signals?${new URLSearchParams({ file, window })}`);
  const text = await res.text();
  if (!res.ok) throw new Error(`${server} ${file}: ${res.status} ${text.slice(0, 200)}`);
  const answer = JSON.parse(text) as SignalsResponse;
  return { ms: performance.now() - started, answer };
}

/**
 * Asks a file until an answer has figures of all traffic, as an editor asks again on each `changed` (a source may
 * answer a file's first ask before its backend was asked): the time to that answer, and whether the
 * first answer already had them. Polls every 100 ms, for at most 30 s.
 */
async function askUntilFigures(server: string, file: string, window: string): Promise<{ ms: number; first: boolean; answer: SignalsResponse }> {
  const started = performance.now();
  for (let tries = 0; ; tries++) {
    const { answer } = await askFile(server, file, window);
    // Figures of all traffic (the receiver's, or metrics): a backend's sampled rows, shown sooner, do not count here.
    if (allTraffic(answer) || performance.now() - started > 30_000) return { ms: performance.now() - started, first: tries === 0, answer };
    await sleep(100);
  }
}

/** How long the live comparison may take; the trickle lasts that much past the editors' stretch. */
const LIVE_COMPARE_MS = 300_000;

/**
 * Live answers of both servers taken at the same moment per chunk: the backends' chunk once metrics
 * cover it, then the receiver's for the same files at once (a window moving between the two would
 * compare different traffic).
 */
async function pairedAnswers(embedded: string, reader: string, files: string[], window: string): Promise<{ embedded: SignalsResponse[]; backends: SignalsResponse[] }> {
  const out = { embedded: [] as SignalsResponse[], backends: [] as SignalsResponse[] };
  for (let i = 0; i < files.length; i += 25) {
    const chunk = files.slice(i, i + 25);
    out.backends.push(...(await answersFor(reader, chunk, window)));
    for (const f of chunk) out.embedded.push((await askFile(embedded, f, window)).answer);
  }
  return out;
}

/** A row rests on all traffic: the receiver's, or a backend's metrics (not its sampled traces). */
const allTraffic = (a: SignalsResponse): boolean => a.functions.length > 0 && a.functions.every((f) => f.figures?.traffic.basis !== 'sampled');

/**
 * Every file's answer with figures of all traffic. Files are asked in chunks of 25, as a few editors
 * would hold open (a metrics source keeps figures for what is asked, up to 32 files a window); each
 * chunk is asked again (2 s apart, at most 60 s) until its answers rest on all traffic.
 */
async function answersFor(server: string, files: string[], window: string): Promise<SignalsResponse[]> {
  const out: SignalsResponse[] = [];
  for (let i = 0; i < files.length; i += 25) {
    const chunk = files.slice(i, i + 25);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const answers: SignalsResponse[] = [];
      for (const f of chunk) answers.push((await askFile(server, f, window)).answer);
      const short = answers.filter((a) => !allTraffic(a)).length;
      if (short === 0 || Date.now() > deadline) {
        if (short > 0) log(`${server}: ${short} of ${chunk.length} file(s) still without figures of all traffic after 60 s`);
        out.push(...answers);
        break;
      }
      await sleep(2_000);
    }
  }
  return out;
}

async function main(): Promise<void> {
  ensureBackends();
  const started = Date.now();
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'rl-bench-backends-'));
  writeWorkspace(workspace, MODULES_PER_SERVICE);
  const stops: (() => Promise<void>)[] = [];
  try {
    const jaeger = await startJaeger({ maxTraces: MAX_TRACES });
    stops.push(jaeger.stop);
    const collector = await startCollector({ jaegerOtlpUrl: jaeger.otlpHttpUrl });
    stops.push(collector.stop);
    const prometheus = await startPrometheus({ scrapeUrl: collector.metricsUrl });
    stops.push(prometheus.stop);
    const embedded = await startServer({ workspace, args: ['--path-rule', '/app/='] });
    stops.push(embedded.stop);
    const backendsServe = async () => {
      const s = await startServer({ workspace, args: ['--no-receiver', '--path-rule', '/app/=', '--source', `jaeger=${jaeger.queryUrl}`, '--source', `prometheus=${prometheus.url}`] });
      stops.push(s.stop);
      return s;
    };
    const targets = [`${collector.otlpHttpUrl}/v1/traces`, `${embedded.url}/v1/traces`];

    log(`sending ${SPANS.toLocaleString('en-US')} spans to the collector and the embedded receiver`);
    const bulk = await runChild<SendReport>('sendTraffic.ts', { targets, firstBatch: 0, batches: Math.ceil(SPANS / SPANS_PER_BATCH), concurrency: 4 } satisfies SendPlan);
    if (bulk.failed > 0) throw new Error(`${bulk.failed} batch(es) were not taken: ${JSON.stringify(bulk.statuses)}`);
    log(`sent ${bulk.spans} spans in ${(bulk.ms / 1000).toFixed(1)} s; waiting for the receiver and Prometheus to count them all`);
    await waitForStatus(embedded.url, (s) => s.spansProcessed >= bulk.spans, 120_000);
    const settleDeadline = Date.now() + 120_000;
    while ((await spanMetricCalls(prometheus.url)) < bulk.spans) {
      if (Date.now() > settleDeadline) throw new Error(`Prometheus counts ${await spanMetricCalls(prometheus.url)} calls of ${bulk.spans} after 120 s`);
      await sleep(1_000);
    }
    const series = await spanMetricSeries(prometheus.url);
    const bounds = await histogramBounds(prometheus.url);
    log(`Prometheus: ${series} series; reading every trace back from Jaeger`);
    const held = await jaegerHoldings(jaeger.queryUrl, MAX_TRACES);
    log(`Jaeger holds ${held.spans} spans in ${held.traces} traces (read back in ${(held.ms / 1000).toFixed(1)} s)`);

    // A serve reading the backends, started now: its first answer includes finding the span-metric names.
    const reader = await backendsServe();
    const cold: Results['cold'] = { backends: [], embedded: [], empty: [] };
    const warm: { backends: number[]; embedded: number[] } = { backends: [], embedded: [] };
    for (const file of probeFiles) {
      const b = await askUntilFigures(reader.url, file, '5m');
      const e = await askUntilFigures(embedded.url, file, '5m');
      if (!b.first) cold.empty.push(`backends ${file}`);
      if (!e.first) cold.empty.push(`embedded ${file}`);
      cold.backends.push(b.ms);
      cold.embedded.push(e.ms);
    }
    for (const file of probeFiles) {
      warm.backends.push((await askFile(reader.url, file, '5m')).ms);
      warm.embedded.push((await askFile(embedded.url, file, '5m')).ms);
    }
    log('comparing every function settled (window 15m holds all the traffic)');
    const settled = compareFigures(await answersFor(embedded.url, ALL_FILES, '15m'), await answersFor(reader.url, ALL_FILES, '15m'), bounds, SETTLED_MEASURES);

    // Live: a steady trickle to both, editors open against a fresh backends serve each, and against the receiver.
    const trickleStart = Date.now();
    // The editors open after the warm-up and stay at least REFRESH_SECONDS; the trickle covers the live window whole.
    const liveAt = Math.max(trickleStart + (WARM_SECONDS + REFRESH_SECONDS) * 1000, trickleStart + LIVE_WINDOW_MS + 20_000);
    // The trickle goes on through the comparison (chunks of files asked over a few minutes), so every answer sees steady traffic.
    const trickleBatches = Math.ceil(((liveAt - trickleStart + LIVE_COMPARE_MS) / 1000) * (TRICKLE_SPANS_PER_SECOND / (TRICKLE_TRACES_PER_BATCH * SPANS_PER_TRACE)));
    log(`steady trickle of ${TRICKLE_SPANS_PER_SECOND} spans/s; editors open after ${WARM_SECONDS} s of it, until ${((liveAt - trickleStart) / 1000).toFixed(0)} s`);
    const trickle = runChild<SendReport>('sendTraffic.ts', {
      targets,
      firstBatch: 0,
      batches: trickleBatches,
      concurrency: 2,
      spansPerSecond: TRICKLE_SPANS_PER_SECOND,
      tracesPerBatch: TRICKLE_TRACES_PER_BATCH,
    } satisfies SendPlan);
    // Editors open on traffic that is already flowing, as in production: wait until Prometheus holds
    // WARM_SECONDS of the trickle (every service's functions in the 5m window), else the first figures
    // would time the collector's flush and Prometheus' scrape of the trickle's first spans, not us.
    const warmDeadline = Date.now() + 120_000;
    while ((await spanMetricCalls(prometheus.url)) < bulk.spans + WARM_SECONDS * TRICKLE_SPANS_PER_SECOND) {
      if (Date.now() > warmDeadline) throw new Error(`Prometheus holds less than ${WARM_SECONDS} s of the trickle after 120 s`);
      await sleep(1_000);
    }
    const serves = await Promise.all(EDITORS.map(() => backendsServe()));
    const samplers = serves.map((sv) => sampleSourceTraffic(sv.url));
    const durationMs = liveAt - Date.now();
    const plan = (server: string, n: number): EditorPlan => ({ server, files: editorFiles(n), window: '5m', durationMs });
    const [simReports, embeddedReports] = await Promise.all([
      Promise.all(EDITORS.map((n, i) => runChild<EditorReport>('editorSim.ts', plan(serves[i]!.url, n)))),
      Promise.all(EDITORS.map((n) => runChild<EditorReport>('editorSim.ts', plan(embedded.url, n)))),
    ]);
    const traffic = await Promise.all(samplers.map((x) => x.stop()));
    const refresh: RefreshRun[] = EDITORS.map((n, i) => ({ editors: n, perSource: summarizeTraffic(traffic[i]!), backends: simReports[i]!, embedded: embeddedReports[i]! }));
    log(`comparing every function live (window ${LIVE_WINDOW}, a steady trickle over all of it)`);
    const paired = await pairedAnswers(embedded.url, reader.url, ALL_FILES, LIVE_WINDOW);
    const live = compareFigures(paired.embedded, paired.backends, bounds, LIVE_MEASURES);
    const trickled = await trickle;

    const results: Results = { liveWindow: LIVE_WINDOW, startedAt: started, minutesTotal: (Date.now() - started) / 60_000, bulk, trickle: trickled, series, bounds, held, cold, warm, settled, live, refresh };
    const table = renderResults(results);
    console.log(`\n${table}\n`);
    if (process.argv.includes('--record')) recordResults(table);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
