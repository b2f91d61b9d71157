/**
 * The git port: core code asks git questions through `GitPort`, so tests and the CLI can hand
 * in a real git bound to any folder. `nodeGit` runs the git binary without a shell.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Per-command options of a `GitPort`. */
export interface GitRunOptions {
  /** Kill git after this long instead of the port's default (for `stream`: this long without output). */
  timeoutMs?: number;
}

/** Runs one git command and resolves with its stdout; rejects with a `GitError`. */
export interface GitPort {
  run(args: string[], options?: GitRunOptions): Promise<string>;
  /**
   * Runs one git command and hands its stdout to `onRecord` one `separator`-terminated record at a
   * time as it arrives, so output that grows with history has no size cap. Optional: small
   * in-memory ports may answer through `run` only.
   */
  stream?(args: string[], separator: string, onRecord: (record: string) => void, options?: GitRunOptions): Promise<void>;
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
    /** True when git was killed for running past its timeout (worth one retry on a loaded machine). */
    readonly timedOut = false,
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
// stderr is only read for its last line; a chatty stream must not grow it without bound.
const MAX_STREAM_STDERR_CHARS = 64 * 1024;
const REVISION_PATTERN = /^[0-9A-Za-z._/-]+$/;

/**
 * True when `value` is safe to hand git as a revision or tag name: no option look-alikes, no
 * range syntax, no reflog or ancestry operators.
 */
export function isSafeRevision(value: string): boolean {
  return value.length > 0 && value.length <= 255 && REVISION_PATTERN.test(value) && !value.startsWith('-') && !value.includes('..');
}

/** Like isSafeRevision, also allowing ancestry steps after the name (`HEAD~1`, `main^2`); still no ranges, reflogs or options. */
export function isSafeRevisionWithSteps(value: string): boolean {
  const m = /^(.+?)((?:[~^]\d{0,4})*)$/.exec(value);
  return m !== null && isSafeRevision(m[1]);
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
    run(args: string[], runOptions: GitRunOptions = {}): Promise<string> {
      const subcommand = subcommandOf(args);
      const limitMs = runOptions.timeoutMs ?? timeoutMs;
      return new Promise((resolve, reject) => {
        execFile('git', ['-c', 'core.quotepath=off', ...args], { cwd, env, timeout: limitMs, maxBuffer: MAX_BUFFER_BYTES, encoding: 'utf8', windowsHide: true, shell: false }, (error, stdout, stderr) => {
          if (error) {
            reject(toGitError(error, subcommand, String(stderr ?? ''), cwd, limitMs));
          } else {
            resolve(stdout);
          }
        });
      });
    },
    stream(args: string[], separator: string, onRecord: (record: string) => void, runOptions: GitRunOptions = {}): Promise<void> {
      return streamGit(cwd, env, args, separator, onRecord, runOptions.timeoutMs ?? timeoutMs);
    },
  };
}

/** `git args` through spawn: records handed over as stdout arrives; killed after `idleMs` without output. */
function streamGit(cwd: string, env: NodeJS.ProcessEnv, args: string[], separator: string, onRecord: (record: string) => void, idleMs: number): Promise<void> {
  if (separator.length !== 1) return Promise.reject(new Error(`stream separator must be one character, got ${JSON.stringify(separator)}`));
  const subcommand = subcommandOf(args);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'core.quotepath=off', ...args], { cwd, env, windowsHide: true, shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
    let parts: string[] = [];
    let stderr = '';
    let timedOut = false;
    let failure: Error | null = null;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGTERM');
      }, idleMs);
    };
    const deliver = (record: string): void => {
      if (failure) return;
      try {
        onRecord(record);
      } catch (error) {
        // A record the caller cannot parse ends the command: the rest would be read for nothing.
        failure = error as Error;
        child.kill('SIGTERM');
      }
    };
    arm();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      arm();
      // Only the new chunk is searched, so a record of many MB costs one join, not a rescan per chunk.
      let from = 0;
      for (let at = chunk.indexOf(separator); at >= 0; at = chunk.indexOf(separator, from)) {
        parts.push(chunk.slice(from, at));
        const record = parts.join('');
        parts = [];
        deliver(record);
        from = at + 1;
      }
      if (from < chunk.length) parts.push(chunk.slice(from));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < MAX_STREAM_STDERR_CHARS) stderr += chunk.slice(0, MAX_STREAM_STDERR_CHARS - stderr.length);
    });
    child.on('error', (error: Error & ExecFailure) => {
      clearTimeout(timer);
      failure ??= toGitError(error, subcommand, stderr, cwd, idleMs);
      // 'close' may never follow a process that did not start.
      reject(failure);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!failure && parts.length > 0 && code === 0) deliver(parts.join(''));
      if (failure) return reject(failure);
      if (timedOut) return reject(new GitError(`git ${subcommand} timed out after ${idleMs} ms without output`, subcommand, null, stderr.trim(), true));
      if (code !== 0) return reject(toGitError(Object.assign(new Error('git failed'), { code, signal, killed: false }), subcommand, stderr, cwd, idleMs));
      resolve();
    });
  });
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
    const timedOut = error.signal === 'SIGTERM' && error.killed === true;
    const why = timedOut ? `timed out after ${timeoutMs} ms` : `was killed (${error.signal ?? 'unknown signal'})`;
    return new GitError(`${label} ${why}`, subcommand, null, trimmed, timedOut);
  }
  const exitCode = typeof error.code === 'number' ? error.code : null;
  // git's last stderr line is the 'fatal:'/'error:' summary; hints and progress come before it.
  const lastLine =
    trimmed
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? '';
  const detail = lastLine ? `: ${lastLine}` : '';
  return new GitError(`${label} failed (exit ${exitCode ?? '?'})${detail}`, subcommand, exitCode, trimmed);
}
