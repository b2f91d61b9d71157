import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Attributor } from '../../../../src/core/analysis/attribution/attribute';
import { CommitStore } from '../../../../src/core/analysis/attribution/commits';
import type { CommitClaim } from '../../../../src/core/analysis/attribution/trailers';
import { attributionLabel } from '../../../../src/core/analysis/ranking';
import type { Attribution, FunctionSpan } from '../../../../src/core/analysis/findings';
import type { TestRepo } from './gitRepo';
import { fnLines, makeRepo, removeTestRepos } from './gitRepo';

after(removeTestRepos);

type Person = { name: string; email: string };

/** One commit per identity shape, as the agents (and the people around them) really write them. */
const SHAPES: { name: string; message: string; author?: Person; committer?: Person; want: Partial<CommitClaim> | null }[] = [
  {
    name: 'Claude with any model name at noreply@anthropic.com (a model family no list knows)',
    message: 'Add cache\n\nCo-Authored-By: Claude Fable 5.1 <noreply@anthropic.com>\nClaude-Session: https://claude.ai/code/session_01EePvuMtr5Jw36ALZ49CKPb',
    want: { agent: 'Claude Code', model: 'Claude Fable 5.1', confidence: 'medium', label: 'Co-Authored-By trailer' },
  },
  {
    name: 'Claude with a context-window note: the model reads cleanly',
    message: 'Add cache\n\nCo-authored-by: Claude Opus 4.7 (1M context) <noreply@anthropic.com>',
    want: { agent: 'Claude Code', model: 'Claude Opus 4.7', confidence: 'medium' },
  },
  {
    name: 'Claude-Session trailer alone',
    message: 'Add cache\n\nClaude-Session: https://claude.ai/code/session_01TSRpZQEY9fnKQqHLh5WHpU',
    want: { agent: 'Claude Code', confidence: 'medium', label: 'Claude-Session trailer' },
  },
  {
    name: 'claude-code-action as claude[bot]',
    message: 'Fix\n\nCo-authored-by: claude[bot] <209825114+claude[bot]@users.noreply.github.com>',
    want: { agent: 'Claude Code', confidence: 'medium' },
  },
  {
    name: 'Codex at noreply@openai.com, with the model in the name',
    message: 'Refactor\n\nCo-Authored-By: GPT-5.6 Codex <noreply@openai.com>',
    want: { agent: 'Codex', model: 'GPT-5.6 Codex', confidence: 'medium' },
  },
  {
    name: 'Codex plain',
    message: 'Refactor\n\nCo-authored-by: Codex <noreply@openai.com>',
    want: { agent: 'Codex', confidence: 'medium' },
  },
  {
    name: 'Copilot coding agent as author, GitHub as committer',
    message: 'Initial plan',
    author: { name: 'Copilot', email: '198982749+Copilot@users.noreply.github.com' },
    committer: { name: 'GitHub', email: 'noreply@github.com' },
    want: { agent: 'GitHub Copilot', confidence: 'medium', kind: 'commit-author', label: 'commit author Copilot' },
  },
  {
    name: 'Copilot Autofix on a code-scanning alert',
    message: 'Potential fix for code scanning alert no. 1\n\nCo-authored-by: Copilot Autofix powered by AI <62310815+github-advanced-security[bot]@users.noreply.github.com>',
    want: { agent: 'Copilot Autofix', confidence: 'medium' },
  },
  {
    name: 'Copilot Autofix on a pull-request finding (at the Copilot address)',
    message: 'Potential fix for pull request finding\n\nCo-authored-by: Copilot Autofix powered by AI <175728472+Copilot@users.noreply.github.com>',
    want: { agent: 'Copilot Autofix', confidence: 'medium' },
  },
  {
    name: 'Cursor co-author named "Cursor"',
    message: 'Fix decode path\n\nCo-authored-by: Cursor <cursoragent@cursor.com>',
    want: { agent: 'Cursor', confidence: 'medium' },
  },
  {
    name: "Cursor Agent as the committer of a person's commit",
    message: 'Tidy',
    committer: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' },
    want: { agent: 'Cursor', confidence: 'medium', kind: 'commit-author', label: 'commit committer Cursor Agent' },
  },
  {
    name: 'Devin',
    message: 'Add endpoint\n\nGenerated with [Devin](https://devin.ai)\n\nCo-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>',
    want: { agent: 'Devin', confidence: 'medium' },
  },
  {
    name: 'Amp with its thread trailer',
    message: 'Update skills\n\nAmp-Thread-ID: https://ampcode.com/threads/T-019c58d6-7447-76d1-8e5b-c1c0e03cac36\nCo-authored-by: Amp <amp@ampcode.com>',
    want: { agent: 'Amp', confidence: 'medium' },
  },
  {
    name: 'Jules as author',
    message: 'feat(perf): use RPC',
    author: { name: 'google-labs-jules[bot]', email: '161369871+google-labs-jules[bot]@users.noreply.github.com' },
    want: { agent: 'Jules', confidence: 'medium', kind: 'commit-author' },
  },
  {
    name: 'Gemini Code Assist suggestion applied',
    message: 'fix shape (#550)\n\nCo-authored-by: gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>',
    want: { agent: 'Gemini Code Assist', confidence: 'medium' },
  },
  {
    name: 'Gemini CLI by name and Google noreply together',
    message: 'Add search\n\nCo-Authored-By: Gemini <noreply@google.com>',
    want: { agent: 'Gemini CLI', confidence: 'medium' },
  },
  {
    name: 'aider author-name suffix',
    message: 'fix: retry',
    author: { name: 'Dana Human (aider)', email: 'dana@example.invalid' },
    want: { agent: 'aider', confidence: 'medium', kind: 'commit-author' },
  },
  {
    name: 'Generated-by AGENT:MODEL',
    message: 'Add parser\n\nGenerated-by: claude:claude-opus-4-5',
    want: { agent: 'Claude Code', model: 'claude-opus-4-5', confidence: 'medium', label: 'Generated-by trailer' },
  },
  {
    name: 'Assisted-by naming a tool only',
    message: 'Rework CI\n\nAssisted-by: GitHub copilot\nSigned-off-by: Dana Human <dana@example.invalid>',
    want: { agent: 'GitHub Copilot', confidence: 'low', label: 'Assisted-by trailer' },
  },
  {
    name: 'an unrecognised AI vendor noreply address',
    message: 'Port module\n\nCo-authored-by: Qwen Coder <noreply@qwen.ai>',
    want: { agent: 'unrecognised: Qwen Coder', confidence: 'low', label: 'possible AI (unrecognised: Qwen Coder) in Co-Authored-By trailer' },
  },
  {
    name: 'an unrecognised AI-ish bot account',
    message: 'Fix\n\nCo-authored-by: sweep-ai[bot] <128439645+sweep-ai[bot]@users.noreply.github.com>',
    want: { agent: 'unrecognised: sweep-ai[bot]', confidence: 'low' },
  },
  {
    name: 'an unrecognised Assisted-by tool',
    message: 'Rework CI\n\nAssisted-by: IBM Bob',
    want: { agent: 'unrecognised: IBM Bob', confidence: 'low', label: 'possible AI (unrecognised: IBM Bob) in Assisted-by trailer' },
  },
  {
    name: 'a dependency bot is not an agent',
    message: 'Bump x\n\nCo-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>',
    want: null,
  },
  {
    name: 'GitHub as committer of a web merge is not an agent',
    message: 'Merge pull request #4',
    committer: { name: 'GitHub', email: 'noreply@github.com' },
    want: null,
  },
  {
    name: 'a person called Claude is not an agent',
    message: 'Pair work\n\nCo-authored-by: Claude Dupont <claude@dupont.example>',
    want: null,
  },
  {
    name: 'a squash naming several people beside Claude is mixed, low',
    message:
      'Console pages (#212)\n\n* move files\n\n* add pages\n\n---------\n\nCo-authored-by: Alex Other <alex@example.invalid>\nCo-authored-by: Claude Opus 4.8 (1M context) <noreply@anthropic.com>\nCo-authored-by: Sam Third <sam@example.invalid>',
    want: { agent: 'Claude Code', model: 'Claude Opus 4.8', confidence: 'low', label: 'Co-Authored-By trailer (mixed: 3 people and an agent)' },
  },
  {
    name: 'one person with Claude is not mixed',
    message: 'Add cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>\nCo-authored-by: Dana Human <dana@example.invalid>',
    want: { agent: 'Claude Code', confidence: 'medium', label: 'Co-Authored-By trailer' },
  },
];

describe('agent identities in real commits (git log through CommitStore)', async () => {
  const repo = makeRepo();
  const shas = SHAPES.map((shape, i) => {
    repo.write('a.txt', [`change ${i}`]);
    return repo.commit(shape.message, shape.author, shape.committer);
  });
  const infos = await new CommitStore(repo.port()).load(shas, null);
  SHAPES.forEach((shape, i) => {
    it(shape.name, () => {
      const claim = infos.get(shas[i]!)!.claim;
      if (shape.want === null) {
        assert.equal(claim, null);
        return;
      }
      assert.ok(claim, 'a claim');
      const picked = Object.fromEntries(Object.keys(shape.want).map((k) => [k, claim[k as keyof CommitClaim]]));
      assert.deepEqual(picked, shape.want);
      if (!('model' in shape.want)) assert.equal(claim.model, undefined, 'no model for a plain agent name');
    });
  });
});

/** Appends a function to `file` and commits it. */
function addFunction(repo: TestRepo, file: string, name: string, message: string, author?: Person, committer?: Person): string {
  let current: string[] = [];
  try {
    current = readFileSync(join(repo.dir, file), 'utf8').trimEnd().split('\n');
  } catch {
    current = [`// ${file}`];
  }
  repo.write(file, [...current, '', ...fnLines(name, [`const a = 1;`, `const b = 2;`, `return a + b;`])]);
  return repo.commit(message, author, committer);
}

async function attributeAll(attributor: Attributor, repo: TestRepo, file: string): Promise<Map<string, Attribution>> {
  const text = readFileSync(join(repo.dir, file), 'utf8');
  const lines = text.split('\n');
  const fns: FunctionSpan[] = [];
  lines.forEach((line, i) => {
    const match = /^export function (\w+)\(/.exec(line);
    if (!match) return;
    let end = i;
    while (lines[end] !== '}') end++;
    fns.push({ name: match[1]!, startLine: i + 1, endLine: end + 1 });
  });
  const result = await attributor.attributeFunctions(file, fns, text);
  return new Map(fns.map((fn) => [fn.name, result.get(fn)!]));
}

describe('what a commit claim makes of a function', async () => {
  const repo = makeRepo();
  const file = 'src/work.ts';
  addFunction(repo, file, 'squashed', 'Console (#212)\n\nCo-authored-by: Alex Other <alex@example.invalid>\nCo-authored-by: Claude <noreply@anthropic.com>\nCo-authored-by: Sam Third <sam@example.invalid>');
  addFunction(repo, file, 'byOpus', 'Add\n\nCo-authored-by: Claude Opus 4.7 (1M context) <noreply@anthropic.com>');
  addFunction(repo, file, 'byCommitter', 'Tidy', undefined, { name: 'Cursor Agent', email: 'cursoragent@cursor.com' });
  addFunction(repo, file, 'byUnknownAgent', 'Port\n\nCo-authored-by: Qwen Coder <noreply@qwen.ai>');
  const result = await attributeAll(new Attributor(repo.dir, { git: repo.port() }), repo, file);

  it('a squash with several people beside the agent is mixed at low confidence, not AI-written', () => {
    const a = result.get('squashed')!;
    assert.equal(a.ai, false);
    assert.equal(a.confidence, 'low');
    assert.match(a.source, /^Co-Authored-By trailer \(mixed: 3 people and an agent\) on [0-9a-f]{7}$/);
  });

  it('the agent label reads "Claude Code (Claude Opus 4.7)", not the name doubled', () => {
    const a = result.get('byOpus')!;
    assert.equal(a.ai, true);
    assert.equal(attributionLabel(a), 'AI-written (Claude Code (Claude Opus 4.7), trailer)');
  });

  it('an agent account as committer makes the commit AI-written, medium', () => {
    const a = result.get('byCommitter')!;
    assert.deepEqual([a.ai, a.kind, a.agent, a.confidence], [true, 'commit-author', 'Cursor', 'medium']);
  });

  it('an unrecognised agent is shown as possible AI at low confidence, never dropped', () => {
    const a = result.get('byUnknownAgent')!;
    assert.equal(a.ai, false);
    assert.equal(a.confidence, 'low');
    assert.match(a.source, /^possible AI \(unrecognised: Qwen Coder\) in Co-Authored-By trailer on [0-9a-f]{7}$/);
  });
});
