/**
 * The analysis benchmark's output: a detailed console listing of every difference, and the
 * markdown block for bench/RESULTS.md (date, machine, figures, ratios, differences explained).
 */
import type { Comparison, Difference, DiffReason } from './compare';
import { REASON_TEXT } from './compare';
import type { PinnedPackage } from './corpus';

/** Timings and counts of our side of the run. */
export interface OurFigures {
  /** About 100k lines (two of the packages), through the workspace scan, first thing in the process (grammars load here). */
  small: { files: number; lines: number; ms: number };
  /** Whole tree, through the workspace scan (read, skip generated, parse, rules, attribution of files with findings). */
  scan: { files: number; lines: number; ms: number; findings: Record<string, number>; errors: number; skipped: number };
  /** Whole tree, analysis only (texts already in memory, grammars loaded). */
  analysis: { files: number; lines: number; ms: number };
  /** The Python files the peers read: read + parse + rules, one thread. */
  python: { files: number; lines: number; ms: number; missingTimeout: number };
  linesByLanguage: Record<string, number>;
}

/** Everything the report needs. */
export interface BenchOutcome {
  date: string;
  machine: string;
  commit: string;
  packages: readonly PinnedPackage[];
  ours: OurFigures;
  comparisons: Comparison[];
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function byReason(diffs: readonly Difference[]): Map<DiffReason, Difference[]> {
  const out = new Map<DiffReason, Difference[]>();
  for (const d of diffs) out.set(d.reason, [...(out.get(d.reason) ?? []), d]);
  return out;
}

/** Every difference, one per line, for the console. */
export function differenceListing(c: Comparison): string[] {
  const lines = [`${c.peer.spec.label}: ${c.theirs} findings, ours ${c.ours}, matched ${c.matched}`];
  for (const d of c.differences) lines.push(`  ${d.side === 'peer-only' ? 'MISSED' : 'ADDED '} ${d.reason.padEnd(18)} ${d.file}:${d.line}  ${d.code}`);
  return lines;
}

/** The markdown block for bench/RESULTS.md. */
export function resultsMarkdown(o: BenchOutcome): string {
  const { ours } = o;
  const out: string[] = [];
  const npm = o.packages
    .filter((p) => p.registry === 'npm')
    .map((p) => `${p.name}@${p.version}`)
    .join(', ');
  const pypi = o.packages
    .filter((p) => p.registry === 'pypi')
    .map((p) => `${p.name}==${p.version}`)
    .join(', ');
  const per100k = ours.scan.ms * (100_000 / ours.scan.lines);
  out.push(`### ${o.date} · ${o.machine} · git ${o.commit}`, '');
  out.push(
    `Corpus (pinned, digests verified): npm ${npm}; PyPI sdists ${pypi}. ${int(ours.scan.files)} files, ${int(ours.scan.lines)} lines analysed (${Object.entries(ours.linesByLanguage)
      .map(([l, n]) => `${l} ${int(n)}`)
      .join(', ')}).`,
    '',
  );
  out.push('| measure | value |', '| --- | ---: |');
  out.push(`| ${int(ours.small.lines)}-line workspace (eslint + docker, ${ours.small.files} files) through the workspace scan, cold process (target < 10 s for 100k lines) | ${secs(ours.small.ms)} |`);
  out.push(`| whole tree through the workspace scan (read, parse, all six rules, attribution of files with findings) | ${secs(ours.scan.ms)} |`);
  out.push(`| lines/s, workspace scan | ${int(ours.scan.lines / (ours.scan.ms / 1000))} |`);
  out.push(`| time per 100k lines, whole-tree workspace scan | ${secs(per100k)} |`);
  out.push(`| whole tree, analysis only (texts in memory, grammars loaded) | ${secs(ours.analysis.ms)} (${int(ours.analysis.lines / (ours.analysis.ms / 1000))} lines/s) |`);
  out.push(
    `| findings | ${Object.entries(ours.scan.findings)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')} |`,
  );
  out.push(`| files skipped (generated, > 1 MB) / unreadable | ${ours.scan.skipped} / ${ours.scan.errors} |`, '');

  out.push(
    `Against peers, on the same ${int(ours.python.files)} Python files (${int(ours.python.lines)} lines): ours = read + parse + every Python timeout check, one thread, in process; each peer = one process run (start-up included) with the same explicit file list.`,
    '',
  );
  out.push('| tool | version | time | peer time ÷ ours | findings | matched | peer only | ours only |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  out.push(`| Runtime Lens missing-timeout | this commit | ${secs(ours.python.ms)} | 1.00 | ${ours.python.missingTimeout} | | | |`);
  for (const c of o.comparisons) {
    const p = c.peer;
    if (!p.findings) {
      out.push(`| ${p.spec.label} | ${p.version} | not run | | | | | |`);
      continue;
    }
    const peerOnly = c.differences.filter((d) => d.side === 'peer-only').length;
    out.push(`| ${p.spec.label} | ${p.version} | ${secs(p.ms)} | ${(p.ms / ours.python.ms).toFixed(2)} | ${c.theirs} | ${c.matched} | ${peerOnly} | ${c.ours - c.matched} |`);
  }
  out.push('');
  for (const c of o.comparisons) {
    const p = c.peer;
    if (!p.findings) {
      out.push(`**${p.spec.label}** could not run: ${p.error}`, '');
      continue;
    }
    out.push(`**${p.spec.label}** (${p.version})${p.notes.length ? ` — ${p.notes.join('; ')}` : ''}:`, '');
    const groups = byReason(c.differences);
    if (groups.size === 0) out.push('- no differences', '');
    for (const side of ['peer-only', 'ours-only'] as const) {
      for (const [reason, diffs] of groups) {
        const mine = diffs.filter((d) => d.side === side);
        if (mine.length === 0) continue;
        const where = mine.map((d) => `\`${d.file.replace(/^pypi\//, '')}:${d.line}\``);
        const shown = c.peer.spec.id === 'bandit' ? where : where.slice(0, 8);
        const more = where.length > shown.length ? ` and ${where.length - shown.length} more` : '';
        out.push(`- ${side === 'peer-only' ? 'peer reports, we do not' : 'we report, peer does not'}: ${mine.length} × ${reason} — ${REASON_TEXT[reason]}: ${shown.join(', ')}${more}`);
      }
    }
    out.push('');
  }
  return out.join('\n');
}
