import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Attributor, attributeFunctions } from '../../../../src/core/analysis/attribution/attribute';
import type { Attribution, FunctionSpan } from '../../../../src/core/analysis/findings';
import type { Logger } from '../../../../src/core/logger';
import type { TestRepo } from './gitRepo';
import { fnLines, makeRepo, removeTestRepos } from './gitRepo';

after(removeTestRepos);

const HUMAN = { name: 'Dana Human', email: 'dana@example.invalid' };

/** Appends a function to `file` and commits it with `message` (and `author`). */
function addFunction(repo: TestRepo, file: string, name: string, message: string, author = HUMAN, bodyLines = 3): string {
  const path = join(repo.dir, file);
  let current: string[] = [];
  try {
    current = readFileSync(path, 'utf8').trimEnd().split('\n');
  } catch {
    current = [`// ${file}`];
  }
  const body = Array.from({ length: bodyLines }, (_, i) => `const ${name}${i} = ${i};`);
  repo.write(file, [...current, '', ...fnLines(name, [...body, `return ${name}0;`])]);
  return repo.commit(message, author);
}

/** The functions of a file built by `addFunction`, found by their `export function` lines. */
function spans(text: string): FunctionSpan[] {
  const lines = text.split('\n');
  const out: FunctionSpan[] = [];
  lines.forEach((line, i) => {
    const match = /^export function (\w+)\(/.exec(line);
    if (!match) return;
    let end = i;
    while (end < lines.length && lines[end] !== '}') end++;
    out.push({ name: match[1]!, startLine: i + 1, endLine: end + 1 });
  });
  return out;
}

async function attribute(attributor: Attributor, repo: TestRepo, file: string, text?: string): Promise<Map<string, Attribution>> {
  const content = text ?? readFileSync(isAbsolute(file) ? file : join(repo.dir, file), 'utf8');
  const fns = spans(content);
  const result = await attributor.attributeFunctions(file, fns, content);
  return new Map(fns.map((fn) => [fn.name, result.get(fn)!]));
}

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
}

const short = (sha: string): string => sha.slice(0, 7);

describe('attribution from commit trailers and authors', async () => {
  const repo = makeRepo();
  const file = 'src/trailers.ts';
  addFunction(repo, file, 'byHuman', 'Add a helper');
  const claude = addFunction(repo, file, 'byClaude', 'Add cache\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  const bare = addFunction(repo, file, 'byBareName', 'Tweak\n\nCo-Authored-By: Claude');
  const aider = addFunction(repo, file, 'byAider', 'fix: retry', { name: 'Dana Human (aider)', email: 'dana@example.invalid' });
  const aiderTrailer = addFunction(repo, file, 'byAiderTrailer', 'feat: x\n\nCo-authored-by: aider (gpt-4o) <aider@aider.chat>');
  const copilot = addFunction(repo, file, 'byCopilot', 'Initial plan', { name: 'copilot-swe-agent[bot]', email: '198982749+Copilot@users.noreply.github.com' });
  const cursor = addFunction(repo, file, 'byCursor', 'Refactor\n\nMade-with: Cursor');
  const devin = addFunction(repo, file, 'byDevin', 'Add endpoint\n\nCo-Authored-By: Devin AI <158243242+devin-ai-integration[bot]@users.noreply.github.com>');
  const assisted = addFunction(repo, file, 'byAssisted', 'mm: fix\n\nAssisted-by: codex:gpt-5-codex');
  const generatedWith = addFunction(repo, file, 'byGeneratedLine', 'Add\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)');
  const port = repo.port();
  const logger = capturingLogger();
  const attributor = new Attributor(repo.dir, { git: port, logger });
  const result = await attribute(attributor, repo, file);

  it('a repository without git-ai notes gives no warnings (git prints %N literally without a notes ref)', () => {
    assert.deepEqual(logger.warnings, []);
  });

  it('a human commit is not AI and says there is no claim', () => {
    assert.deepEqual(result.get('byHuman'), { ai: false, source: 'git blame: no AI claim', kind: 'none', confidence: 'low', aiShare: 0 });
  });

  it('a Co-Authored-By Claude trailer with its address makes the function AI-written, medium', () => {
    assert.deepEqual(result.get('byClaude'), {
      ai: true,
      source: `Co-Authored-By trailer on ${short(claude)}`,
      kind: 'commit-trailer',
      agent: 'Claude Code',
      commit: short(claude),
      confidence: 'medium',
      aiShare: 1,
    });
  });

  it('a bare co-author name is shown at low confidence but does not make the function AI-written', () => {
    const a = result.get('byBareName')!;
    assert.equal(a.ai, false);
    assert.equal(a.confidence, 'low');
    assert.equal(a.kind, 'commit-trailer');
    assert.equal(a.source, `Co-Authored-By trailer on ${short(bare)}`);
    assert.equal(a.aiShare, 0, 'low claims do not count toward the AI share');
  });

  it('each agent form is recognized with its agent and model', () => {
    const pick = (name: string) => {
      const a = result.get(name)!;
      return [a.ai, a.kind, a.source, a.agent, a.model, a.confidence];
    };
    assert.deepEqual(pick('byAider'), [true, 'commit-author', `commit author Dana Human (aider) on ${short(aider)}`, 'aider', undefined, 'medium']);
    assert.deepEqual(pick('byAiderTrailer'), [true, 'commit-trailer', `Co-Authored-By trailer on ${short(aiderTrailer)}`, 'aider', 'gpt-4o', 'medium']);
    assert.deepEqual(pick('byCopilot'), [true, 'commit-author', `commit author copilot-swe-agent[bot] on ${short(copilot)}`, 'GitHub Copilot', undefined, 'medium']);
    assert.deepEqual(pick('byCursor'), [true, 'commit-trailer', `Made-with trailer on ${short(cursor)}`, 'Cursor', undefined, 'medium']);
    assert.deepEqual(pick('byDevin'), [true, 'commit-trailer', `Co-Authored-By trailer on ${short(devin)}`, 'Devin', undefined, 'medium']);
    assert.deepEqual(pick('byAssisted'), [true, 'commit-trailer', `Assisted-by trailer on ${short(assisted)}`, 'Codex', 'gpt-5-codex', 'medium']);
    assert.deepEqual(pick('byGeneratedLine'), [true, 'commit-trailer', `Generated with [Claude Code] line on ${short(generatedWith)}`, 'Claude Code', undefined, 'medium']);
  });

  it('used one state query, one blame and one log for the whole file (plus the top-level lookup)', () => {
    assert.deepEqual(port.calls[0], ['rev-parse', '--revs-only', 'HEAD', 'refs/notes/ai']);
    assert.deepEqual(
      port.calls.filter((c) => c[0] === 'rev-parse').map((c) => c[1]),
      ['--revs-only', '--show-toplevel'],
    );
    assert.equal(port.count('blame'), 1);
    assert.equal(port.count('log'), 1);
    assert.equal(port.calls.length, 4, `calls: ${port.calls.map((c) => c[0]).join(', ')}`);
  });
});

describe('mixed functions', async () => {
  const repo = makeRepo();
  const file = 'mixed.ts';
  repo.write(file, [...fnLines('mostlyHuman', ['const a = 1;', 'const b = 2;', 'const c = 3;', 'const d = 4;', 'return a;']), '', ...fnLines('mostlyAi', ['const a = 1;', 'return a;'])]);
  repo.commit('Human start');
  // Claude rewrites two of the seven lines of mostlyHuman and all of mostlyAi's body.
  repo.write(file, [
    ...fnLines('mostlyHuman', ['const a = 10;', 'const b = 20;', 'const c = 3;', 'const d = 4;', 'return a;']),
    '',
    'export function mostlyAi(input: number) {',
    '  const doubled = input * 2;',
    '  const tripled = input * 3;',
    '  const sum = doubled + tripled;',
    '  return sum;',
    '}',
  ]);
  const ai = repo.commit('Tune\n\nCo-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>');
  // A person then edits one line of the AI function.
  const text = readFileSync(join(repo.dir, file), 'utf8').replace('const tripled = input * 3;', 'const tripled = input * 3; // checked');
  writeFileSync(join(repo.dir, file), text);
  repo.commit('Review');
  const result = await attribute(new Attributor(repo.dir, { git: repo.port() }), repo, file);

  it('a minority of AI lines does not make the function AI-written, but shows in aiShare', () => {
    const a = result.get('mostlyHuman')!;
    assert.equal(a.ai, false);
    assert.equal(a.kind, 'none');
    assert.ok(Math.abs(a.aiShare - 2 / 7) < 1e-9, `aiShare ${a.aiShare}`);
  });

  it('a majority of AI lines does, with the model from the trailer name', () => {
    const a = result.get('mostlyAi')!;
    assert.equal(a.ai, true);
    assert.equal(a.model, 'Claude Sonnet 4.5');
    assert.equal(a.commit, short(ai));
    assert.ok(Math.abs(a.aiShare - 4 / 6) < 1e-9, `aiShare ${a.aiShare}`);
  });
});

describe('git-ai notes', async () => {
  const repo = makeRepo();
  repo.write('notes.ts', ['// notes module']);
  repo.commit('Start');
  repo.write('notes.ts', [
    '// notes module', //                        1
    '', //                                       2
    ...fnLines('aiWritten', ['const a = 1;', 'const b = a + 1;', 'return b;']), // 3-7
    '', //                                       8
    ...fnLines('humanWritten', ['const h = 1;', 'return h;']), // 9-12
  ]);
  const noted = repo.commit('Add functions'); // no trailer: only the note says who wrote what
  repo.addNote(
    noted,
    [
      'notes.ts',
      '  s_0a1b2c3d4e5f60::t_0123456789abcd 3-7',
      '---',
      JSON.stringify({ schema_version: 'authorship/3.0.0', sessions: { s_0a1b2c3d4e5f60: { agent_id: { tool: 'claude', id: 'x', model: 'claude-opus-4-5' } } }, prompts: {} }),
    ].join('\n'),
  );
  // Later human commits move the lines and rename the file: the note's line numbers are as of `noted`.
  const moved = readFileSync(join(repo.dir, 'notes.ts'), 'utf8');
  writeFileSync(join(repo.dir, 'notes.ts'), ['import a from "a";', 'import b from "b";', 'import c from "c";', moved].join('\n'));
  repo.commit('Imports');
  repo.git('mv', 'notes.ts', 'lib.ts');
  repo.commit('Rename');
  const logger = capturingLogger();
  const port = repo.port();
  const attributor = new Attributor(repo.dir, { git: port, logger });
  const result = await attribute(attributor, repo, 'lib.ts');

  it('attributes noted lines through blame to the current lines, with agent and model, high', () => {
    assert.deepEqual(result.get('aiWritten'), {
      ai: true,
      source: `git-ai note on ${short(noted)}`,
      kind: 'git-ai-note',
      agent: 'Claude Code',
      model: 'claude-opus-4-5',
      commit: short(noted),
      confidence: 'high',
      aiShare: 1,
    });
  });

  it('lines of a noted file that the note does not list are human, high', () => {
    assert.deepEqual(result.get('humanWritten'), {
      ai: false,
      source: `git-ai note on ${short(noted)}: human`,
      kind: 'git-ai-note',
      commit: short(noted),
      confidence: 'high',
      aiShare: 0,
    });
    assert.deepEqual(logger.warnings, []);
  });

  it('a note is authoritative for its commit: a trailer on the same commit is not consulted', async () => {
    repo.write('both.ts', fnLines('claimedByBoth', ['return 1;']));
    const both = repo.commit('x\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    repo.addNote(both, ['other.ts', '  s_0a1b2c3d4e5f60 1', '---', '{"schema_version":"authorship/3.0.0"}'].join('\n'));
    const r = await attribute(attributor, repo, 'both.ts');
    assert.equal(r.get('claimedByBoth')!.ai, false);
    assert.equal(r.get('claimedByBoth')!.kind, 'git-ai-note');
  });

  it('a malformed note is ignored with a logged reason and the commit falls back to its trailers', async () => {
    repo.write('bad.ts', [...fnLines('badNoteWithTrailer', ['return 1;']), '', ...fnLines('badNoteOnly', ['return 2;'])]);
    const withTrailer = repo.commit('x\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    repo.addNote(withTrailer, 'bad.ts\n  s_0a1b2c3d4e5f60 1-3\n---\n{"schema_version": "authorship/3.0.0"');
    const r = await attribute(attributor, repo, 'bad.ts');
    assert.equal(r.get('badNoteWithTrailer')!.kind, 'commit-trailer');
    assert.equal(r.get('badNoteWithTrailer')!.ai, true);
    assert.ok(
      logger.warnings.some((w) => w.startsWith(`git-ai note on ${short(withTrailer)} ignored: metadata is not JSON`)),
      logger.warnings.join('\n'),
    );

    repo.write('bad2.ts', fnLines('garbageNote', ['return 3;']));
    const garbage = repo.commit('human');
    repo.addNote(garbage, '\u0000\u0001 not a note at all');
    const r2 = await attribute(attributor, repo, 'bad2.ts');
    assert.equal(r2.get('garbageNote')!.ai, false);
    assert.equal(r2.get('garbageNote')!.kind, 'none');
    assert.ok(logger.warnings.some((w) => w.includes(`${short(garbage)} ignored: no '---' line`)));
  });

  it('picks up notes added after the first attribution (the cache follows the notes ref)', async () => {
    repo.write('late.ts', fnLines('notedLater', ['return 4;']));
    const late = repo.commit('plain');
    const before = await attribute(attributor, repo, 'late.ts');
    assert.equal(before.get('notedLater')!.ai, false);
    repo.addNote(
      late,
      ['late.ts', '  0123456789abcdef 1-3', '---', JSON.stringify({ schema_version: 'authorship/3.0.0', prompts: { '0123456789abcdef': { agent_id: { tool: 'cursor', model: 'gpt-4.1' } } } })].join('\n'),
    );
    const afterNote = await attribute(attributor, repo, 'late.ts');
    assert.equal(afterNote.get('notedLater')!.ai, true);
    assert.equal(afterNote.get('notedLater')!.agent, 'Cursor');
    assert.equal(afterNote.get('notedLater')!.model, 'gpt-4.1');
  });
});

describe('Agent Trace records', async () => {
  const repo = makeRepo();
  repo.write('traced.ts', [
    ...fnLines('traceAi', ['const a = 1;', 'return a;']), //       1-4
    '', //                                                          5
    ...fnLines('traceMixed', ['const b = 1;', 'return b;']), //    6-9
    '', //                                                         10
    ...fnLines('traceHuman', ['const c = 1;', 'return c;']), //   11-14
    '', //                                                         15
    ...fnLines('traceUnknown', ['const d = 1;', 'return d;']), // 16-19
  ]);
  const traced = repo.commit('Traced work\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  mkdirSync(join(repo.dir, '.agent-trace'));
  const record = {
    version: '0.1.0',
    id: 'r1',
    timestamp: '2026-01-23T14:30:00Z',
    vcs: { type: 'git', revision: traced },
    tool: { name: 'cursor', version: '2.4.0' },
    files: [
      {
        path: 'traced.ts',
        conversations: [
          { contributor: { type: 'ai', model_id: 'anthropic/claude-opus-4-5' }, ranges: [{ start_line: 1, end_line: 4 }] },
          { contributor: { type: 'mixed' }, ranges: [{ start_line: 6, end_line: 9 }] },
          { contributor: { type: 'human' }, ranges: [{ start_line: 11, end_line: 14 }] },
          { contributor: { type: 'unknown' }, ranges: [{ start_line: 16, end_line: 19 }] },
        ],
      },
    ],
  };
  writeFileSync(join(repo.dir, '.agent-trace', 'traces.jsonl'), JSON.stringify(record) + '\n{broken\n');
  const logger = capturingLogger();
  const result = await attribute(new Attributor(repo.dir, { git: repo.port(), logger }), repo, 'traced.ts');

  it('ai ranges are high confidence with the tool and model', () => {
    const a = result.get('traceAi')!;
    assert.deepEqual([a.ai, a.kind, a.source, a.agent, a.model, a.confidence], [true, 'agent-trace', `Agent Trace record on ${short(traced)}`, 'Cursor', 'anthropic/claude-opus-4-5', 'high']);
  });

  it('mixed ranges are medium confidence AI', () => {
    const a = result.get('traceMixed')!;
    assert.deepEqual([a.ai, a.kind, a.confidence], [true, 'agent-trace', 'medium']);
  });

  it('human ranges override the commit trailer; unknown ranges fall through to it', () => {
    const h = result.get('traceHuman')!;
    assert.deepEqual([h.ai, h.kind, h.confidence, h.source], [false, 'agent-trace', 'high', `Agent Trace record on ${short(traced)}: human`]);
    const u = result.get('traceUnknown')!;
    assert.deepEqual([u.ai, u.kind], [true, 'commit-trailer']);
  });

  it('logs the record lines it skipped', () => {
    assert.ok(
      logger.warnings.some((w) => /traces\.jsonl: skipped line 2: not JSON/.test(w)),
      logger.warnings.join('\n'),
    );
  });
});

describe('uncommitted code, generated files, markers and no repository', async () => {
  const repo = makeRepo();
  const file = 'work.ts';
  addFunction(repo, file, 'committedAi', 'x\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  const port = repo.port();
  const attributor = new Attributor(repo.dir, { git: port });

  it('lines edited in the working copy are not committed, not AI', async () => {
    const disk = readFileSync(join(repo.dir, file), 'utf8');
    const edited = disk.replace(/const committedAi(\d) = (\d);/g, 'const committedAi$1 = $2 + 1;') + '\n' + fnLines('brandNew', ['return 0;']).join('\n') + '\n';
    writeFileSync(join(repo.dir, file), edited);
    const r = await attribute(attributor, repo, file);
    const ai = r.get('committedAi')!;
    assert.equal(ai.ai, false, 'three of six lines were rewritten locally: half is not most');
    assert.equal(ai.aiShare, 3 / 6);
    assert.deepEqual(r.get('brandNew'), { ai: false, source: 'not committed', kind: 'none', confidence: 'low', aiShare: 0 });
  });

  it('an unsaved editor buffer is blamed from its text, reusing the cached blame of HEAD', async () => {
    const blamesBefore = port.count('blame');
    const buffer = readFileSync(join(repo.dir, file), 'utf8').replace(/ \+ 1;/g, ';');
    const r = await attribute(attributor, repo, file, buffer);
    assert.equal(r.get('committedAi')!.ai, true, 'the buffer restored the committed lines');
    assert.equal(port.count('blame'), blamesBefore, 'no new blame for an edit');
  });

  it('a file that was never committed is not committed', async () => {
    repo.write('untracked.ts', fnLines('untracked', ['return 1;']));
    const r = await attribute(attributor, repo, join(repo.dir, 'untracked.ts'));
    assert.equal(r.get('untracked')!.source, 'not committed');
  });

  it('a generated file is skipped entirely, without asking git', async () => {
    const text = ['// Code generated by protoc-gen-ts. DO NOT EDIT.', ...fnLines('generated', ['return 1;'])].join('\n') + '\n';
    repo.write('gen.ts', text.trimEnd().split('\n'));
    repo.commit('gen\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    const calls = port.calls.length;
    const result = await attributor.attributeFunctions('gen.ts', spans(text), text);
    assert.equal(result.size, 0);
    assert.equal(port.calls.length, calls);
  });

  it('an @ai-generated marker is a low-confidence claim', async () => {
    repo.write('marked.ts', ['/** @ai-generated */', ...fnLines('marked', ['return 1;'])]);
    repo.commit('human commit');
    const r = await attribute(attributor, repo, 'marked.ts');
    assert.deepEqual(r.get('marked'), { ai: false, source: '@ai-generated marker on line 1', kind: 'code-marker', confidence: 'low', aiShare: 0 });
  });

  it('a folder with no commits attributes nothing to AI', async () => {
    const empty = makeRepo();
    const text = fnLines('f', ['return 1;']).join('\n');
    const r = await new Attributor(empty.dir, { git: empty.port() }).attributeFunctions('f.ts', spans(text), text);
    assert.deepEqual([...r.values()], [{ ai: false, source: 'no commits yet', kind: 'none', confidence: 'low', aiShare: 0 }]);
  });

  it('a file outside the repository is reported as such', async () => {
    const text = fnLines('f', ['return 1;']).join('\n');
    const r = await attributor.attributeFunctions('/elsewhere/f.ts', spans(text), text);
    assert.equal([...r.values()][0]!.source, 'outside the repository');
  });
});

describe('caching across files', () => {
  it('fetches each commit once for all files and blames each file once per HEAD', async () => {
    const repo = makeRepo();
    repo.write('one.ts', fnLines('one', ['return 1;']));
    repo.write('two.ts', fnLines('two', ['return 2;']));
    repo.commit('both\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    const port = repo.port();
    const attributor = new Attributor(repo.dir, { git: port });
    const one = await attribute(attributor, repo, 'one.ts');
    const two = await attribute(attributor, repo, 'two.ts');
    await attribute(attributor, repo, 'one.ts');
    assert.equal(one.get('one')!.ai, true);
    assert.equal(two.get('two')!.ai, true);
    assert.equal(port.count('blame'), 2);
    assert.equal(port.count('log'), 1, 'the shared commit is fetched once');
  });

  it('with stateMaxAgeMs, an edit in the buffer runs no git command at all', async () => {
    const repo = makeRepo();
    repo.write('q.ts', fnLines('q', ['const a = 1;', 'return a;']));
    repo.commit('x\n\nMade-with: Cursor');
    const port = repo.port();
    const attributor = new Attributor(repo.dir, { git: port, stateMaxAgeMs: 60_000 });
    await attribute(attributor, repo, 'q.ts');
    const calls = port.calls.length;
    const edited = readFileSync(join(repo.dir, 'q.ts'), 'utf8').replace('const a = 1;', 'const a = 2;');
    const r = await attribute(attributor, repo, 'q.ts', edited);
    assert.equal(port.calls.length, calls);
    assert.equal(r.get('q')!.aiShare, 3 / 4);
  });

  it('the module-level function shares one attributor per repository root', async () => {
    const repo = makeRepo();
    repo.write('s.ts', fnLines('s', ['return 1;']));
    repo.commit('x\n\nMade-with: Cursor');
    const port = repo.port();
    const text = readFileSync(join(repo.dir, 's.ts'), 'utf8');
    const fns = spans(text);
    const first = await attributeFunctions(repo.dir, 's.ts', fns, text, { git: port });
    await attributeFunctions(repo.dir, join(repo.dir, 's.ts'), fns, text);
    assert.equal(first.get(fns[0]!)!.agent, 'Cursor');
    assert.equal(port.count('blame'), 1, 'the second call reused the first call attributor and its cache');
    assert.equal(port.count('rev-parse'), 3, 'HEAD twice, the top level once');
  });
});
