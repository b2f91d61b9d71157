/**
 * Real git repositories in temp folders for the attribution tests: fixed identities and dates,
 * no user or system configuration, and a git port that counts the commands it runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GitPort } from '../../../../src/core/mapping/git';
import { nodeGit } from '../../../../src/core/mapping/git';

/** Environment for every git run in these tests. */
export const GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Dana Human',
  GIT_AUTHOR_EMAIL: 'dana@example.invalid',
  GIT_AUTHOR_DATE: '2024-05-01T12:00:00Z',
  GIT_COMMITTER_NAME: 'Dana Human',
  GIT_COMMITTER_EMAIL: 'dana@example.invalid',
  GIT_COMMITTER_DATE: '2024-05-01T12:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  // Keeps a temp folder from being taken for part of some repository above it.
  GIT_CEILING_DIRECTORIES: tmpdir(),
};

/** A temp repository and helpers bound to it. */
export interface TestRepo {
  dir: string;
  git(...args: string[]): string;
  write(file: string, lines: readonly string[]): void;
  /** Stages everything and commits; returns the full sha. */
  commit(message: string, author?: { name: string; email: string }, committer?: { name: string; email: string }): string;
  /** Adds a git-ai note (raw text) to `sha` under refs/notes/ai. */
  addNote(sha: string, text: string): void;
  /** A git port on the repository that records every command it runs. */
  port(): CountingPort;
}

/** A git port that records the subcommands it ran. */
export interface CountingPort extends GitPort {
  calls: string[][];
  count(subcommand: string): number;
}

const temps: string[] = [];

/** Removes every repository made so far (call from `after`). */
export function removeTestRepos(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Creates an empty repository on branch main. */
export function makeRepo(): TestRepo {
  const dir = mkdtempSync(join(tmpdir(), 'rl-attr-'));
  temps.push(dir);
  const git = (...args: string[]): string => run(dir, GIT_ENV, args);
  git('init', '-q', '-b', 'main');
  return {
    dir,
    git,
    write(file, lines) {
      const path = join(dir, file);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, lines.join('\n') + '\n');
    },
    commit(message, author, committer) {
      const env = {
        ...GIT_ENV,
        ...(author ? { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email } : {}),
        ...(committer ? { GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email } : {}),
      };
      run(dir, env, ['add', '-A']);
      run(dir, env, ['commit', '-q', '--allow-empty', '-m', message]);
      return git('rev-parse', 'HEAD');
    },
    addNote(sha, text) {
      // Through a blob with -C, so git stores the note byte for byte (no whitespace clean-up).
      const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: dir, env: { ...process.env, ...GIT_ENV }, input: text, encoding: 'utf8' }).trim();
      git('notes', '--ref=ai', 'add', '-f', '-C', blob, sha);
    },
    port() {
      const inner = nodeGit(dir, { env: GIT_ENV });
      const calls: string[][] = [];
      return {
        calls,
        run(args, options) {
          calls.push(args);
          return inner.run(args, options);
        },
        stream(args, separator, onRecord, options) {
          calls.push(args);
          return inner.stream!(args, separator, onRecord, options);
        },
        count(subcommand) {
          return calls.filter((c) => c[0] === subcommand).length;
        },
      };
    },
  };
}

function run(cwd: string, env: Record<string, string>, args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A small function named `name` with `body` lines, for building files of known shape. */
export function fnLines(name: string, body: readonly string[]): string[] {
  return [`export function ${name}() {`, ...body.map((b) => `  ${b}`), '}'];
}
