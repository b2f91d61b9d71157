/**
 * git-ai notes as they are on real repositories: a few MB each (the prompts' transcripts sit in
 * the metadata), so one batch of commits prints more than any fixed buffer would hold. The repository
 * is real, written in one `git fast-import` (commits and notes) so the test stays quick.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CommitStore, NOTES_REF } from '../../../../src/core/analysis/attribution/commits';
import { nodeGit } from '../../../../src/core/mapping/git';
import { GIT_ENV, makeRepo, removeTestRepos } from './gitRepo';
import type { TestRepo } from './gitRepo';

// The buffer `git log` output was read into before it streamed.
const OLD_BUFFER_BYTES = 64 * 1024 * 1024;
const COMMITS = 40;
const NOTE_BYTES = 2 * 1024 * 1024;

let repo: TestRepo;
let shas: string[] = [];
let noteTotal = 0;

/** A git-ai note of about `NOTE_BYTES`: attestations for one file, then metadata with a long transcript. */
function bigNote(i: number): string {
  const transcript = `step ${i}: ${'refactor the retry loop and add a deadline; '.repeat(Math.ceil(NOTE_BYTES / 44))}`.slice(0, NOTE_BYTES);
  const metadata = {
    schema_version: 'authorship/3.0.0',
    sessions: { s_0a1b2c3d4e5f60: { agent_id: { tool: 'claude', id: `session-${i}`, model: 'claude-opus-4-5' } } },
    prompts: { s_0a1b2c3d4e5f60: { messages: [{ type: 'user', text: transcript }] } },
  };
  return [`file${i}.ts`, '  s_0a1b2c3d4e5f60::t_0123456789abcd 1-2', '---', JSON.stringify(metadata)].join('\n');
}

before(() => {
  repo = makeRepo();
  const chunks: Buffer[] = [];
  const data = (text: string): void => {
    const bytes = Buffer.from(text, 'utf8');
    chunks.push(Buffer.from(`data ${bytes.length}\n`), bytes, Buffer.from('\n'));
  };
  for (let i = 1; i <= COMMITS; i++) {
    chunks.push(Buffer.from(`commit refs/heads/main\nmark :${i}\ncommitter Dana Human <dana@example.invalid> ${1714564800 + i} +0000\n`));
    data(`Add file${i}`);
    if (i > 1) chunks.push(Buffer.from(`from :${i - 1}\n`));
    chunks.push(Buffer.from(`M 100644 inline file${i}.ts\n`));
    data(`export const v${i} = ${i};\nexport const w${i} = ${i};\n`);
  }
  chunks.push(Buffer.from(`commit ${NOTES_REF}\ncommitter Dana Human <dana@example.invalid> 1714600000 +0000\n`));
  data('Notes added by git-ai');
  for (let i = 1; i <= COMMITS; i++) {
    const note = bigNote(i);
    noteTotal += Buffer.byteLength(note);
    chunks.push(Buffer.from(`N inline :${i}\n`));
    data(note);
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, env: { ...process.env, ...GIT_ENV }, input: Buffer.concat(chunks) });
  shas = repo.git('rev-list', '--reverse', 'main').split('\n');
});
after(removeTestRepos);

describe('CommitStore with notes larger than any fixed buffer', () => {
  it('reads every commit and every multi-MB note of one batch', async () => {
    assert.equal(shas.length, COMMITS);
    assert.ok(noteTotal > OLD_BUFFER_BYTES, `the notes (${noteTotal} bytes) must exceed the old buffer`);
    const notesTip = repo.git('rev-parse', NOTES_REF);
    const store = new CommitStore(nodeGit(repo.dir, { env: GIT_ENV }));
    const infos = await store.load(shas, notesTip);
    assert.equal(infos.size, COMMITS);
    for (const [i, sha] of shas.entries()) {
      const info = infos.get(sha)!;
      assert.equal(info.noteProblem, '', `note on commit ${i + 1}`);
      const attestations = info.note?.files.get(`file${i + 1}.ts`);
      assert.deepEqual(
        attestations?.map((a) => [a.ai, a.agent, a.model]),
        [[true, 'Claude Code', 'claude-opus-4-5']],
      );
    }
  });
});
