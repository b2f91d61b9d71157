/**
 * `nodeGit`'s per-command timeouts and its streaming `stream`: records cut at the separator
 * wherever the chunks fall (multi-byte characters included), timeouts marked as such, failures
 * as one-line `GitError`s, against a real repository and a real (hanging) git binary.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GitError, nodeGit } from '../../../src/core/mapping/git';
import { GIT_ENV, makeRepo, removeTestRepos } from '../analysis/attribution/gitRepo';
import type { TestRepo } from '../analysis/attribution/gitRepo';
import { makeSlowGit } from '../../support/slowGit';
import type { SlowGit } from '../../support/slowGit';

let repo: TestRepo;
let slow: SlowGit;

before(() => {
  repo = makeRepo();
  // Long messages full of two- and three-byte characters: chunk boundaries fall inside them.
  for (let i = 0; i < 40; i++) {
    repo.write(`f${i}.txt`, [`${i}`]);
    repo.commit(`commit ${i} ${'é€'.repeat(3000 + i)}`);
  }
  slow = makeSlowGit('log', 'hang.txt');
});
after(() => {
  removeTestRepos();
  slow.remove();
});

describe('nodeGit stream', () => {
  it('hands over the same records run gives, one at a time', async () => {
    const git = nodeGit(repo.dir, { env: GIT_ENV });
    const args = ['log', '-z', '--format=%H%x00%B', 'HEAD'];
    const expected = (await git.run(args)).split('\0');
    if (expected[expected.length - 1] === '') expected.pop();
    const records: string[] = [];
    await git.stream!(args, '\0', (r) => records.push(r));
    assert.equal(records.length, 80);
    assert.deepEqual(records, expected);
    assert.ok(records.some((r) => r.includes('é€é€')));
  });

  it('delivers a last record that has no separator after it', async () => {
    const git = nodeGit(repo.dir, { env: GIT_ENV });
    const records: string[] = [];
    await git.stream!(['rev-list', '--max-count=3', 'HEAD'], '\n', (r) => records.push(r));
    assert.equal(records.length, 3);
    const noFinal: string[] = [];
    await git.stream!(['log', '-1', '--format=%H%x00%s', 'HEAD'], '\0', (r) => noFinal.push(r));
    assert.equal(noFinal.length, 2, 'the subject after the only separator is a record too');
    assert.match(noFinal[1]!, /^commit 39 /);
  });

  it('fails with a one-line GitError when git fails', async () => {
    const git = nodeGit(repo.dir, { env: GIT_ENV });
    await assert.rejects(
      git.stream!(['log', 'no-such-revision', '--'], '\0', () => {}),
      (error: unknown) => {
        assert.ok(error instanceof GitError);
        assert.equal(error.subcommand, 'log');
        assert.equal(error.exitCode, 128);
        assert.equal(error.timedOut, false);
        assert.match(error.message, /^git log failed \(exit 128\): fatal: .*no-such-revision/);
        return true;
      },
    );
  });

  it('fails with a one-line GitError when git cannot start', async () => {
    const git = nodeGit('/no/such/folder/for/git', { env: GIT_ENV });
    await assert.rejects(
      git.stream!(['log'], '\0', () => {}),
      /^GitError: git log could not start: folder \/no\/such\/folder\/for\/git does not exist$/,
    );
  });

  it("rejects with the handler's error when a record cannot be parsed", async () => {
    const git = nodeGit(repo.dir, { env: GIT_ENV });
    await assert.rejects(
      git.stream!(['log', '-z', '--format=%H', 'HEAD'], '\0', () => {
        throw new Error('not a commit');
      }),
      /^Error: not a commit$/,
    );
  });

  it('kills a git that prints nothing for the idle timeout, marked timed out', async () => {
    const git = nodeGit(repo.dir, { env: { ...GIT_ENV, PATH: slow.path } });
    await assert.rejects(
      git.stream!(['log', '--', 'hang.txt'], '\n', () => {}, { timeoutMs: 200 }),
      (error: unknown) => {
        assert.ok(error instanceof GitError);
        assert.equal(error.timedOut, true);
        assert.match(error.message, /^git log timed out after 200 ms without output$/);
        return true;
      },
    );
  });
});

describe('nodeGit run timeouts', () => {
  it('takes a per-command timeout and marks the kill as a timeout', async () => {
    const git = nodeGit(repo.dir, { env: { ...GIT_ENV, PATH: slow.path } });
    await assert.rejects(git.run(['log', '--', 'hang.txt'], { timeoutMs: 150 }), (error: unknown) => {
      assert.ok(error instanceof GitError);
      assert.equal(error.timedOut, true);
      assert.equal(error.message, 'git log timed out after 150 ms');
      return true;
    });
    // Other commands through the same port are not slowed.
    assert.match(await git.run(['rev-parse', 'HEAD'], { timeoutMs: 30_000 }), /^[0-9a-f]{40}\n$/);
  });

  it('says a failure is not a timeout', async () => {
    const git = nodeGit(repo.dir, { env: GIT_ENV });
    await assert.rejects(git.run(['rev-parse', 'no-such-revision']), (error: unknown) => error instanceof GitError && !error.timedOut && error.exitCode === 128);
  });
});
