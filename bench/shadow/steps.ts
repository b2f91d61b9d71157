/**
 * The measured steps of bench:shadow, each against the same running server(s) with the same
 * connections and request count: autocannon (the ceiling), the replayer alone (`replayAll`), and the
 * whole shadow run (`runShadow`: sanitize, sample, replay, collect the spans from the receiver,
 * compare), with and without the baseline replayed twice.
 */
import autocannon from 'autocannon';
import type { ShadowReport } from '../../src/core/api/shadowReport';
import type { TraceSpan } from '../../src/core/api/signals';
import { replayAll } from '../../src/core/shadow/replayer';
import { createSanitizer } from '../../src/core/shadow/sanitizer';
import type { ShadowRequest } from '../../src/core/shadow/shadowRequest';
import { runShadow, type ShadowPhase } from '../../src/core/shadow/shadowRun';
import type { SpanLookup } from '../../src/core/shadow/spanCollector';
import type { TraceBuffer } from '../../src/core/signals/traceBuffer';

/** The paths both sides request, in turn. */
export const PATHS = Array.from({ length: 8 }, (_, i) => `/items/${i + 1}`);
/** Headers both sides send (ours adds a fresh traceparent, as every shadow request carries one). */
const HEADERS: [string, string][] = [
  ['accept', 'application/json'],
  ['user-agent', 'bench-shadow'],
];

/** What one step measured. */
export interface StepResult {
  /** Requests answered 2xx (for the shadow runs: replayed requests, each to every target). */
  ok: number;
  /** Answers that were not 2xx, errors and timeouts. */
  bad: number;
  wallMs: number;
  /** CPU time of the benchmark process (client, and the receiver ingesting the server's spans). */
  cpuMs: number;
  latency?: { p50: number; p99: number };
  /** Shadow runs: time to the last answer, then waiting for spans, then comparing. */
  phases?: { replayMs: number; spansMs: number; compareMs: number };
  /** Shadow runs: traces whose server span the receiver held at collection, of those expected. */
  spans?: { complete: number; expected: number };
  report?: ShadowReport;
}

/** `n` GET requests over the paths, as traffic read from a file would give them. */
export function benchTraffic(n: number): ShadowRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `json:${i}`,
    origin: 'json',
    method: 'GET',
    target: PATHS[i % PATHS.length],
    route: '/items/:id',
    headers: HEADERS.map(([k, v]): [string, string] => [k, v]),
    recorded: { status: 200 },
  }));
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await run();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** autocannon with `connections` connections until `amount` requests were answered. */
export async function autocannonStep(url: URL, connections: number, amount: number): Promise<StepResult> {
  const ms: number[] = [];
  const {
    value: r,
    wallMs,
    cpuMs,
  } = await timed(
    () =>
      new Promise<autocannon.Result>((resolve, reject) => {
        const run = autocannon(
          {
            url: url.toString().replace(/\/$/, ''),
            connections,
            amount,
            // It notices the last answer on its next sample tick (1 s by default): a short tick keeps its wall time its own.
            sampleInt: 10,
            headers: Object.fromEntries(HEADERS),
            requests: PATHS.map((path) => ({ method: 'GET', path })),
          },
          (err, result) => (err ? reject(err) : resolve(result)),
        );
        // Its own latency histogram keeps whole milliseconds; these are the times it measured, unrounded.
        run.on('response', (_client, _status, _bytes, responseTime) => ms.push(responseTime));
      }),
  );
  return { ok: r['2xx'], bad: r.non2xx + r.errors + r.timeouts, wallMs, cpuMs, latency: percentiles(ms) };
}

/** The replayer alone, candidate only: `replayAll` with the shadow run's options. */
export async function replayAllStep(url: URL, connections: number, requests: ShadowRequest[]): Promise<StepResult> {
  let ok = 0;
  let bad = 0;
  const ms: number[] = [];
  const { wallMs, cpuMs } = await timed(() =>
    replayAll(requests, [{ label: 'candidate', url }], replayOptions(connections), (_, [a]) => {
      if (a.status >= 200 && a.status < 300) ok++;
      else bad++;
      ms.push(a.durationMs);
    }),
  );
  return { ok, bad, wallMs, cpuMs, latency: percentiles(ms) };
}

/** The whole shadow run as `runtime-lens shadow` makes it, its spans read from the receiver's trace buffer. */
export async function shadowRunStep(candidate: URL, baseline: URL | undefined, connections: number, requests: ShadowRequest[], traces: Pick<TraceBuffer, 'get' | 'getMany'>): Promise<StepResult> {
  const marks = new Map<ShadowPhase, number>();
  const complete = new Set<string>();
  const note = (id: string, got: TraceSpan[] | undefined) => {
    if (got?.some((s) => s.kind === 2)) complete.add(id);
  };
  // As `runtime-lens shadow` reads its receiver (src/cli/shadowCommand.ts), counting the traces that came whole.
  const lookup: SpanLookup = {
    spans: (id) => {
      const got = traces.get(id);
      note(id, got);
      return got;
    },
    spansOf: (ids) => {
      const got = traces.getMany(ids);
      for (const [id, spans] of got) note(id, spans);
      return got;
    },
  };
  const started = performance.now();
  const {
    value: report,
    wallMs,
    cpuMs,
  } = await timed(() =>
    runShadow(
      {
        traffic: { requests, skipped: [] },
        trafficLabel: 'bench traffic',
        candidate,
        baseline,
        allowMethods: [],
        budget: { requests: requests.length, seconds: 600 },
        replay: replayOptions(connections),
        spanWaitMs: 5_000,
        sanitizer: createSanitizer(),
        progress: (phase) => {
          if (!marks.has(phase)) marks.set(phase, performance.now());
        },
      },
      lookup,
    ),
  );
  const end = started + wallMs;
  const spansAt = marks.get('spans') ?? end;
  const compareAt = marks.get('compare') ?? end;
  // Every request was recorded as answered 200: a candidate answer that is not counts as a production mismatch.
  const bad = report.routes.reduce((n, r) => n + r.productionMismatches, 0);
  return {
    ok: report.replayed - bad,
    bad,
    wallMs,
    cpuMs,
    phases: { replayMs: spansAt - started, spansMs: compareAt - spansAt, compareMs: end - compareAt },
    spans: { complete: complete.size, expected: report.replayed * (baseline ? 3 : 1) },
    report,
  };
}

function replayOptions(connections: number) {
  // The CLI's defaults (src/cli/shadowCommand.ts), with its concurrency set to autocannon's connections.
  return { concurrency: connections, ratePerSecond: 0, timeoutMs: 10_000, maxGapMs: 200, maxBodyBytes: 1024 * 1024 };
}

function percentiles(ms: number[]): { p50: number; p99: number } {
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length * 0.5)] ?? NaN, p99: ms[Math.floor(ms.length * 0.99)] ?? NaN };
}
