/**
 * A `git` on PATH that hangs on chosen commands and hands every other one to the real git: a
 * loaded machine's slowest git, made certain, for the timeout paths of attribution.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A folder holding the hanging git, and the PATH that puts it first. */
export interface SlowGit {
  dir: string;
  path: string;
  remove(): void;
}

/**
 * A git that sleeps (as the process itself, so a kill ends it at once) when its arguments contain
 * `subcommand` and one ends with `fileSuffix`; the real git otherwise.
 */
export function makeSlowGit(subcommand: string, fileSuffix: string): SlowGit {
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  if (!real) throw new Error('git is not on PATH');
  const dir = mkdtempSync(join(tmpdir(), 'rl-slowgit-'));
  const script = [
    '#!/bin/sh',
    'hit_cmd=0; hit_file=0',
    'for a in "$@"; do',
    `  [ "$a" = ${shellQuote(subcommand)} ] && hit_cmd=1`,
    `  case "$a" in *${shellQuote(fileSuffix)}) hit_file=1;; esac`,
    'done',
    'if [ $hit_cmd = 1 ] && [ $hit_file = 1 ]; then exec sleep 120; fi',
    `exec ${shellQuote(real)} "$@"`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'git'), script);
  chmodSync(join(dir, 'git'), 0o755);
  return { dir, path: `${dir}${delimiter}${process.env['PATH'] ?? ''}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
