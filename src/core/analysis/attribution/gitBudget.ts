/**
 * How long attribution lets git work: a budget that grows with the work (lines blamed, commits
 * read), and one retry with twice the budget when git is killed for time. A loaded machine makes
 * git slow, not wrong, so a timeout is worth a second try before authorship is given up as unknown.
 */
import type { GitPort } from '../../mapping/git';
import { GitError } from '../../mapping/git';

/** Every blame gets at least this long. */
export const BLAME_BASE_TIMEOUT_MS = 15_000;
/** Plus this much per line of the file: blame traces every line back through history. */
export const BLAME_PER_LINE_TIMEOUT_MS = 4;
/** Small questions (HEAD and the notes tip) get this long, as every other git command does. */
export const STATE_TIMEOUT_MS = 15_000;
/** `git log` over a batch of commits may go this long without printing anything before it is killed. */
export const LOG_IDLE_TIMEOUT_MS = 30_000;
/** The retry after a timeout gets this many times the first budget. */
export const RETRY_TIMEOUT_FACTOR = 2;

/** The time budget of blaming a file of `lines` lines, from a base (default `BLAME_BASE_TIMEOUT_MS`). */
export function blameTimeoutMs(lines: number, baseMs = BLAME_BASE_TIMEOUT_MS): number {
  return baseMs + Math.max(0, lines) * BLAME_PER_LINE_TIMEOUT_MS;
}

/** `git.run` with a timeout, run once more (with `RETRY_TIMEOUT_FACTOR` times the time) if the first try timed out. */
export async function runRetryingTimeout(git: GitPort, args: string[], timeoutMs: number): Promise<string> {
  try {
    return await git.run(args, { timeoutMs });
  } catch (error) {
    if (!(error instanceof GitError && error.timedOut)) throw error;
    return git.run(args, { timeoutMs: timeoutMs * RETRY_TIMEOUT_FACTOR });
  }
}

/**
 * `git.stream` (or `git.run` split by `separator` on ports that cannot stream), retried once on a
 * timeout. `begin` is called at the start of each try and returns that try's record handler, so a
 * retry starts parsing afresh; records the failed try delivered may be seen again.
 */
export async function streamRetryingTimeout(git: GitPort, args: string[], separator: string, begin: () => (record: string) => void, idleMs: number): Promise<void> {
  const once = async (timeoutMs: number): Promise<void> => {
    const onRecord = begin();
    if (git.stream) return git.stream(args, separator, onRecord, { timeoutMs });
    const output = await git.run(args, { timeoutMs });
    const records = output.split(separator);
    // Output ends with the separator, or with a last record without one.
    if (records[records.length - 1] === '') records.pop();
    for (const record of records) onRecord(record);
  };
  try {
    await once(idleMs);
  } catch (error) {
    if (!(error instanceof GitError && error.timedOut)) throw error;
    await once(idleMs * RETRY_TIMEOUT_FACTOR);
  }
}
