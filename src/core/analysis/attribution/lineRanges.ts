/**
 * Sets of 1-based inclusive line ranges, as attribution sources state them (`1-4,9,12-20` in
 * git-ai notes, `{start_line, end_line}` in Agent Trace records).
 */

/** One 1-based inclusive range of lines. */
export interface LineRange {
  start: number;
  end: number;
}

/** A source file longer than this is not source code; a range past it is a corrupt record. */
export const MAX_LINE_NUMBER = 10_000_000;

/** Parses `1-4,9,12-20`; returns an error string instead of throwing on anything malformed. */
export function parseRangeList(text: string): LineRange[] | string {
  const ranges: LineRange[] = [];
  for (const part of text.split(',')) {
    const item = part.trim();
    const match = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!match) return `bad line range '${item}'`;
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    const problem = rangeProblem(start, end);
    if (problem) return `${problem} in '${item}'`;
    ranges.push({ start, end });
  }
  return ranges;
}

/** Why `start..end` is not a usable 1-based inclusive range, or '' when it is. */
export function rangeProblem(start: number, end: number): string {
  if (!Number.isInteger(start) || !Number.isInteger(end)) return 'non-integer line';
  if (start < 1) return 'line numbers start at 1';
  if (end < start) return 'range ends before it starts';
  if (end > MAX_LINE_NUMBER) return 'line number out of range';
  return '';
}

/** True when `line` falls in one of `ranges`. */
export function inRanges(ranges: readonly LineRange[], line: number): boolean {
  for (const r of ranges) {
    if (line >= r.start && line <= r.end) return true;
  }
  return false;
}
