/**
 * The backend benchmark's table: each measure, its value for the backends and for the embedded
 * receiver on the same traffic, the target, the ratio to it and whether it is met; and appending it
 * to bench/RESULTS.md (with --record).
 */
import { execFileSync } from 'node:child_process';
import { recordResults as recordUnder } from '../resultsFile';
import * as os from 'node:os';
import type { JaegerHoldings } from './backendCounts';
import type { EditorReport } from './editorSim';
import type { Agreement, FigureComparison } from './figures';
import type { SendReport } from './sendTraffic';
import type { SourceTraffic } from './sourceTraffic';

/** One refresh-cost run: N editors open against a fresh backends serve (and against the receiver). */
export interface RefreshRun {
  editors: number;
  /** Requests and bytes each source sent its backend while the editors were open. */
  perSource: SourceTraffic[];
  backends: EditorReport;
  embedded: EditorReport;
}

/** Everything a run measured. */
export interface Results {
  liveWindow: string;
  startedAt: number;
  minutesTotal: number;
  bulk: SendReport;
  trickle: SendReport;
  series: number;
  bounds: number[];
  held: JaegerHoldings;
  /** Files whose first answer had no figures (the times are to the first answer with them), as `side file`. */
  cold: { backends: number[]; embedded: number[]; empty: string[] };
  warm: { backends: number[]; embedded: number[] };
  settled: FigureComparison;
  live: FigureComparison;
  refresh: RefreshRun[];
}

const FIRST_LENS_MS = 2_000;
const QUERIES_PER_EDITOR_MINUTE = 6;
const n = (v: number) => Math.round(v).toLocaleString('en-US');
const ms = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`;
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? NaN;
const max = (v: number[]) => Math.max(...v);
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function agreementRow(label: string, a: Agreement): string {
  if (a.inNamedBucket !== undefined) {
    // Percentiles from histogram buckets: the claim shown is the bucket; the interpolated value cannot be within 2%.
    const inside = a.compared > 0 ? a.inNamedBucket / a.compared : 0;
    return `| ${label}: ${a.measure}, the receiver's inside the bucket the backends name (±2% at its edges) | ${n(a.inNamedBucket)}/${n(a.compared)} (${pct(inside)}); interpolated within 2%: ${n(a.within2)} (${pct(a.compared > 0 ? a.within2 / a.compared : 0)}), same bucket ${n(a.sameBucket ?? 0)}; worst ${pct(a.worst)} (${a.worstAt}) | (peer) | 100% in the named bucket | ${inside.toFixed(2)} | ${met(inside === 1)} |`;
  }
  const share = a.compared > 0 ? a.within2 / a.compared : 0;
  const bucket = a.sameBucket !== undefined ? `; same histogram bucket ${n(a.sameBucket)}/${n(a.compared)}` : '';
  return `| ${label}: ${a.measure}, functions within 2% | ${n(a.within2)}/${n(a.compared)} (${pct(share)})${bucket}; worst ${pct(a.worst)} (${a.worstAt}) | (peer) | 100% within 2% | ${share.toFixed(2)} | ${met(share === 1)} |`;
}

/** The markdown section of one run. */
export function renderResults(r: Results): string {
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  const heading = `### ${new Date(r.startedAt).toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${cpu} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · git ${gitHead()} · ${r.minutesTotal.toFixed(1)} min`;
  const rows: string[] = [
    '| measure | backends (Jaeger + Prometheus) | embedded receiver | target | ratio | |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| spans Jaeger holds, read back trace by trace through /api/v3 | ${n(r.held.spans)} in ${n(r.held.traces)} traces${r.held.truncated ? ' (truncated)' : ''} | ${n(r.bulk.spans)} sent | ≥ 1,000,000 | ${(r.held.spans / 1e6).toFixed(2)} | ${met(r.held.spans >= 1e6)} |`,
    `| span-metric series in Prometheus | ${n(r.series)} | | ≥ 10,000 | ${(r.series / 1e4).toFixed(2)} | ${met(r.series >= 1e4)} |`,
    `| bulk load, the same batches to the collector and the receiver | ${n(r.bulk.spans / (r.bulk.ms / 1000))} spans/s, ${(r.bulk.ms / 1000).toFixed(1)} s | | | | |`,
  ];
  const c = r.cold;
  rows.push(
    `| read API: asking a file's signals (window 5m) -> answer with figures, first ask after serve started | ${ms(c.backends[0]!)} | ${ms(c.embedded[0]!)} | ${n(FIRST_LENS_MS)} ms | ${(c.backends[0]! / FIRST_LENS_MS).toFixed(3)} | ${met(c.backends[0]! <= FIRST_LENS_MS)} |`,
    `| same, cold (file never asked), median / max of ${c.backends.length} files${c.empty.length > 0 ? `; first answer without figures (timed to the first with): ${c.empty.length} files: ${c.empty.slice(0, 4).join(', ')}${c.empty.length > 4 ? ', ...' : ''}` : ''} | ${ms(median(c.backends))} / ${ms(max(c.backends))} | ${ms(median(c.embedded))} / ${ms(max(c.embedded))} | ${n(FIRST_LENS_MS)} ms | ${(max(c.backends) / FIRST_LENS_MS).toFixed(3)} | ${met(max(c.backends) <= FIRST_LENS_MS)} |`,
    `| same, warm, median / max | ${ms(median(r.warm.backends))} / ${ms(max(r.warm.backends))} | ${ms(median(r.warm.embedded))} / ${ms(max(r.warm.embedded))} | | | |`,
  );
  for (const run of r.refresh) {
    const first = (times: number[]) => (times.includes(-1) ? 'some never' : `${ms(median(times))} / ${ms(max(times))}`);
    const b = run.backends;
    rows.push(
      `| ${run.editors} editor(s) opened at once (editor client: cache + stream), first figures, median / max | ${first(b.firstFiguresMs)} | ${first(run.embedded.firstFiguresMs)} | ${n(FIRST_LENS_MS)} ms | ${(max(b.firstFiguresMs) / FIRST_LENS_MS).toFixed(3)} | ${met(!b.firstFiguresMs.includes(-1) && max(b.firstFiguresMs) <= FIRST_LENS_MS)} |`,
      `| same, first figures of all traffic (metrics, not a sample), median / max | ${first(b.firstAllTrafficMs)} | ${first(run.embedded.firstAllTrafficMs)} | ${n(FIRST_LENS_MS)} ms | ${(max(b.firstAllTrafficMs) / FIRST_LENS_MS).toFixed(3)} | ${met(!b.firstAllTrafficMs.includes(-1) && max(b.firstAllTrafficMs) <= FIRST_LENS_MS)} |`,
    );
  }
  for (const run of r.refresh) {
    const minutes = run.perSource[0]?.minutes ?? 0;
    const per = run.perSource.map((s) => ({ ...s, rate: s.requests / minutes / run.editors, busiest: s.busiestMinute / run.editors }));
    const worst = Math.max(...per.map((s) => s.busiest));
    rows.push(
      `| queries per source per minute per open editor, ${run.editors} editor(s): busiest minute (average over ${minutes.toFixed(1)} min) | ${per.map((s) => `${s.name} ${s.busiest.toFixed(2)} (${s.rate.toFixed(2)})`).join(', ')} | 0 (no backend) | ≤ ${QUERIES_PER_EDITOR_MINUTE} | ${(worst / QUERIES_PER_EDITOR_MINUTE).toFixed(2)} | ${met(worst <= QUERIES_PER_EDITOR_MINUTE)} |`,
      `| bytes from the backends per minute, ${run.editors} editor(s) | ${per.map((s) => `${s.name} ${n(s.bytes / minutes / 1024)} KiB`).join(', ')} | | | | |`,
      `| read-API requests per minute per open editor, ${run.editors} editor(s) | ${(run.backends.requests / minutes / run.editors).toFixed(2)} | ${(run.embedded.requests / minutes / run.editors).toFixed(2)} | | | |`,
      `| editor client's longest event-loop delay: opening / refreshing (p99), ${run.editors} editor(s) | ${ms(run.backends.openLoopMaxMs)} / ${ms(run.backends.loopMaxMs)} (${ms(run.backends.loopP99Ms)}) | ${ms(run.embedded.openLoopMaxMs)} / ${ms(run.embedded.loopMaxMs)} (${ms(run.embedded.loopP99Ms)}) | | | |`,
    );
  }
  const missing = (cmp: FigureComparison) => (cmp.onlyEmbedded.length + cmp.onlyBackends.length > 0 ? ` (${cmp.onlyEmbedded.length} only in the receiver's answer, ${cmp.onlyBackends.length} only in the backends')` : '');
  rows.push(`| functions compared, settled (window 15m holds all traffic)${missing(r.settled)} | ${n(r.settled.functions)} | | | | |`);
  for (const a of r.settled.agreements) rows.push(agreementRow('settled', a));
  rows.push(`| functions compared, live (${n(r.trickle.spans)} spans trickled at ${n(r.trickle.spans / (r.trickle.ms / 1000))}/s; window ${r.liveWindow})${missing(r.live)} | ${n(r.live.functions)} | | | | |`);
  for (const a of r.live.agreements) rows.push(agreementRow('live', a));
  rows.push("| first CodeLens and the extension host's longest stretch inside VS Code | from the team integration suite (`teamFirstLensMs`, `teamHostLongestMs`), not run by this benchmark | | 2,000 ms | | |");
  return [heading, '', ...rows, '', `Histogram bounds (ms): ${r.bounds.join(', ')}.`].join('\n');
}

/** Records a run in bench/RESULTS.md under the benchmark's heading (see resultsFile.ts). */
export function recordResults(section: string): void {
  recordUnder("## `npm run bench:backends` — the team's backends at scale, against the embedded receiver", section);
}
