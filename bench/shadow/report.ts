/**
 * bench:shadow's table: each measure, ours (the shadow run's replayer, full capture), autocannon's
 * against the same server in the same run, the target, the ratio and whether it is met; and appending
 * it to bench/RESULTS.md (with --record).
 */
import { execFileSync } from 'node:child_process';
import { recordResults as recordUnder } from '../resultsFile';
import * as os from 'node:os';
import type { StepResult } from './steps';

/** One round: every step once, back to back on the same servers. */
export interface Round {
  autocannon: StepResult;
  replayAll: StepResult;
  shadow: StepResult;
  shadowBaseline: StepResult;
}

/** What a run measured. */
export interface Results {
  startedAt: number;
  minutesTotal: number;
  requests: number;
  connections: number;
  rounds: Round[];
  /** os.loadavg() when the run started and ended: what else the machine was doing. */
  loadStart: number[];
  loadEnd: number[];
}

const TARGET = 0.7;
const n = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => `${v < 10 ? v.toFixed(2) : Math.round(v)} ms`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');
/** Answered requests per second of a step. */
export const rate = (s: StepResult) => s.ok / (s.wallMs / 1000);
/** The median of a figure over the rounds, with its range when there is more than one round. */
const spread = (rounds: Round[], f: (r: Round) => number, fmt: (v: number) => string) => {
  const v = rounds.map(f);
  return v.length > 1 ? `${fmt(median(v))} (${fmt(Math.min(...v))}–${fmt(Math.max(...v))})` : fmt(v[0]!);
};

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The markdown section of one run. */
export function renderResults(r: Results): string {
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
  const heading = `### ${new Date(r.startedAt).toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${cpu} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · git ${gitHead()} · ${r.minutesTotal.toFixed(1)} min · load average ${load(r.loadStart)} at the start, ${load(r.loadEnd)} at the end`;
  const R = r.rounds;
  const ac = (x: Round) => rate(x.autocannon);
  const perS = (v: number) => `${n(v)}/s`;
  const ratio = (f: (x: Round) => number) => median(R.map((x) => f(x) / ac(x)));
  const whole = ratio((x) => rate(x.shadow));
  const alone = ratio((x) => rate(x.replayAll));
  const spansOf = (s: StepResult) => s.spans ?? { complete: 0, expected: 0 };
  const complete = R.every((x) => spansOf(x.shadow).complete === spansOf(x.shadow).expected && spansOf(x.shadowBaseline).complete === spansOf(x.shadowBaseline).expected);
  const spanCounts = (s: (x: Round) => StepResult) => R.map((x) => `${n(spansOf(s(x)).complete)}/${n(spansOf(s(x)).expected)}`).join(', ');
  const overhead = median(R.map((x) => x.shadowBaseline.wallMs / x.shadow.wallMs));
  const phases = (s: (x: Round) => StepResult) => {
    const p = (k: 'replayMs' | 'spansMs' | 'compareMs') => ms(median(R.map((x) => s(x).phases?.[k] ?? NaN)));
    return `replay ${p('replayMs')}, spans ${p('spansMs')}, compare ${p('compareMs')}`;
  };
  const bad = R.reduce((t, x) => t + x.autocannon.bad + x.replayAll.bad + x.shadow.bad + x.shadowBaseline.bad, 0);
  const differences = R.map((x) => x.shadowBaseline.report?.summary)
    .map((s) => (s ? s.statusMismatches + s.newErrors + s.shapeChanges + s.newCalls + (s.valueChanges ?? 0) : NaN))
    .reduce((a, b) => a + b, 0);
  const cpuPer = (s: StepResult) => (s.cpuMs * 1000) / Math.max(1, s.ok);
  const rows = [
    `| measure (median of ${R.length} rounds, range in brackets; ${n(r.requests)} requests, ${r.connections} connections each) | ours: shadow run, full capture | autocannon, same server | target | ratio | |`,
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| requests/s, whole shadow run, candidate only (sanitize, sample, replay, collect every span, compare) | ${spread(R, (x) => rate(x.shadow), perS)} | ${spread(R, ac, perS)} | ≥ 70% | ${whole.toFixed(2)} | ${met(whole >= TARGET)} |`,
    `| same, where the time went | ${phases((x) => x.shadow)} | | | | |`,
    `| requests/s, replayAll alone, candidate only (server still exporting every span to the receiver) | ${spread(R, (x) => rate(x.replayAll), perS)} | ${spread(R, ac, perS)} | ≥ 70% | ${alone.toFixed(2)} | ${met(alone >= TARGET)} |`,
    `| latency p50 / p99 as the client saw it, replayAll alone | ${ms(median(R.map((x) => x.replayAll.latency!.p50)))} / ${ms(median(R.map((x) => x.replayAll.latency!.p99)))} | ${ms(median(R.map((x) => x.autocannon.latency!.p50)))} / ${ms(median(R.map((x) => x.autocannon.latency!.p99)))} | | | |`,
    `| CPU of the benchmark process per request (client + receiver ingesting the spans): whole run / replayAll alone | ${spread(
      R,
      (x) => cpuPer(x.shadow),
      (v) => `${n(v)} µs`,
    )} / ${spread(
      R,
      (x) => cpuPer(x.replayAll),
      (v) => `${n(v)} µs`,
    )} | ${spread(
      R,
      (x) => cpuPer(x.autocannon),
      (v) => `${n(v)} µs`,
    )} | | | |`,
    `| server spans collected for the answers, candidate only / with the baseline twice, per round | ${spanCounts((x) => x.shadow)} / ${spanCounts((x) => x.shadowBaseline)} | | all | | ${met(complete)} |`,
    `| requests/s, whole shadow run, candidate + baseline twice (3 HTTP requests each, 2 server processes) | ${spread(R, (x) => rate(x.shadowBaseline), perS)}; HTTP ${spread(R, (x) => rate(x.shadowBaseline) * 3, perS)} | ${spread(R, ac, perS)} | | ${median(R.map((x) => rate(x.shadowBaseline) / ac(x))).toFixed(2)} | |`,
    `| same, where the time went | ${phases((x) => x.shadowBaseline)} | | | | |`,
    `| baseline double-replay overhead: wall time with the baseline twice / candidate only | ×${overhead.toFixed(2)} | | | | |`,
    `| differences reported between identical builds (status, errors, shapes, calls, values) | ${n(differences)} | | 0 | | ${met(differences === 0)} |`,
    `| answers not 2xx, errors, timeouts (all steps, all rounds) | ${n(bad)} | | 0 | | ${met(bad === 0)} |`,
  ];
  return [heading, '', ...rows].join('\n');
}

/** Records a run in bench/RESULTS.md under the benchmark's heading (see resultsFile.ts). */
export function recordResults(section: string): void {
  recordUnder("## `npm run bench:shadow` — the shadow run's replay throughput with full capture, against autocannon", section);
}
