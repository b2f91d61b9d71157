import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlameCache, blameAtHead, blameWorkingCopy, parseBlamePorcelain, splitLines, unquoteGitPath } from '../../../../src/core/analysis/attribution/blame';
import { makeRepo, removeTestRepos } from './gitRepo';

after(removeTestRepos);

/** A repository where a.ts has lines from three commits, then is renamed to b.ts. */
function threeCommits() {
  const repo = makeRepo();
  repo.write('a.ts', ['one', 'two', 'three']);
  const c1 = repo.commit('first');
  repo.write('a.ts', ['one', 'TWO', 'three', 'four']);
  const c2 = repo.commit('second');
  repo.write('a.ts', ['zero', 'one', 'TWO', 'three', 'four']);
  const c3 = repo.commit('third');
  repo.git('mv', 'a.ts', 'b.ts');
  const c4 = repo.commit('rename');
  return { repo, c1, c2, c3, c4 };
}

describe('blameAtHead', () => {
  it('gives each line its commit, its line number in that commit and its path there', async () => {
    const { repo, c1, c2, c3, c4 } = threeCommits();
    const blame = await blameAtHead(repo.port(), 'b.ts', c4);
    assert.ok(blame);
    assert.deepEqual(blame.content, ['zero', 'one', 'TWO', 'three', 'four']);
    assert.deepEqual(
      blame.lines.map((l) => [l.sha, l.origLine, l.path]),
      [
        [c3, 1, 'a.ts'],
        [c1, 1, 'a.ts'],
        [c2, 2, 'a.ts'],
        [c1, 3, 'a.ts'],
        [c2, 4, 'a.ts'],
      ],
    );
  });

  it('returns null for a file HEAD does not have', async () => {
    const { repo, c4 } = threeCommits();
    assert.equal(await blameAtHead(repo.port(), 'missing.ts', c4), null);
  });

  it('refuses a revision that could be read as an option', async () => {
    const { repo } = threeCommits();
    await assert.rejects(blameAtHead(repo.port(), 'b.ts', '--output=/tmp/x'), /unsafe revision/);
  });
});

describe('blameWorkingCopy', () => {
  it('marks edited and inserted lines as not committed and keeps the blame of the rest', async () => {
    const { repo, c1, c2, c3, c4 } = threeCommits();
    const blame = await blameAtHead(repo.port(), 'b.ts', c4);
    const text = ['zero', 'one', 'inserted', 'TWO', 'three changed', 'four', ''].join('\n');
    const lines = blameWorkingCopy(blame, splitLines(text));
    assert.deepEqual(
      lines.map((l) => (l ? `${l.sha === c1 ? 'c1' : l.sha === c2 ? 'c2' : l.sha === c3 ? 'c3' : '?'}:${l.origLine}` : 'new')),
      ['c3:1', 'c1:1', 'new', 'c2:2', 'new', 'c2:4'],
    );
  });

  it('treats every line of a file not in HEAD as not committed', () => {
    assert.deepEqual(blameWorkingCopy(null, ['a', 'b']), [null, null]);
  });

  it('ignores CRLF line endings in the working copy', async () => {
    const { repo, c4 } = threeCommits();
    const blame = await blameAtHead(repo.port(), 'b.ts', c4);
    const lines = blameWorkingCopy(blame, splitLines('zero\r\none\r\nTWO\r\nthree\r\nfour\r\n'));
    assert.equal(lines.filter((l) => l === null).length, 0);
  });
});

describe('BlameCache', () => {
  it('blames a file once per HEAD, and again when HEAD moves', async () => {
    const { repo, c4 } = threeCommits();
    const port = repo.port();
    const cache = new BlameCache(port);
    const first = await cache.get('b.ts', c4);
    const second = await cache.get('b.ts', c4);
    assert.equal(first, second);
    assert.equal(port.count('blame'), 1);
    repo.write('b.ts', [...readFileSync(join(repo.dir, 'b.ts'), 'utf8').trimEnd().split('\n'), 'five']);
    const c5 = repo.commit('fifth');
    const third = await cache.get('b.ts', c5);
    assert.equal(port.count('blame'), 2);
    assert.equal(third?.lines[5]?.sha, c5);
  });

  it('drops the least recently used file past its size', async () => {
    const { repo } = threeCommits();
    repo.write('c.ts', ['c']);
    const head = repo.commit('c');
    const port = repo.port();
    const cache = new BlameCache(port, 1);
    await cache.get('b.ts', head);
    await cache.get('c.ts', head);
    await cache.get('b.ts', head);
    assert.equal(port.count('blame'), 3);
  });
});

describe('porcelain details', () => {
  it('parses porcelain where the filename only appears with a commit first group', () => {
    const sha = 'b'.repeat(40);
    const out = [`${sha} 1 1 2`, 'author X', 'filename src/x.ts', '\tline one', `${sha} 2 2`, '\tline two\r', ''].join('\n');
    const blame = parseBlamePorcelain(out);
    assert.deepEqual(blame.lines, [
      { sha, origLine: 1, path: 'src/x.ts' },
      { sha, origLine: 2, path: 'src/x.ts' },
    ]);
    assert.deepEqual(blame.content, ['line one', 'line two']);
  });

  it('unquotes C-quoted paths, including UTF-8 octal escapes', () => {
    assert.equal(unquoteGitPath('"a\\tb.ts"'), 'a\tb.ts');
    assert.equal(unquoteGitPath('"caf\\303\\251.ts"'), 'café.ts');
    assert.equal(unquoteGitPath('plain.ts'), 'plain.ts');
  });

  it('splits text without a phantom last line', () => {
    assert.deepEqual(splitLines('a\nb\n'), ['a', 'b']);
    assert.deepEqual(splitLines('a\nb'), ['a', 'b']);
    assert.deepEqual(splitLines(''), []);
  });
});
