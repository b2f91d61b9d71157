/**
 * `runtime-lens shadow --progress json`: one JSON object per line on stderr, `{"phase","done","total"}`,
 * so the editor can show where a run is without parsing the terminal form.
 */

/** Where a run is: checking out the baseline, starting the builds, then shadowRun's phases. */
export type ShadowProgressPhase = 'worktree' | 'start' | 'replay' | 'spans' | 'compare';

/** One progress update. */
export interface ShadowProgress {
  phase: ShadowProgressPhase;
  done: number;
  total: number;
}

const PHASES: readonly string[] = ['worktree', 'start', 'replay', 'spans', 'compare'];

/** The line the CLI writes for an update (newline included). */
export function progressJsonLine(p: ShadowProgress): string {
  return `${JSON.stringify({ phase: p.phase, done: p.done, total: p.total })}\n`;
}

/** The update a stderr line holds, or undefined for any other line. */
export function parseProgressLine(line: string): ShadowProgress | undefined {
  if (!line.startsWith('{"phase"')) return undefined;
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    if (typeof v.phase !== 'string' || !PHASES.includes(v.phase)) return undefined;
    if (!Number.isSafeInteger(v.done) || !Number.isSafeInteger(v.total) || (v.done as number) < 0 || (v.total as number) < 0) return undefined;
    return { phase: v.phase as ShadowProgressPhase, done: v.done as number, total: v.total as number };
  } catch {
    return undefined;
  }
}

/** What the editor says for an update: `Replaying 40 of 140 requests`. */
export function progressText(p: ShadowProgress): string {
  switch (p.phase) {
    case 'worktree':
      return 'Checking out the baseline…';
    case 'start':
      return 'Starting the local build…';
    case 'replay':
      return `Replaying ${p.done} of ${p.total} requests`;
    case 'spans':
      return 'Waiting for the builds’ spans…';
    case 'compare':
      return 'Comparing…';
  }
}
