/**
 * `npm run bench:shadow`: the shadow run's replay throughput with full trace capture, side by side
 * with autocannon against the same server in the same process run (issue 13 §5). A trivial node:http
 * server instrumented with the real OpenTelemetry Node SDK (bench/shadow/trivialServer.cjs) is started
 * the way the shadow run starts a local build (src/core/shadow/localBuild.ts), exporting every span to
 * an embedded receiver in this process, as `runtime-lens shadow` hosts one. Each round runs, back to
 * back on the same servers and with the same connections and request count:
 *   - autocannon (the ceiling: a load generator that does nothing else);
 *   - replayAll alone, candidate only;
 *   - the whole shadow run (runShadow: sanitize, sample, replay, collect every span, compare), candidate only;
 *   - the whole shadow run with the baseline (a second server process) replayed twice per request.
 * Options: --requests N (default 10,000: the baseline step's 30,000 server spans fit the receiver's
 * trace buffer), --connections C (default 8, the CLI's --concurrency), --rounds R (default 3),
 * --record (append the table to bench/RESULTS.md).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { EmbeddedReceiver } from '../src/core/server/embeddedReceiver';
import { type LocalBuild, startLocalBuild } from '../src/core/shadow/localBuild';
import { type Round, rate, recordResults, renderResults } from './shadow/report';
import { autocannonStep, benchTraffic, replayAllStep, shadowRunStep, type StepResult } from './shadow/steps';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 10_000);
const CONNECTIONS = arg('connections', 8);
const ROUNDS = arg('rounds', 3);
const WARMUP = 2_000;
const HERE = path.join(__dirname, 'shadow');

const log = (line: string) => console.error(`[bench:shadow ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Waits until the receiver has filed everything sent so far (no new span for 300 ms), so no step pays for the last one's tail. */
async function settle(receiver: EmbeddedReceiver): Promise<void> {
  let last = -1;
  for (;;) {
    await receiver.pipeline.idle();
    const now = receiver.pipeline.stats.spansProcessed;
    if (now === last) return;
    last = now;
    await new Promise((r) => setTimeout(r, 300));
  }
}

function line(name: string, s: StepResult): string {
  const extra = s.phases ? `; replay ${Math.round(s.phases.replayMs)} ms, spans ${Math.round(s.phases.spansMs)} ms, compare ${Math.round(s.phases.compareMs)} ms; spans ${s.spans?.complete}/${s.spans?.expected}` : '';
  return `${name}: ${Math.round(rate(s))}/s (${s.ok} ok, ${s.bad} bad, ${Math.round(s.wallMs)} ms, cpu ${Math.round(s.cpuMs)} ms${extra})`;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadStart = os.loadavg();
  const stops: (() => Promise<void>)[] = [];
  try {
    // As `runtime-lens shadow` hosts it (src/cli/shadowCommand.ts), with the product's defaults.
    const receiver = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: HERE, watchWorkspace: false });
    await receiver.start();
    stops.push(() => receiver.stop());
    await receiver.indexReady;
    const otlpEndpoint = `http://127.0.0.1:${receiver.receiver.address()!.port}`;
    const start = async (environment: string): Promise<LocalBuild> => {
      const build = await startLocalBuild({ command: `"${process.execPath}" trivialServer.cjs`, cwd: HERE, otlpEndpoint, environment, health: '/health', startTimeoutMs: 30_000 });
      stops.push(() => build.stop());
      return build;
    };
    const candidate = (await start('shadow')).url;
    const baseline = (await start('shadow-baseline')).url;
    log(`receiver ${otlpEndpoint}, candidate ${candidate.host}, baseline ${baseline.host}; ${REQUESTS} requests, ${CONNECTIONS} connections, ${ROUNDS} rounds`);
    const traffic = benchTraffic(REQUESTS);
    const traces = receiver.traces;

    // Both clients and both servers warm (JIT, sockets) before anything counts.
    await autocannonStep(candidate, CONNECTIONS, WARMUP);
    await replayAllStep(candidate, CONNECTIONS, benchTraffic(WARMUP));
    await shadowRunStep(candidate, baseline, CONNECTIONS, benchTraffic(WARMUP), traces);
    await settle(receiver);

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const step = async (name: string, run: () => Promise<StepResult>) => {
        await settle(receiver);
        const s = await run();
        log(`round ${i + 1} ${line(name, s)}`);
        return s;
      };
      // autocannon goes first in odd rounds and last in even ones, so neither side always follows the same step.
      const ac = () => step('autocannon', () => autocannonStep(candidate, CONNECTIONS, REQUESTS));
      const first = i % 2 === 0 ? await ac() : undefined;
      const replay = await step('replayAll alone', () => replayAllStep(candidate, CONNECTIONS, traffic));
      const shadow = await step('shadow run, candidate only', () => shadowRunStep(candidate, undefined, CONNECTIONS, traffic, traces));
      const shadowBaseline = await step('shadow run, baseline twice', () => shadowRunStep(candidate, baseline, CONNECTIONS, traffic, traces));
      const autocannon = first ?? (await ac());
      rounds.push({ autocannon, replayAll: replay, shadow, shadowBaseline });
    }
    for (const w of new Set(rounds.flatMap((r) => [...(r.shadow.report?.warnings ?? []), ...(r.shadowBaseline.report?.warnings ?? [])]))) log(`report warning: ${w}`);

    const section = renderResults({ startedAt, minutesTotal: (Date.now() - startedAt) / 60_000, requests: REQUESTS, connections: CONNECTIONS, rounds, loadStart, loadEnd: os.loadavg() });
    console.log(section);
    if (process.argv.includes('--record')) {
      recordResults(section);
      log('appended to bench/RESULTS.md');
    }
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err: Error) => log(`cleanup: ${err.message}`));
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
