/**
 * The text report of `runtime-lens check`, for people: one block per finding in ranking order
 * (location, severity, rule, function; the message; where the attribution comes from), then a
 * summary line.
 */
import type { Finding, Severity } from '../findings';
import { riskMessage } from '../ranking';
import { unknownAuthorshipFiles } from './unknownAuthorship';

/** What the summary line says about the scan. */
export interface TextSummary {
  files: number;
  lines: number;
  /** Whether every function was analysed (`--all`) or AI-written ones only. */
  all: boolean;
  /** Files that could not be analysed. */
  errors?: number;
  /** git-ai attestation lines skipped because their key has no record in any note. */
  skippedAttestations?: number;
}

/** Renders findings and a summary line as plain text (newline-terminated). */
export function formatText(findings: readonly Finding[], summary: TextSummary): string {
  const out: string[] = [];
  for (const f of findings) {
    const where = `${f.file}:${f.line}:${f.column}`;
    out.push(`${where}  ${f.severity}  ${f.rule}${f.function ? `  ${f.function}` : ''}`);
    out.push(`    ${riskMessage(f)}`);
    if (f.attribution?.unknown !== undefined) out.push(`    ${f.attribution.source}`);
    else if (f.attribution) out.push(`    ${f.attribution.source} (confidence ${f.attribution.confidence})`);
    out.push('');
  }
  out.push(summaryLine(findings, summary));
  return `${out.join('\n')}\n`;
}

/** `3 findings (1 error, 2 warnings) in 12 files, 840 lines · AI-written functions only (--all for every function)`. */
export function summaryLine(findings: readonly Finding[], summary: TextSummary): string {
  const scope = summary.all ? 'all functions' : 'AI-written functions only (--all for every function)';
  const scanned = `${plural(summary.files, 'file')}, ${plural(summary.lines, 'line')}`;
  const unknown = unknownAuthorshipFiles(findings).length;
  const failed =
    (summary.errors ? ` · ${plural(summary.errors, 'file')} could not be analysed` : '') +
    (unknown > 0 ? ` · authorship unknown in ${plural(unknown, 'file')} (git failed; findings kept)` : '') +
    (summary.skippedAttestations ? ` · ${plural(summary.skippedAttestations, 'git-ai attestation line')} skipped (no record)` : '');
  if (findings.length === 0) return `No findings in ${scanned} · ${scope}${failed}`;
  const counts = (['error', 'warning', 'note'] as Severity[])
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => plural(n, s));
  return `${plural(findings.length, 'finding')} (${counts.join(', ')}) in ${scanned} · ${scope}${failed}`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
