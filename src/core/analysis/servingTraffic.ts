/**
 * "AI-written code serving traffic": the AI-written functions (from `listAuthorship`) that have
 * production figures, hottest first. The editor lists these; functions without figures are left
 * to `runtime-lens authorship`, which lists every one.
 */
import type { AuthorshipRow } from './authorship';
import type { ProductionFigures } from './findings';
import type { ProductionLookup } from './ranking';

/** An AI-written function with its production figures. */
export interface ServingRow extends AuthorshipRow {
  production: ProductionFigures;
}

/**
 * The rows that `lookup` has figures for, each with them (the inputs are not changed), hottest
 * first; rows without figures are dropped, figures a row carried before are replaced.
 */
export async function joinServingTraffic(rows: readonly AuthorshipRow[], lookup: ProductionLookup): Promise<ServingRow[]> {
  const serving: ServingRow[] = [];
  for (const row of rows) {
    // the function's lines, so a nested callback's signal is not taken for its parent's
    const production = await lookup.figures({ file: row.file, function: row.function, line: row.line, startLine: row.line, endLine: row.endLine });
    if (production !== null) serving.push({ ...row, production });
  }
  return hottestFirst(serving);
}

/** Orders rows by calls per minute (then impact, errors, file and line), in place; returns them. */
export function hottestFirst<T extends ServingRow>(rows: T[]): T[] {
  return rows.sort(
    (a, b) =>
      b.production.ratePerMin - a.production.ratePerMin || b.production.impact - a.production.impact || b.production.errorRate - a.production.errorRate || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line),
  );
}
