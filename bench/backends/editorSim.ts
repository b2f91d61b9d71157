/**
 * One editor window with N files open, as the extension reads the read API, in its own process: the
 * core's ReadApiClient, SignalsCache and StreamClient wired as src/vscode/liveSignals.ts wires them
 * (stream `changed` and `hello` invalidate, a 30 s slide refresh), and each open file's CodeLens
 * asking again whenever the cache announces its file. argv[2] is a JSON EditorPlan; prints one JSON
 * EditorReport line. The event-loop delay monitor stands in for "how long our client code held the
 * host": nothing else runs in this process.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { StreamMessage } from '../../src/core/api/streamProtocol';
import { ReadApiClient } from '../../src/core/client/readApiClient';
import { resolveQuery, SignalsCache } from '../../src/core/client/signalsCache';
import { StreamClient } from '../../src/core/client/streamClient';

/** What the simulated editor opens, where, for how long. */
export interface EditorPlan {
  server: string;
  /** Workspace-relative files open in editors (all opened at once, as a restored window does). */
  files: string[];
  window: string;
  durationMs: number;
}

/** What it saw. */
export interface EditorReport {
  /** Read-API requests sent (signals). */
  requests: number;
  /** Per file: ms from opening it to the first answer with a function row, or -1 if none came. */
  firstFiguresMs: number[];
  /** Same, to the first answer whose rows all rest on all traffic (the receiver's, or metrics; not a sample). */
  firstAllTrafficMs: number[];
  /** Times a CodeLens asked again after its file was announced. */
  lensRefreshes: number;
  failures: number;
  /** Longest event-loop delay (ms) while the files opened (loading the client's modules included). */
  openLoopMaxMs: number;
  /** Longest and 99th percentile event-loop delay (ms) afterwards, while figures refresh. */
  loopMaxMs: number;
  loopP99Ms: number;
}

const SLIDE_REFRESH_MS = 30_000;
const plan = JSON.parse(process.argv[2] ?? '{}') as EditorPlan;
const report: EditorReport = { requests: 0, firstFiguresMs: plan.files.map(() => -1), firstAllTrafficMs: plan.files.map(() => -1), lensRefreshes: 0, failures: 0, openLoopMaxMs: 0, loopMaxMs: 0, loopP99Ms: 0 };
const client = new ReadApiClient({ server: plan.server, timeoutMs: 10_000 });
const selection = { window: plan.window, environment: undefined };
const openedAt = new Map<string, number>();

const cache = new SignalsCache({
  fetch: (q) => {
    report.requests++;
    return client.signals({ window: q.window, environment: q.environment, file: q.file, perMinute: q.perMinute, top: q.top > 0 ? q.top : undefined });
  },
  changed: (files) => {
    for (const f of files) {
      if (!openedAt.has(f)) continue;
      report.lensRefreshes++;
      void lens(f);
    }
  },
  failed: () => void report.failures++,
});

/** What a CodeLens provider does for its file: ask the cache, note when figures first showed. */
async function lens(file: string): Promise<void> {
  const answer = await cache.get(resolveQuery({ file }, selection));
  const i = plan.files.indexOf(file);
  const functions = answer?.response.functions ?? [];
  if (functions.length === 0) return;
  const since = performance.now() - openedAt.get(file)!;
  if (report.firstFiguresMs[i] === -1) report.firstFiguresMs[i] = since;
  if (report.firstAllTrafficMs[i] === -1 && functions.every((f) => f.figures?.traffic.basis !== 'sampled')) report.firstAllTrafficMs[i] = since;
}

function onMessage(message: StreamMessage): void {
  if (message.type === 'hello') cache.invalidate(undefined);
  else if (message.type === 'changed') {
    if (message.all) {
      cache.invalidate(undefined);
      cache.announce(message.files);
    } else cache.invalidate(message.files);
  }
}

async function main(): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const stream = new StreamClient({ server: plan.server }, { message: onMessage });
  stream.start();
  const slide = setInterval(() => cache.invalidate(undefined), SLIDE_REFRESH_MS);
  for (const f of plan.files) openedAt.set(f, performance.now());
  const started = performance.now();
  await Promise.all(plan.files.map((f) => lens(f)));
  report.openLoopMaxMs = loop.max / 1e6;
  loop.reset();
  await new Promise((r) => setTimeout(r, Math.max(0, plan.durationMs - (performance.now() - started))));
  clearInterval(slide);
  stream.close();
  loop.disable();
  report.loopMaxMs = loop.max / 1e6;
  report.loopP99Ms = loop.percentile(99) / 1e6;
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exit(0);
}

void main();
