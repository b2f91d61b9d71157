/**
 * Attribution on a slow machine: a blame's budget grows with the file, a timed out blame is tried
 * once more with twice the time, and a file whose blame still times out is "authorship unknown",
 * never human-written. Real repositories; the slow git is a real binary on PATH that hangs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attributor } from '../../../../src/core/analysis/attribution/attribute';
import { BLAME_BASE_TIMEOUT_MS, BLAME_PER_LINE_TIMEOUT_MS, blameTimeoutMs, RETRY_TIMEOUT_FACTOR, STATE_TIMEOUT_MS } from '../../../../src/core/analysis/attribution/gitBudget';
import type { FunctionSpan } from '../../../../src/core/analysis/findings';
import type { GitPort, GitRunOptions } from '../../../../src/core/mapping/git';
import { GitError, nodeGit } from '../../../../src/core/mapping/git';
import { makeSlowGit } from '../../../support/slowGit';
import type { SlowGit } from '../../../support/slowGit';
import { fnLines, GIT_ENV, makeRepo, removeTestRepos } from './gitRepo';
import type { TestRepo } from './gitRepo';

const CLAUDE = 'Add sync\n\nCo-Authored-By: Claude <noreply@anthropic.com>';
let repo: TestRepo;
let slow: SlowGit;

before(() => {
  repo = makeRepo();
  repo.write('fast.ts', fnLines('fastSync', ['const a = 1;', 'return a;']));
  repo.write('slow.ts', fnLines('slowSync', ['const b = 2;', 'return b;']));
  repo.commit(CLAUDE);
  slow = makeSlowGit('blame', 'slow.ts');
});
after(() => {
  removeTestRepos();
  slow.remove();
});

const SPAN: Record<string, FunctionSpan> = {
  'fast.ts': { name: 'fastSync', startLine: 1, endLine: 4 },
  'slow.ts': { name: 'slowSync', startLine: 1, endLine: 4 },
};

/** A git port that records each command with the timeout it was given. */
function recording(inner: GitPort): GitPort & { blames: (number | undefined)[] } {
  const blames: (number | undefined)[] = [];
  return {
    blames,
    run(args: string[], options?: GitRunOptions) {
      if (args[0] === 'blame') blames.push(options?.timeoutMs);
      return inner.run(args, options);
    },
    stream: inner.stream!.bind(inner),
  };
}

async function attribute(attributor: Attributor, file: string) {
  const text = readFileSync(join(repo.dir, file), 'utf8');
  return (await attributor.attributeFunctions(file, [SPAN[file]!], text)).get(SPAN[file]!)!;
}

describe('blame budgets', () => {
  it('grow with the lines of the file', () => {
    assert.equal(blameTimeoutMs(0), BLAME_BASE_TIMEOUT_MS);
    assert.equal(blameTimeoutMs(10_000), BLAME_BASE_TIMEOUT_MS + 10_000 * BLAME_PER_LINE_TIMEOUT_MS);
    assert.equal(blameTimeoutMs(100, 50), 50 + 100 * BLAME_PER_LINE_TIMEOUT_MS);
  });

  it('are what the attributor hands git, per file', async () => {
    const git = recording(nodeGit(repo.dir, { env: GIT_ENV }));
    const a = await attribute(new Attributor(repo.dir, { git }), 'fast.ts');
    assert.equal(a.ai, true);
    assert.deepEqual(git.blames, [blameTimeoutMs(4)]);
  });
});

describe('a blame that times out', () => {
  it('is tried once more with twice the time, and then the function is "authorship unknown", not human', async () => {
    const git = recording(nodeGit(repo.dir, { env: { ...GIT_ENV, PATH: slow.path } }));
    const attributor = new Attributor(repo.dir, { git, blameBaseTimeoutMs: 100 });
    const first = blameTimeoutMs(4, 100);
    const a = await attribute(attributor, 'slow.ts');
    assert.deepEqual(git.blames, [first, first * RETRY_TIMEOUT_FACTOR]);
    assert.deepEqual(a, {
      ai: false,
      source: `authorship unknown (git blame timed out after ${first * RETRY_TIMEOUT_FACTOR} ms)`,
      kind: 'none',
      confidence: 'low',
      aiShare: 0,
      unknown: `git blame timed out after ${first * RETRY_TIMEOUT_FACTOR} ms`,
    });
    // The same attributor still reads the files git answers for.
    assert.equal((await attribute(attributor, 'fast.ts')).ai, true);
  });

  it('that succeeds on the retry gives the ordinary attribution', async () => {
    const real = nodeGit(repo.dir, { env: GIT_ENV });
    let timeouts = 0;
    const flaky: GitPort = {
      run(args, options) {
        // The first blame is killed for time, as on a machine busy with something else.
        if (args[0] === 'blame' && timeouts++ === 0) return Promise.reject(new GitError('git blame timed out after 1 ms', 'blame', null, '', true));
        return real.run(args, options);
      },
    };
    const a = await attribute(new Attributor(repo.dir, { git: flaky }), 'slow.ts');
    assert.equal(timeouts, 2);
    assert.equal(a.ai, true);
    assert.equal(a.unknown, undefined);
    assert.equal(a.agent, 'Claude Code');
  });

  it('is not retried when git fails for another reason', async () => {
    let blames = 0;
    const broken: GitPort = {
      run(args, options) {
        if (args[0] === 'blame') {
          blames++;
          return Promise.reject(new GitError('git blame failed (exit 128): fatal: bad object', 'blame', 128, 'fatal: bad object'));
        }
        return nodeGit(repo.dir, { env: GIT_ENV }).run(args, options);
      },
    };
    const a = await attribute(new Attributor(repo.dir, { git: broken }), 'fast.ts');
    assert.equal(blames, 1);
    assert.equal(a.unknown, 'git blame failed (exit 128): fatal: bad object');
  });
});

describe('reading commits that times out', () => {
  it('leaves the function "authorship unknown" instead of human', async () => {
    const real = nodeGit(repo.dir, { env: GIT_ENV });
    const slowLog: GitPort = {
      run: (args, options) => real.run(args, options),
      stream: () => Promise.reject(new GitError('git log timed out after 30000 ms without output', 'log', null, '', true)),
    };
    const a = await attribute(new Attributor(repo.dir, { git: slowLog }), 'fast.ts');
    assert.equal(a.ai, false);
    assert.equal(a.unknown, 'reading commits failed: git log timed out after 30000 ms without output');
  });
});

describe('asking for HEAD that times out twice', () => {
  it('leaves the function "authorship unknown" instead of "no commits yet", and asks again for the next file', async () => {
    const real = nodeGit(repo.dir, { env: GIT_ENV });
    let revParses = 0;
    const slowState: GitPort = {
      run(args, options) {
        if (args[0] === 'rev-parse' && args.includes('--revs-only') && revParses++ < 2) {
          return Promise.reject(new GitError(`git rev-parse timed out after ${options?.timeoutMs} ms`, 'rev-parse', null, '', true));
        }
        return real.run(args, options);
      },
      stream: real.stream!.bind(real),
    };
    const attributor = new Attributor(repo.dir, { git: slowState });
    const a = await attribute(attributor, 'fast.ts');
    assert.equal(revParses, 2, 'tried once more after the first timeout');
    assert.equal(a.unknown, `git rev-parse timed out after ${STATE_TIMEOUT_MS * RETRY_TIMEOUT_FACTOR} ms`);
    assert.equal((await attribute(attributor, 'fast.ts')).ai, true);
  });
});
