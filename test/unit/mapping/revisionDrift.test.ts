import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { GitPort } from '../../../src/core/mapping/git';
import { GitError, nodeGit } from '../../../src/core/mapping/git';
import { RevisionDrift } from '../../../src/core/mapping/revisionDrift';

// Fixed identities and dates make the shas stable within a run; no user or system config leaks in.
const GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Lens Test',
  GIT_AUTHOR_EMAIL: 'lens@example.invalid',
  GIT_AUTHOR_DATE: '2024-05-01T12:00:00Z',
  GIT_COMMITTER_NAME: 'Lens Test',
  GIT_COMMITTER_EMAIL: 'lens@example.invalid',
  GIT_COMMITTER_DATE: '2024-05-01T12:00:00Z',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  // Keeps a temp folder from being taken for part of some repository above it.
  GIT_CEILING_DIRECTORIES: tmpdir(),
};

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rl-drift-'));
  temps.push(dir);
  return dir;
}
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function write(dir: string, file: string, lines: string[]): void {
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines.join('\n') + '\n');
}

function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

function gitPort(cwd: string): GitPort {
  return nodeGit(cwd, { env: GIT_ENV });
}

const APP_V1 = [
  "import { db } from './db';", //           1
  '// -- handlers --', //                    2
  'export function handler(id: string) {', // 3
  '  const row = db.get(id);', //            4
  '  const limit = 10;', //                  5
  '  return row ?? limit;', //               6
  '} // handler', //                         7
  '// -- helpers --', //                     8
  'export function helper() {', //           9
  "  return 'help';", //                    10
  '} // helper', //                         11
  '// -- others --', //                     12
  'export function other() {', //           13
  '  return 0;', //                         14
  '} // other', //                          15
];

const UTIL_V1 = [
  'export function one() {',
  '  return 1;',
  '} // one',
  'export function two() {',
  '  return 2;',
  '} // two',
  'export function three() {',
  '  return 3;',
  '} // three',
  'export const four = 4;',
  'export const five = 5;',
];

interface Fixture {
  dir: string;
  c1: string; // tagged v1.2.0 (annotated)
  c4: string; // tagged 1.3.0 (lightweight)
  head: string;
  hotfix: string; // on branch hotfix, off c1
}

/** A repository whose history exercises inserts, deletes, a modified line, a rename and a dirty tree. */
function buildFixture(): Fixture {
  const dir = tempDir();
  git(dir, 'init', '-q', '-b', 'main');
  write(dir, 'src/app.ts', APP_V1);
  write(dir, 'src/util.ts', UTIL_V1);
  write(dir, 'src/gone.ts', ['export const gone = true;']);
  write(dir, 'src/unchanged.ts', ['export const a = 1;', 'export const b = 2;', 'export const c = 3;']);
  const c1 = commitAll(dir, 'first release');
  git(dir, 'tag', '-a', 'v1.2.0', '-m', 'release 1.2.0');

  git(dir, 'checkout', '-q', '-b', 'hotfix');
  write(dir, 'src/hotfix.ts', ['export const patched = true;']);
  const hotfix = commitAll(dir, 'hotfix');
  git(dir, 'checkout', '-q', 'main');

  // c2: lines inserted above the handler, and a new file.
  const app = [...APP_V1];
  app.splice(1, 0, "import { log } from './log';");
  app.splice(3, 0, '// Looks a row up.', '// Returns the limit when missing.');
  write(dir, 'src/app.ts', app);
  write(dir, 'src/new.ts', ['export const fresh = true;']);
  commitAll(dir, 'document handler');
  // c3: the helper section deleted (old lines 8-11).
  app.splice(app.indexOf('// -- helpers --'), 4);
  write(dir, 'src/app.ts', app);
  commitAll(dir, 'drop helper');
  // c4: old line 5 changed.
  app[app.indexOf('  const limit = 10;')] = '  const limit = 20;';
  write(dir, 'src/app.ts', app);
  const c4 = commitAll(dir, 'raise limit');
  git(dir, 'tag', '1.3.0');
  // c5: util.ts renamed with a line added on top; gone.ts deleted.
  git(dir, 'mv', 'src/util.ts', 'src/helpers.ts');
  write(dir, 'src/helpers.ts', ['// Small helpers.', ...UTIL_V1]);
  rmSync(join(dir, 'src/gone.ts'));
  const head = commitAll(dir, 'rename util');

  // Uncommitted: two lines inserted above other(), and its body changed.
  app.splice(app.indexOf('export function other() {'), 0, '// Always zero.', '// Kept for callers.');
  app[app.indexOf('  return 0;')] = '  return zero();';
  write(dir, 'src/app.ts', app);
  return { dir, c1, c4, head, hotfix };
}

describe('RevisionDrift.resolve', () => {
  let fx: Fixture;
  let drift: RevisionDrift;
  before(() => {
    fx = buildFixture();
    drift = new RevisionDrift(gitPort(fx.dir));
  });

  it('counts how far a tagged release is behind HEAD', async () => {
    const info = await drift.resolve('', '1.2.0');
    assert.deepEqual(info, { deployed: '1.2.0', commit: fx.c1, head: fx.head, status: 'drifted', behind: 4, ahead: 0, reason: '' });
  });

  it('resolves service.version against plain and v-prefixed tags', async () => {
    assert.equal((await drift.resolve('', '1.3.0')).commit, fx.c4);
    assert.equal((await drift.resolve('', '1.3.0')).behind, 1);
    assert.equal((await drift.resolve('', 'v1.2.0')).commit, fx.c1);
  });

  it('resolves full and abbreviated shas, in either case', async () => {
    assert.equal((await drift.resolve(fx.c1, '')).commit, fx.c1);
    const short = await drift.resolve(fx.c1.slice(0, 7), '');
    assert.equal(short.commit, fx.c1);
    assert.equal(short.deployed, fx.c1.slice(0, 7));
    assert.equal((await drift.resolve(fx.c1.slice(0, 9).toUpperCase(), '')).commit, fx.c1);
  });

  it('counts commits the deployment has that HEAD lacks', async () => {
    const info = await drift.resolve(fx.hotfix, '');
    assert.equal(info.status, 'drifted');
    assert.equal(info.ahead, 1);
    assert.equal(info.behind, 4);
  });

  it("says 'same' when HEAD is what is deployed", async () => {
    const info = await drift.resolve(fx.head, '9.9.9');
    assert.deepEqual(info, { deployed: fx.head, commit: fx.head, head: fx.head, status: 'same', behind: 0, ahead: 0, reason: '' });
  });

  it('falls back to the version tag when the revision is not here', async () => {
    const info = await drift.resolve('deadbee', '1.2.0');
    assert.equal(info.commit, fx.c1);
    assert.equal(info.deployed, '1.2.0');
    assert.equal(info.status, 'drifted');
  });

  it('reports an unknown revision with a fetch hint', async () => {
    const missing = '0123456789abcdef0123456789abcdef01234567';
    const info = await drift.resolve(missing, '');
    assert.deepEqual(info, {
      deployed: missing,
      commit: null,
      head: fx.head,
      status: 'unknown',
      behind: 0,
      ahead: 0,
      reason: `revision ${missing} is not in this clone; run git fetch`,
    });
  });

  it('reports a version with no tag', async () => {
    const info = await drift.resolve('', '9.9.9');
    assert.equal(info.status, 'unknown');
    assert.equal(info.reason, 'no tag v9.9.9 or 9.9.9 is in this clone; run git fetch --tags');
    // A version with whitespace is not plausible telemetry: it counts as not reported, and is never quoted back.
    const odd = await drift.resolve('', '1.0.0+build 7');
    assert.equal(odd.reason, 'the deployment does not name its revision');
  });

  it('never hands git an option disguised as a revision', async () => {
    const out = join(fx.dir, 'pwned.txt');
    const info = await drift.resolve(`--output=${out}`, '');
    assert.equal(info.status, 'unknown');
    // Not plausible (it starts with '-'): treated as not reported, so git never sees it and the text is never quoted back.
    assert.equal(info.reason, 'the deployment does not name its revision');
    assert.equal((await drift.resolve('HEAD..main', '')).status, 'unknown');
    assert.equal(existsSync(out), false);
  });

  it('says when the deployment names nothing', async () => {
    const info = await drift.resolve('', '');
    assert.equal(info.status, 'unknown');
    assert.equal(info.reason, 'the deployment does not name its revision');
  });

  it('answers a repeated question from its cache', async () => {
    const calls: string[][] = [];
    const real = gitPort(fx.dir);
    const counted = new RevisionDrift({ run: (args) => (calls.push(args), real.run(args)) });
    const first = await counted.resolve('', '1.2.0');
    const used = calls.length;
    const second = await counted.resolve('', '1.2.0');
    assert.equal(second, first);
    assert.equal(calls.length, used);
  });
});

describe('RevisionDrift.resolve outside a usable repository', () => {
  it('gives unknown for a folder that is not a git repository', async () => {
    const dir = tempDir();
    const drift = new RevisionDrift(gitPort(dir));
    const info = await drift.resolve('abc1234', '1.0.0');
    assert.equal(info.status, 'unknown');
    assert.equal(info.reason, 'the workspace folder is not a git repository');
    assert.equal(await drift.translateLine(info, 'src/app.ts', 3), null);
  });

  it('gives unknown for a repository without commits', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    const info = await new RevisionDrift(gitPort(dir)).resolve('abc1234', '');
    assert.equal(info.status, 'unknown');
    assert.equal(info.reason, 'the workspace repository has no commits yet');
  });

  it('gives unknown for a folder that does not exist, and the port names the subcommand', async () => {
    const dir = join(tempDir(), 'missing');
    const info = await new RevisionDrift(gitPort(dir)).resolve('abc1234', '');
    assert.equal(info.status, 'unknown');
    assert.match(info.reason, /git rev-parse could not start: folder .* does not exist/);
  });

  it('explains shallow clones, both when the commit is missing and when history is cut', async () => {
    const fx = buildFixture();
    const shallow = join(tempDir(), 'shallow');
    git(tmpdir(), 'clone', '-q', '--depth', '1', `file://${fx.dir}`, shallow);
    const drift = new RevisionDrift(gitPort(shallow));
    const missing = await drift.resolve(fx.c1, '');
    assert.equal(missing.status, 'unknown');
    assert.equal(missing.commit, null);
    assert.equal(missing.reason, `revision ${fx.c1} is not in this clone; the clone is shallow; run git fetch --unshallow`);

    git(shallow, 'fetch', '-q', '--depth', '1', 'origin', 'hotfix');
    drift.invalidate();
    const cut = await drift.resolve(fx.hotfix, '');
    assert.equal(cut.status, 'unknown');
    assert.equal(cut.commit, fx.hotfix);
    assert.match(cut.reason, /history does not reach .* run git fetch --unshallow/);
  });
});

describe('RevisionDrift.translateLine', () => {
  let fx: Fixture;
  let drift: RevisionDrift;
  before(() => {
    fx = buildFixture();
    drift = new RevisionDrift(gitPort(fx.dir));
  });

  it('carries lines of the tagged release across inserts, deletes and the dirty working tree', async () => {
    const info = await drift.resolve('', '1.2.0');
    const expected: Array<[number, number | null]> = [
      [1, 1],
      [2, 3], // two imports/comments inserted around it
      [3, 6], // handler()
      [4, 7],
      [5, null], // limit changed in a commit
      [6, 9],
      [7, 10],
      [8, null], // helper section deleted
      [9, null],
      [10, null],
      [11, null],
      [12, 11],
      [13, 14], // other(), below the uncommitted insert
      [14, null], // changed in the working tree only
      [15, 16],
    ];
    const working = readFileSync(join(fx.dir, 'src/app.ts'), 'utf8').split('\n');
    for (const [line, want] of expected) {
      const got = await drift.translateLine(info, 'src/app.ts', line);
      assert.deepEqual(got, want === null ? null : { file: 'src/app.ts', line: want }, `line ${line}`);
      if (got) assert.equal(working[got.line - 1], APP_V1[line - 1], `text of line ${line}`);
    }
  });

  it('follows a rename', async () => {
    const info = await drift.resolve('', '1.2.0');
    assert.deepEqual(await drift.translateLine(info, 'src/util.ts', 4), { file: 'src/helpers.ts', line: 5 });
    assert.deepEqual(await drift.translateLine(info, './src/util.ts', 11), { file: 'src/helpers.ts', line: 12 });
  });

  it('keeps unchanged files and drops files that were deleted, added later or never existed', async () => {
    const info = await drift.resolve(fx.c1.slice(0, 8), '');
    assert.deepEqual(await drift.translateLine(info, 'src/unchanged.ts', 2), { file: 'src/unchanged.ts', line: 2 });
    assert.equal(await drift.translateLine(info, 'src/gone.ts', 1), null);
    assert.equal(await drift.translateLine(info, 'src/new.ts', 1), null);
    assert.equal(await drift.translateLine(info, 'src/nope.ts', 1), null);
    assert.equal(await drift.translateLine(info, 'src', 1), null);
  });

  it('refuses paths that leave the workspace and lines that are not lines', async () => {
    const info = await drift.resolve('', '1.2.0');
    assert.equal(await drift.translateLine(info, '../src/app.ts', 1), null);
    assert.equal(await drift.translateLine(info, '/etc/passwd', 1), null);
    assert.equal(await drift.translateLine(info, 'src/app.ts', 0), null);
    assert.equal(await drift.translateLine(info, 'src/app.ts', 2.5), null);
  });

  it('carries from HEAD across uncommitted edits only', async () => {
    const info = await drift.resolve(fx.head, '');
    assert.equal(info.status, 'same');
    assert.deepEqual(await drift.translateLine(info, 'src/app.ts', 11), { file: 'src/app.ts', line: 11 });
    assert.deepEqual(await drift.translateLine(info, 'src/app.ts', 12), { file: 'src/app.ts', line: 14 });
    assert.equal(await drift.translateLine(info, 'src/app.ts', 13), null);
  });

  it('spends one diff per file however many lines are asked', async () => {
    const calls: string[][] = [];
    const real = gitPort(fx.dir);
    const counted = new RevisionDrift({ run: (args) => (calls.push(args), real.run(args)) });
    const info = await counted.resolve('', '1.2.0');
    const before = calls.length;
    await Promise.all(Array.from({ length: 15 }, (_, i) => counted.translateLine(info, 'src/app.ts', i + 1)));
    for (let line = 1; line <= 11; line++) await counted.translateLine(info, 'src/util.ts', line);
    const asked = calls.slice(before);
    assert.equal(asked.filter((a) => a.includes('--name-status')).length, 1);
    assert.equal(asked.filter((a) => a.includes('-U0')).length, 2);
    assert.equal(asked.length, 3);
  });

  it('works from a workspace folder below the repository root', async () => {
    const sub = new RevisionDrift(gitPort(join(fx.dir, 'src')));
    const info = await sub.resolve('', '1.2.0');
    assert.equal(info.commit, fx.c1);
    assert.deepEqual(await sub.translateLine(info, 'app.ts', 13), { file: 'app.ts', line: 14 });
    assert.deepEqual(await sub.translateLine(info, 'util.ts', 4), { file: 'helpers.ts', line: 5 });
    assert.deepEqual(await sub.translateLine(info, 'unchanged.ts', 3), { file: 'unchanged.ts', line: 3 });
  });

  it('sees new working-tree edits after invalidate()', async () => {
    const local = buildFixture();
    const fresh = new RevisionDrift(gitPort(local.dir));
    const info = await fresh.resolve('', '1.3.0');
    assert.deepEqual(await fresh.translateLine(info, 'src/unchanged.ts', 3), { file: 'src/unchanged.ts', line: 3 });
    write(local.dir, 'src/unchanged.ts', ['// header', 'export const a = 1;', 'export const b = 2;', 'export const c = 3;']);
    fresh.invalidate();
    assert.deepEqual(await fresh.translateLine(await fresh.resolve('', '1.3.0'), 'src/unchanged.ts', 3), { file: 'src/unchanged.ts', line: 4 });
  });

  it('gives null when the drift is unknown', async () => {
    const info = await drift.resolve('0123456789abcdef0123456789abcdef01234567', '');
    assert.equal(await drift.translateLine(info, 'src/app.ts', 1), null);
  });
});

describe('nodeGit', () => {
  it('rejects with a one-line GitError naming the subcommand', async () => {
    const dir = tempDir();
    git(dir, 'init', '-q');
    const error = await gitPort(dir)
      .run(['rev-parse', '--verify', 'no-such-ref'])
      .then(
        () => null,
        (e: unknown) => e,
      );
    assert.ok(error instanceof GitError);
    assert.equal(error.subcommand, 'rev-parse');
    assert.equal(error.exitCode, 128);
    assert.match(error.message, /^git rev-parse failed \(exit 128\): fatal: /);
    assert.equal(error.message.includes('\n'), false);
  });
});
