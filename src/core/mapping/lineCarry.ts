/**
 * Pure line carrying across a unified diff: which line of the new file holds what an old line
 * held. Works on any context size; hunks are reduced to their changed runs so a context line
 * inside a hunk still carries.
 */

/**
 * One run of changed lines, in `git diff -U0` terms: `oldCount` lines from `oldStart` became
 * `newCount` lines from `newStart`; a zero count means "after line start" (0 = before line 1).
 */
export interface DiffHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Reads the changed runs of a single-file unified diff, in old-file order; file headers and
 * text outside hunks are ignored. Throws on a malformed or truncated hunk.
 */
export function parseUnifiedDiffHunks(diffText: string): DiffHunk[] {
  const lines = diffText.split('\n');
  const hunks: DiffHunk[] = [];
  let i = 0;
  while (i < lines.length) {
    const header = lines[i]!;
    i++;
    if (!header.startsWith('@@ -')) continue;
    const m = HUNK_HEADER.exec(header);
    if (!m) throw new Error(`malformed hunk header: ${header.slice(0, 80)}`);
    const oldCount = m[2] === undefined ? 1 : Number(m[2]);
    const newCount = m[4] === undefined ? 1 : Number(m[4]);
    // A zero-length side names the line before the hunk, so the next line is one further on.
    let oldLine = oldCount === 0 ? Number(m[1]) + 1 : Number(m[1]);
    let newLine = newCount === 0 ? Number(m[3]) + 1 : Number(m[3]);
    let oldLeft = oldCount;
    let newLeft = newCount;
    let run: DiffHunk | null = null;
    const closeRun = (): void => {
      if (run) hunks.push(run);
      run = null;
    };
    while (oldLeft > 0 || newLeft > 0) {
      // The '' after a final newline is the end of the text, not a line of the hunk.
      const atEnd = i >= lines.length || (i === lines.length - 1 && lines[i] === '');
      if (atEnd) throw new Error(`truncated hunk: ${header.slice(0, 80)}`);
      const body = lines[i]!;
      i++;
      const kind = body[0];
      if (kind === '\\') continue; // "\ No newline at end of file"
      const strippedContext = kind === undefined && oldLeft > 0 && newLeft > 0;
      if (kind === ' ' || strippedContext) {
        // Some tools strip the trailing space of an empty context line, so an inner '' counts.
        closeRun();
        oldLine++;
        newLine++;
        oldLeft--;
        newLeft--;
      } else if (kind === '-' && oldLeft > 0) {
        run ??= { oldStart: oldLine, oldCount: 0, newStart: newLine, newCount: 0 };
        run.oldCount++;
        oldLine++;
        oldLeft--;
      } else if (kind === '+' && newLeft > 0) {
        run ??= { oldStart: oldLine, oldCount: 0, newStart: newLine, newCount: 0 };
        run.newCount++;
        newLine++;
        newLeft--;
      } else {
        throw new Error(`hunk body does not match its header: ${header.slice(0, 80)}`);
      }
    }
    closeRun();
  }
  return hunks.map(toU0Convention);
}

/** Runs are collected with the first affected line; -U0 names the line before for empty sides. */
function toU0Convention(run: DiffHunk): DiffHunk {
  return {
    oldStart: run.oldCount === 0 ? run.oldStart - 1 : run.oldStart,
    oldCount: run.oldCount,
    newStart: run.newCount === 0 ? run.newStart - 1 : run.newStart,
    newCount: run.newCount,
  };
}

/**
 * Carries 1-based `line` of the old file through `hunks` (in old-file order, as parsed) to the
 * new file; null when that line was changed or deleted, or `line` is not a positive integer.
 */
export function carryLine(hunks: readonly DiffHunk[], line: number): number | null {
  if (!Number.isInteger(line) || line < 1) return null;
  let shift = 0;
  for (const hunk of hunks) {
    if (hunk.oldCount === 0) {
      // Pure insertion after old line `oldStart`.
      if (hunk.oldStart >= line) break;
      shift += hunk.newCount;
      continue;
    }
    const last = hunk.oldStart + hunk.oldCount - 1;
    if (line < hunk.oldStart) break;
    if (line <= last) return null;
    shift += hunk.newCount - hunk.oldCount;
  }
  return line + shift;
}
