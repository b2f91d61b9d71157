/**
 * Child processes in their own process groups: started detached, their output kept in a log
 * file, ready when a line matches, and stopped with everything they forked (SIGTERM to the
 * group, then SIGKILL). Groups still running when this process exits are killed then.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/** Options for `startGroup`. */
export interface GroupOptions {
  /** A short name for messages ("code-server", "orders-service"). */
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here. */
  logFile?: string;
  /** Resolve once a line of output matches; without it, resolve once spawned. */
  ready?: RegExp;
  /** How long to wait for `ready` (default 60 s). */
  timeoutMs?: number;
}

/** A started process group. */
export interface StartedGroup {
  child: ChildProcess;
  /** The `ready` match (empty when no pattern was given). */
  match: RegExpMatchArray | [];
  /** Resolves with the exit code (or signal name) when the group leader exits. */
  exited: Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs` (default 5 s); resolves when none of it is left. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ChildProcess>();
// However this process ends (short of SIGKILL), it leaves no group behind.
process.on('exit', () => {
  for (const child of live) signalGroup(child, 'SIGKILL');
});

/** Spawns `command` as the leader of a new process group and waits for its `ready` line. */
export function startGroup(command: string, args: string[], options: GroupOptions): Promise<StartedGroup> {
  const log = options.logFile ? openLog(options.logFile) : undefined;
  log?.write(`$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const exited = new Promise<string>((resolveExit) => {
    // 'close', not 'exit': output can still arrive after the process has exited.
    child.once('close', (code, signal) => {
      log?.end();
      resolveExit(signal ?? String(code));
    });
  });
  const group: Omit<StartedGroup, 'match'> = { child, exited, stop: (graceMs) => stopGroup(child, graceMs) };
  return new Promise((resolveStart, reject) => {
    let seen = '';
    let done = false;
    const timeoutMs = options.timeoutMs ?? 60_000;
    const timer = options.ready ? setTimeout(() => fail(`${options.name} was not ready within ${timeoutMs / 1000} s`), timeoutMs) : undefined;
    function finish(match: RegExpMatchArray | []): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolveStart({ ...group, match });
    }
    function fail(reason: string): void {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const where = options.logFile ? ` (log: ${options.logFile})` : '';
      void stopGroup(child).then(() => reject(new Error(`${reason}${where}${seen ? `:\n${tail(seen)}` : ''}`)));
    }
    // The output is always drained (into the log, or nowhere) so a full pipe never blocks the child.
    const onData = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      log?.write(text);
      if (done || !options.ready) return;
      seen = (seen + text).slice(-64_000);
      const match = options.ready.exec(seen);
      if (match) finish(match);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => fail(`${options.name} could not start: ${err.message}`));
    void exited.then((how) => fail(`${options.name} exited (${how}) before it was ready`));
    if (!options.ready) child.once('spawn', () => finish([]));
  });
}

function openLog(file: string): WriteStream {
  mkdirSync(dirname(file), { recursive: true });
  const stream = createWriteStream(file, { flags: 'a' });
  // A log that cannot be written must not take the caller down.
  stream.on('error', () => {});
  return stream;
}

function tail(text: string): string {
  return text.trimEnd().split('\n').slice(-15).join('\n');
}

/** Sends a signal to the child's process group; false when none of the group is left. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (!live.has(child)) return;
  signalGroup(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (signalGroup(child, 0) && Date.now() < deadline) await sleep(100);
  while (signalGroup(child, 'SIGKILL')) await sleep(50);
  live.delete(child);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
