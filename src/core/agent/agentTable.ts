/**
 * A compact fixed-width text table for agent answers: columns padded to their widest cell (capped),
 * numbers right-aligned, two spaces between columns, no borders (borders cost tokens and say
 * nothing). The header and the rows come back apart so `fitRows` can drop rows past the budget.
 */
import { cut } from './agentText';

/** One column: its title, and whether its cells are right-aligned (figures) or left (names, paths). */
export interface TableColumn {
  title: string;
  align?: 'left' | 'right';
  /** Cells longer than this are cut with an ellipsis (default 60). */
  max?: number;
}

/** The header line and one line per row, ready for `fitRows(header, rows, budget)`. */
export interface TableLines {
  header: string[];
  rows: string[];
}

/**
 * Lays out `cells` (one array per row, one string per column; pass strings already made safe with
 * `safeText`) under `columns`. Trailing spaces are trimmed from every line.
 */
export function table(columns: readonly TableColumn[], cells: readonly (readonly string[])[]): TableLines {
  const clipped = cells.map((row) => columns.map((c, i) => cut(row[i] ?? '', c.max ?? 60)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...clipped.map((row) => row[i].length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return {
    header: [line(columns.map((c) => c.title))],
    rows: clipped.map(line),
  };
}
