/**
 * The text report of `runtime-lens authorship`: one line per AI-written function (hottest first
 * when figures were read), how we know, its production figures; then totals per agent and per
 * folder with `--summary`, and a closing line with the share of traffic through AI-written code.
 */
import type { AuthorshipResult, AuthorshipRow, AuthorshipTotal } from '../authorship';
import { attributionLabel, productionLabel } from '../ranking';

/** What the report shows beyond the rows. */
export interface AuthorshipTextOptions {
  summary: boolean;
}

/** Renders the rows (and totals) as plain text, newline-terminated. */
export function formatAuthorshipText(result: AuthorshipResult, options: AuthorshipTextOptions): string {
  const out = result.rows.map(rowLine);
  if (options.summary && result.rows.length > 0) {
    out.push('', 'By agent:', ...table(result.byAgent), '', 'By folder:', ...table(result.byFolder));
  }
  if (out.length > 0) out.push('');
  out.push(authorshipSummaryLine(result));
  return `${out.join('\n')}\n`;
}

/** `3 AI-written functions in 12 files (of 140 functions) · 35% of production calls/min run through them`. */
export function authorshipSummaryLine(r: AuthorshipResult): string {
  const head = `${plural(r.rows.length, 'AI-written function')} in ${plural(r.files, 'file')} (of ${plural(r.functions, 'function')})`;
  const traffic = r.trafficShare === undefined ? '' : ` · ${Math.round(r.trafficShare * 100)}% of production calls/min run through them`;
  const failed = r.errors.length > 0 ? ` · ${plural(r.errors.length, 'file')} could not be read or attributed (authorship unknown)` : '';
  return `${head}${traffic}${failed}`;
}

function rowLine(r: AuthorshipRow): string {
  const who = attributionLabel(r.attribution) ?? r.attribution.source;
  const share = `${Math.round(r.attribution.aiShare * 100)}% AI lines`;
  const figures = r.production ? ` · ${productionLabel(r.production)}` : '';
  return `${r.file}:${r.line}  ${r.function || '(anonymous)'}  ${who} · ${r.attribution.source} · ${share} · confidence ${r.attribution.confidence}${figures}`;
}

function table(totals: readonly AuthorshipTotal[]): string[] {
  const width = Math.min(40, Math.max(...totals.map((t) => t.name.length)));
  return totals.map((t) => `  ${t.name.padEnd(width)}  ${plural(t.functions, 'function')}, ${plural(t.aiLines, 'AI line')}${t.ratePerMin > 0 ? `, ${formatRate(t.ratePerMin)}/min` : ''}`);
}

function formatRate(n: number): string {
  return n >= 10 ? Math.round(n).toLocaleString('en-US') : (Math.round(n * 10) / 10).toString();
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}
