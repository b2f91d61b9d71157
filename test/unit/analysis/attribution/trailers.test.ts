import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommitStore } from '../../../../src/core/analysis/attribution/commits';
import type { CommitMeta } from '../../../../src/core/analysis/attribution/trailers';
import { commitClaim, parseTrailerLines } from '../../../../src/core/analysis/attribution/trailers';
import { makeRepo, removeTestRepos } from './gitRepo';

after(removeTestRepos);

function meta(message: string, author = { name: 'Dana Human', email: 'dana@example.invalid' }): CommitMeta {
  // Trailers as git would give them: the last paragraph of the message.
  const paragraphs = message.trim().split(/\n\s*\n/);
  return {
    sha: 'a'.repeat(40),
    parents: [],
    authorName: author.name,
    authorEmail: author.email,
    trailers: paragraphs.length > 1 ? parseTrailerLines(paragraphs[paragraphs.length - 1]!) : [],
    body: message,
  };
}

describe('commitClaim', () => {
  const cases: { name: string; message: string; author?: { name: string; email: string }; want: object | null }[] = [
    {
      name: 'Claude Code co-author with its address',
      message: 'Add cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Claude Code', confidence: 'medium' },
    },
    {
      name: 'Claude co-author naming the model',
      message: 'Add cache\n\nCo-authored-by: Claude Opus 4.5 <noreply@anthropic.com>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Claude Code', model: 'Claude Opus 4.5', confidence: 'medium' },
    },
    {
      name: 'Claude as a bare name (no address) is low',
      message: 'Add cache\n\nCo-Authored-By: Claude',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Claude Code', confidence: 'low' },
    },
    {
      name: 'Claude with some other address is low',
      message: 'Add cache\n\nCo-Authored-By: Claude <claude@example.com>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Claude Code', confidence: 'low' },
    },
    {
      name: 'Generated with [Claude Code] line',
      message: 'Add cache\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)',
      want: { kind: 'commit-trailer', label: 'Generated with [Claude Code] line', agent: 'Claude Code', confidence: 'medium' },
    },
    {
      name: 'aider co-author with model and address',
      message: 'fix: retry\n\nCo-authored-by: aider (openrouter/anthropic/claude-3.7-sonnet) <aider@aider.chat>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'aider', model: 'openrouter/anthropic/claude-3.7-sonnet', confidence: 'medium' },
    },
    {
      name: 'aider author name suffix',
      message: 'fix: retry',
      author: { name: 'Dana Human (aider)', email: 'dana@example.invalid' },
      want: { kind: 'commit-author', label: 'commit author Dana Human (aider)', agent: 'aider', confidence: 'medium' },
    },
    {
      name: 'Copilot co-author with the bot address',
      message: 'Update docs\n\nCo-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'GitHub Copilot', confidence: 'medium' },
    },
    {
      name: 'Copilot coding agent as author',
      message: 'Initial plan',
      author: { name: 'copilot-swe-agent[bot]', email: '198982749+Copilot@users.noreply.github.com' },
      want: { kind: 'commit-author', label: 'commit author copilot-swe-agent[bot]', agent: 'GitHub Copilot', confidence: 'medium' },
    },
    {
      name: 'Cursor Agent co-author',
      message: 'Refactor\n\nCo-authored-by: Cursor Agent <cursoragent@cursor.com>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Cursor', confidence: 'medium' },
    },
    {
      name: 'Made-with: Cursor trailer',
      message: 'Refactor\n\nMade-with: Cursor',
      want: { kind: 'commit-trailer', label: 'Made-with trailer', agent: 'Cursor', confidence: 'medium' },
    },
    {
      name: 'Cursor Agent as a bare name is low',
      message: 'Refactor\n\nCo-authored-by: Cursor Agent',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Cursor', confidence: 'low' },
    },
    {
      name: 'Devin AI co-author with the bot address',
      message: 'Add endpoint\n\nCo-Authored-By: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>',
      want: { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Devin', confidence: 'medium' },
    },
    {
      name: 'Assisted-by AGENT:MODEL',
      message: 'mm: fix leak\n\nAssisted-by: claude:claude-opus-4-1 coccinelle\nSigned-off-by: Dana Human <dana@example.invalid>',
      want: { kind: 'commit-trailer', label: 'Assisted-by trailer', agent: 'Claude Code', model: 'claude-opus-4-1', confidence: 'medium' },
    },
    {
      name: 'Assisted-by with a bare name is low',
      message: 'mm: fix leak\n\nAssisted-by: Gemini',
      want: { kind: 'commit-trailer', label: 'Assisted-by trailer', agent: 'Gemini CLI', confidence: 'low' },
    },
    { name: 'a human commit', message: 'Fix typo\n\nSigned-off-by: Dana Human <dana@example.invalid>', want: null },
    { name: 'a person called Claude co-authoring', message: 'Pair work\n\nCo-authored-by: Claude Dupont <claude@dupont.example>', want: null },
    {
      name: 'a person whose name is Copilot is not evidence',
      message: 'Fix',
      author: { name: 'Copilot', email: 'someone@example.invalid' },
      want: null,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(commitClaim(meta(c.message, c.author)), c.want);
    });
  }

  it('prefers a medium claim over a low one in the same commit', () => {
    const claim = commitClaim(meta('x\n\nCo-authored-by: Cursor Agent\nCo-Authored-By: Claude <noreply@anthropic.com>'));
    assert.equal(claim?.agent, 'Claude Code');
    assert.equal(claim?.confidence, 'medium');
  });
});

describe('CommitStore on a real repository', () => {
  it('reads trailers, author and message of each commit in one git log and caches them', async () => {
    const repo = makeRepo();
    repo.write('a.txt', ['one']);
    const human = repo.commit('Human change');
    repo.write('a.txt', ['two']);
    const claude = repo.commit('Add cache\n\nLonger body.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    repo.write('a.txt', ['three']);
    const aider = repo.commit('fix: retry', { name: 'Dana Human (aider)', email: 'dana@example.invalid' });
    repo.write('a.txt', ['four']);
    const bare = repo.commit('Tweak\n\nCo-authored-by: Claude');

    const port = repo.port();
    const store = new CommitStore(port);
    const infos = await store.load([human, claude, aider, bare], null);
    assert.equal(port.count('log'), 1, 'one git log for all four commits');
    assert.equal(infos.get(human)?.claim, null);
    assert.equal(infos.get(human)?.meta.parents.length, 0);
    assert.deepEqual(infos.get(claude)?.claim, { kind: 'commit-trailer', label: 'Co-Authored-By trailer', agent: 'Claude Code', confidence: 'medium' });
    assert.deepEqual(infos.get(claude)?.meta.parents, [human]);
    assert.equal(infos.get(aider)?.claim?.kind, 'commit-author');
    assert.equal(infos.get(bare)?.claim?.confidence, 'low');

    await store.load([claude, aider], null);
    assert.equal(port.count('log'), 1, 'cached commits are not fetched again');
  });
});
