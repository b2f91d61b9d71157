/**
 * The git port: core code asks git questions through `GitPort`, so tests and the CLI can hand
 * in a real git bound to any folder. `nodeGit` runs the git binary without a shell.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Runs one git command and resolves with its stdout; rejects with a `GitError`. */
export interface GitPort {
  run(args: string[]): Promise<string>;
}

/** A failed git command, with a one-line message naming the subcommand. */
export class GitError extends Error {
  constructor(
    message: string,
    /** The git subcommand that failed, e.g. `rev-parse`. */
    readonly subcommand: string,
    /** Exit code when git ran and failed; null when it never ran, timed out or was killed. */
    readonly exitCode: number | null,
    /** What git wrote to stderr, trimmed. */
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** Options for `nodeGit`. */
export interface NodeGitOptions {
  /** Kill git after this long; defaults to 15 s. */
  timeoutMs?: number;
  /** Extra environment variables for git (added to this process's environment). */
  env?: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
// Whole-tree name-status and large diffs stay far below this; a runaway output should fail, not eat memory.
const MAX_BUFFER_BYTES = 64 * 1024 * 1024;
const REVISION_PATTERN = /^[0-9A-Za-z._/-]+$/;

/**
 * True when `value` is safe to hand git as a revision or tag name: no option look-alikes, no
 * range syntax, no reflog or ancestry operators.
 */
export function isSafeRevision(value: string): boolean {
  return (
    value.length > 0 &&
    value.length <= 255 &&
    REVISION_PATTERN.test(value) &&
    !value.startsWith('-') &&
    !value.includes('..')
  );
}

/** A `GitPort` that runs the git binary in `cwd`. */
export function nodeGit(cwd: string, options: NodeGitOptions = {}): GitPort {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Never block on a credential prompt, and never take locks the user's own git may want.
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    ...options.env,
  };
  return {
    run(args: string[]): Promise<string> {
      const subcommand = subcommandOf(args);
      return new Promise((resolve, reject) => {
        execFile(
          'git',
          ['-c', 'core.quotepath=off', ...args],
          { cwd, env, timeout: timeoutMs, maxBuffer: MAX_BUFFER_BYTES, encoding: 'utf8', windowsHide: true, shell: false },
          (error, stdout, stderr) => {
            if (error) {
              reject(toGitError(error, subcommand, String(stderr ?? ''), cwd, timeoutMs));
            } else {
              resolve(stdout);
            }
          },
        );
      });
    },
  };
}

/** The first argument that is neither a global option nor the value of `-c`/`-C`. */
function subcommandOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || arg === '-C') {
      i++;
    } else if (!arg.startsWith('-')) {
      return arg;
    }
  }
  return '(none)';
}

interface ExecFailure {
  code?: number | string | null;
  killed?: boolean;
  signal?: NodeJS.Signals | null;
}

function toGitError(error: Error & ExecFailure, subcommand: string, stderr: string, cwd: string, timeoutMs: number): GitError {
  const trimmed = stderr.trim();
  const label = `git ${subcommand}`;
  if (error.code === 'ENOENT') {
    const why = existsSync(cwd) ? 'git is not installed or not on PATH' : `folder ${cwd} does not exist`;
    return new GitError(`${label} could not start: ${why}`, subcommand, null, trimmed);
  }
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
    return new GitError(`${label} produced more than ${MAX_BUFFER_BYTES} bytes of output`, subcommand, null, trimmed);
  }
  if (error.killed || error.signal) {
    const why = error.signal === 'SIGTERM' && error.killed ? `timed out after ${timeoutMs} ms` : `was killed (${error.signal ?? 'unknown signal'})`;
    return new GitError(`${label} ${why}`, subcommand, null, trimmed);
  }
  const exitCode = typeof error.code === 'number' ? error.code : null;
  // git's last stderr line is the 'fatal:'/'error:' summary; hints and progress come before it.
  const lastLine = trimmed.split('\n').filter((l) => l.trim() !== '').pop() ?? '';
  const detail = lastLine ? `: ${lastLine}` : '';
  return new GitError(`${label} failed (exit ${exitCode ?? '?'})${detail}`, subcommand, exitCode, trimmed);
}
