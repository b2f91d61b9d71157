/**
 * bench:peers' tables: per corpus x encoding, every round's figures per peer, the per-round ratios
 * of runtime-lens to Jaeger and to the Collector, their medians and issue 15's targets (met or not:
 * printed, never asserted); then one summary table. `recordPeerResults` appends to bench/RESULTS.md.
 */
import { recordResults } from '../resultsFile';
import type { Encoding, RunResult } from './measureRun';
import type { PeerName } from './peerServers';

/** One round of one corpus x encoding: the order the peers ran in and what each measured. */
export interface Round {
  order: PeerName[];
  runs: Partial<Record<PeerName, RunResult>>;
}

/** Every round of one corpus x encoding. */
export interface Series {
  corpus: string;
  encoding: Encoding;
  spansPerRun: number;
  bytesPerSpan: number;
  rounds: Round[];
}

const LABEL: Record<PeerName, string> = { 'runtime-lens': 'runtime-lens', jaeger: 'Jaeger', collector: 'Collector' };

interface RatioRow {
  label: string;
  of: (r: RunResult) => number;
  peer: 'jaeger' | 'collector';
  /** Issue 15's target on the median (Jaeger only); the Collector is the ceiling, reported without one. */
  target?: { text: string; met: (median: number) => boolean };
}

const cpuPerSpan = (r: RunResult) => r.cpuPer100k;
const RATIOS: RatioRow[] = [
  { label: 'spans/s', of: (r) => r.spansPerSec, peer: 'jaeger', target: { text: '≥ 1.0×', met: (m) => m >= 1 } },
  { label: 'CPU per span', of: cpuPerSpan, peer: 'jaeger', target: { text: '≤ 1.0×', met: (m) => m <= 1 } },
  { label: 'peak RSS', of: (r) => r.peakRssMb, peer: 'jaeger', target: { text: '≤ 0.5×', met: (m) => m <= 0.5 } },
  { label: 'spans/s', of: (r) => r.spansPerSec, peer: 'collector' },
  { label: 'CPU per span', of: cpuPerSpan, peer: 'collector' },
  { label: 'peak RSS', of: (r) => r.peakRssMb, peer: 'collector' },
];

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratioText = (n: number | undefined) => (n === undefined ? '—' : `${n.toFixed(2)}×`);

/** runtime-lens's figure ÷ the peer's in one round; undefined when either run failed. */
function roundRatio(round: Round, row: RatioRow): number | undefined {
  const ours = round.runs['runtime-lens'];
  const theirs = round.runs[row.peer];
  if (!ours || !theirs || ours.error || theirs.error || row.of(theirs) === 0) return undefined;
  return row.of(ours) / row.of(theirs);
}

/** The median of the rounds' ratios (undefined when no round has both runs). */
function medianRatio(series: Series, row: RatioRow): number | undefined {
  const values = series.rounds.map((r) => roundRatio(r, row)).filter((v): v is number => v !== undefined);
  if (values.length === 0) return undefined;
  values.sort((a, b) => a - b);
  const mid = values.length >> 1;
  return values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/** The tables of one corpus x encoding. */
export function renderSeries(s: Series): string {
  const lines = [
    `#### ${s.corpus} · ${s.encoding} · ${int(s.spansPerRun)} spans per run · ${s.bytesPerSpan} bytes per span on the wire`,
    '',
    '| round (order) | peer | spans/s | spans/s to last ack | CPU s / 100k spans | CPU s / 100k at last ack | peak RSS MB | retries | other load, cores |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const notes: string[] = [];
  s.rounds.forEach((round, i) => {
    const order = round.order[0] === 'runtime-lens' ? 'ours first' : 'theirs first';
    for (const peer of round.order) {
      const r = round.runs[peer];
      if (!r) continue;
      if (r.error) notes.push(`round ${i + 1}, ${LABEL[peer]}: ${r.error.split('\n')[0]}`);
      const failed = r.error && r.ackedSpans === 0;
      const cells = failed
        ? ['failed', '', '', '', '', '', '']
        : [int(r.spansPerSec), int(r.ackSpansPerSec), r.cpuPer100k.toFixed(2), r.cpuPer100kAtAck.toFixed(2), int(r.peakRssMb), String(r.retries), r.otherCores.toFixed(2)];
      lines.push(`| ${i + 1} (${order}) | ${LABEL[peer]}${r.error ? ' (!)' : ''} | ${cells.join(' | ')} |`);
    }
  });
  lines.push('', `| runtime-lens ÷ peer | ${s.rounds.map((_, i) => `round ${i + 1}`).join(' | ')} | median | target | |`, `| --- | ${s.rounds.map(() => '---:').join(' | ')} | ---: | --- | --- |`);
  for (const row of RATIOS) {
    const median = medianRatio(s, row);
    const verdict = row.target ? (median === undefined ? 'no figure' : row.target.met(median) ? 'met' : 'not met') : 'ceiling';
    lines.push(`| ÷ ${LABEL[row.peer]}, ${row.label} | ${s.rounds.map((r) => ratioText(roundRatio(r, row))).join(' | ')} | ${ratioText(median)} | ${row.target?.text ?? ''} | ${verdict} |`);
  }
  if (notes.length) lines.push('', ...notes.map((n) => `- ${n}`));
  return lines.join('\n');
}

/** One line per corpus x encoding: the median ratios and how many of the three targets hold. */
export function renderSummary(all: Series[]): string {
  const lines = [
    '| corpus · encoding | ÷ Jaeger spans/s | ÷ Jaeger CPU/span | ÷ Jaeger RSS | ÷ Collector spans/s | ÷ Collector CPU/span | ÷ Collector RSS | targets met |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const s of all) {
    const medians = RATIOS.map((row) => medianRatio(s, row));
    const judged = RATIOS.map((row, i) => (row.target && medians[i] !== undefined ? row.target.met(medians[i]!) : undefined)).filter((v) => v !== undefined);
    const met = judged.filter(Boolean).length;
    lines.push(`| ${s.corpus} · ${s.encoding} | ${medians.map(ratioText).join(' | ')} | ${met} of 3${met === 3 ? '' : ' (not met)'} |`);
  }
  return lines.join('\n');
}

/** Records `section` in bench/RESULTS.md under the bench:peers heading (see resultsFile.ts). */
export function recordPeerResults(section: string): void {
  recordResults('## `npm run bench:peers` — ingest side by side with Jaeger v2 and the OpenTelemetry Collector (issue 15)', section);
}
