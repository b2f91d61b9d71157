import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attributor } from '../../../../src/core/analysis/attribution/attribute';
import type { FunctionSpan } from '../../../../src/core/analysis/findings';
import { fnLines, makeRepo, removeTestRepos } from './gitRepo';

after(removeTestRepos);

/** A note as git-ai serialises it: two-space attestation lines, `---`, pretty JSON metadata. */
function gitAiNote(files: Record<string, string[]>, metadata: Record<string, unknown>): string {
  const head = Object.entries(files).flatMap(([path, lines]) => [path, ...lines.map((l) => `  ${l}`)]);
  return [...head, '---', JSON.stringify({ schema_version: 'authorship/3.0.0', git_ai_version: '1.4.0', base_commit_sha: '', ...metadata }, null, 2)].join('\n');
}

const PROMPT = 'c9883b05a2487d6d';

describe('git-ai prompt keys whose record sits in another note', async () => {
  const repo = makeRepo();
  // The first commit's note holds the prompt record (as git-ai writes it when the prompt ran).
  repo.write('a.ts', fnLines('original', ['const a = 1;', 'const b = 2;', 'return a + b;']));
  const first = repo.commit('Add original');
  repo.addNote(
    first,
    gitAiNote(
      { 'a.ts': [`${PROMPT} 1-5`] },
      {
        prompts: {
          [PROMPT]: { agent_id: { tool: 'cursor', id: 'session_123', model: 'gpt-4.1' }, human_author: 'dana@example.invalid', total_additions: 5, total_deletions: 0, accepted_lines: 5, overriden_lines: 0 },
        },
      },
    ),
  );
  // A later commit (a cherry-pick, a rebase) whose note names the prompt without its record, a
  // prompt no note holds, and a session with no record.
  repo.write('b.ts', [
    ...fnLines('foreignPrompt', ['const a = 1;', 'const b = 2;', 'return a + b;']),
    '',
    ...fnLines('promptNowhere', ['const c = 1;', 'const d = 2;', 'return c + d;']),
    '',
    ...fnLines('sessionNoRecord', ['const e = 1;', 'const f = 2;', 'return e + f;']),
  ]);
  const later = repo.commit('Carry work over');
  repo.addNote(later, gitAiNote({ 'b.ts': [`${PROMPT} 1-5`, '0123456789abcdef 7-11', 's_00aa11bb22cc33::t_0123456789abcd 13-17'] }, { prompts: {}, sessions: {} }));

  const text = readFileSync(join(repo.dir, 'b.ts'), 'utf8');
  const fns: FunctionSpan[] = [
    { name: 'foreignPrompt', startLine: 1, endLine: 5 },
    { name: 'promptNowhere', startLine: 7, endLine: 11 },
    { name: 'sessionNoRecord', startLine: 13, endLine: 17 },
  ];
  const port = repo.port();
  const attributor = new Attributor(repo.dir, { git: port });
  const result = await attributor.attributeFunctions('b.ts', fns, text);
  const byName = new Map(fns.map((fn) => [fn.name, result.get(fn)!]));

  it('resolves the prompt from the other note, as git-ai does, with its agent and model', () => {
    const a = byName.get('foreignPrompt')!;
    assert.deepEqual([a.ai, a.kind, a.agent, a.model, a.confidence], [true, 'git-ai-note', 'Cursor', 'gpt-4.1', 'high']);
    assert.equal(port.count('grep'), 1, 'one git grep for all the unresolved keys');
  });

  it('a prompt found in no note is not AI', () => {
    const a = byName.get('promptNowhere')!;
    assert.equal(a.ai, false);
    assert.equal(a.aiShare, 0);
  });

  it('a session key with no record is not AI', () => {
    const a = byName.get('sessionNoRecord')!;
    assert.equal(a.ai, false);
    assert.equal(a.aiShare, 0);
  });

  it('counts the skipped attestation lines once per note, for the summary', async () => {
    assert.equal(attributor.skippedAttestations(), 2);
    await attributor.attributeFunctions('b.ts', fns, text);
    assert.equal(attributor.skippedAttestations(), 2, 'attributing again does not count the note twice');
  });
});
