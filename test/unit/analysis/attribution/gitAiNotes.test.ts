import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { foreignPromptKeys, noteCoversPath, noteLineAuthor, parseGitAiNote } from '../../../../src/core/analysis/attribution/gitAiNotes';
import type { GitAiNote } from '../../../../src/core/analysis/attribution/gitAiNotes';
import { parseRangeList } from '../../../../src/core/analysis/attribution/lineRanges';

/** A note in the 3.x shape: new session keys, a legacy prompt key and a human key. */
const NOTE = [
  'src/api.ts',
  '  s_c9883b05a2487d::t_9f8e7d6c5b4a32 1-4,9',
  '  s_c9883b05a2487d::t_a1b2c3d4e5f678 12-20',
  '  h_a1b2c3d4e5f678 15',
  'src/legacy.py',
  '  c9883b05a2487d6d 3-5',
  '---',
  JSON.stringify({
    schema_version: 'authorship/3.0.0',
    sessions: { s_c9883b05a2487d: { agent_id: { tool: 'claude', id: 'sess-1', model: 'claude-sonnet-4-5' }, human_author: 'dana@example.invalid' } },
    prompts: { c9883b05a2487d6d: { agent_id: { tool: 'cursor', id: 'p-1', model: 'gpt-4.1' } } },
    humans: { h_a1b2c3d4e5f678: { author: 'Dana' } },
  }),
].join('\n');

function parsed(text: string): GitAiNote {
  const result = parseGitAiNote(text);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.note;
}

function rejected(text: string): string {
  const result = parseGitAiNote(text);
  assert.equal(result.ok, false, 'the note should be rejected');
  return result.ok ? '' : result.reason;
}

describe('parseRangeList', () => {
  it('reads single lines and inclusive ranges', () => {
    assert.deepEqual(parseRangeList('1-4,9,12-20'), [
      { start: 1, end: 4 },
      { start: 9, end: 9 },
      { start: 12, end: 20 },
    ]);
  });

  it('refuses zero, reversed, non-numeric and absurd ranges', () => {
    assert.match(String(parseRangeList('0-3')), /start at 1/);
    assert.match(String(parseRangeList('9-3')), /ends before/);
    assert.match(String(parseRangeList('1-x')), /bad line range/);
    assert.match(String(parseRangeList('1-99999999999')), /out of range/);
    assert.match(String(parseRangeList('')), /bad line range/);
  });
});

describe('parseGitAiNote', () => {
  it('resolves session keys to the agent and model in metadata.sessions', () => {
    const note = parsed(NOTE);
    assert.equal(note.schemaVersion, 'authorship/3.0.0');
    assert.deepEqual(noteLineAuthor(note, 'src/api.ts', 2), { ai: true, agent: 'Claude Code', model: 'claude-sonnet-4-5' });
    assert.deepEqual(noteLineAuthor(note, 'src/api.ts', 9), { ai: true, agent: 'Claude Code', model: 'claude-sonnet-4-5' });
  });

  it('resolves legacy 16-hex keys through metadata.prompts', () => {
    const note = parsed(NOTE);
    assert.deepEqual(noteLineAuthor(note, 'src/legacy.py', 4), { ai: true, agent: 'Cursor', model: 'gpt-4.1' });
  });

  it('treats h_ keys and unlisted lines of a listed file as human, and unlisted files as unknown', () => {
    const note = parsed(NOTE);
    assert.deepEqual(noteLineAuthor(note, 'src/api.ts', 15), { ai: false }, 'a human claim overrides the AI range around it');
    assert.deepEqual(noteLineAuthor(note, 'src/api.ts', 6), { ai: false });
    assert.equal(noteLineAuthor(note, 'src/other.ts', 1), null);
    assert.equal(noteCoversPath(note, 'src/other.ts'), false);
  });

  it('session keys with no record are not AI: the line is skipped and counted, as git-ai skips it', () => {
    // Before: the line was taken as AI with no agent, an over-claim git-ai itself does not make.
    const note = parsed(['a.ts', '  s_0123456789abcd::t_0123456789abcd 1-2', '---', '{"schema_version":"authorship/3.0.0"}'].join('\n'));
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 1), { ai: false });
    assert.equal(note.skipped, 1);
    assert.match(note.warnings[0]!, /session key 's_0123456789abcd::t_0123456789abcd' has no record/);
  });

  it('skips attestation lines with unknown key forms and says why, keeping the rest', () => {
    const note = parsed(
      ['a.ts', '  we:ird 1-2', '  s_0123456789abcd 3', '---', JSON.stringify({ schema_version: 'authorship/3.1.0', sessions: { s_0123456789abcd: { agent_id: { tool: 'codex', model: 'gpt-5' } } } })].join('\n'),
    );
    assert.equal(note.warnings.length, 1);
    assert.equal(note.skipped, 1);
    assert.match(note.warnings[0]!, /unknown attestation key 'we:ird'/);
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 3), { ai: true, agent: 'Codex', model: 'gpt-5' });
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 1), { ai: false });
  });

  it('reads quoted paths and CRLF notes', () => {
    const note = parsed(['"dir/with space.ts"', '  s_0123456789abcd 1', '---', '{"schema_version":"authorship/3.0.0","sessions":{"s_0123456789abcd":{"agent_id":{"tool":"claude"}}}}'].join('\r\n'));
    assert.deepEqual(noteLineAuthor(note, 'dir/with space.ts', 1), { ai: true, agent: 'Claude Code' });
  });

  it('the latest entry for a line wins, as in git-ai (a later AI edit over a human line is AI)', () => {
    const meta = { schema_version: 'authorship/3.0.0', sessions: { s_0123456789abcd: { agent_id: { tool: 'claude' } } }, humans: { h_0123456789abcd: { author: 'Dana' } } };
    const note = parsed(['a.ts', '  h_0123456789abcd 1-5', '  s_0123456789abcd::t_0000000000000a 3', '---', JSON.stringify(meta)].join('\n'));
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 3), { ai: true, agent: 'Claude Code' });
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 2), { ai: false });
  });

  it('human keys with no record are skipped and counted, so an earlier AI entry still speaks', () => {
    const meta = { schema_version: 'authorship/3.0.0', sessions: { s_0123456789abcd: { agent_id: { tool: 'claude' } } } };
    const note = parsed(['a.ts', '  s_0123456789abcd 1-3', '  h_0123456789abcd 2', '---', JSON.stringify(meta)].join('\n'));
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 2), { ai: true, agent: 'Claude Code' });
    assert.equal(note.skipped, 1);
  });

  it('prompt keys whose record is in another note are listed and resolved through the given records', () => {
    const note = parsed(['a.ts', '  c9883b05a2487d6d 1-2', '  0123456789abcdef 4', '---', '{"schema_version":"authorship/3.0.0","prompts":{}}'].join('\n'));
    assert.deepEqual(foreignPromptKeys(note).sort(), ['0123456789abcdef', 'c9883b05a2487d6d']);
    const foreign = new Map([
      ['c9883b05a2487d6d', { agent: 'Cursor', model: 'gpt-4.1' }],
      ['0123456789abcdef', null],
    ]);
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 1, foreign), { ai: true, agent: 'Cursor', model: 'gpt-4.1' });
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 4, foreign), { ai: false }, 'a prompt found in no note is not AI');
    assert.deepEqual(noteLineAuthor(note, 'a.ts', 1), { ai: false }, 'unresolved, it claims nothing');
  });

  it('a note lists its own prompt records for other notes to resolve against', () => {
    const note = parsed(NOTE);
    assert.deepEqual(note.prompts.get('c9883b05a2487d6d'), { agent: 'Cursor', model: 'gpt-4.1' });
  });

  it('rejects malformed notes with a reason instead of throwing', () => {
    assert.match(rejected('a.ts\n  s_0123456789abcd 1-2\n'), /no '---'/);
    assert.match(rejected('a.ts\n  s_0123456789abcd 1-2\n---\n{not json'), /not JSON/);
    assert.match(rejected('a.ts\n---\n[1,2]'), /not a JSON object/);
    assert.match(rejected('a.ts\n---\n{}'), /no schema_version/);
    assert.match(rejected('a.ts\n---\n{"schema_version":"authorship/2.0.0"}'), /unsupported schema_version/);
    assert.match(rejected('  s_0123456789abcd 1\na.ts\n---\n{"schema_version":"authorship/3.0.0"}'), /before any path/);
    assert.match(rejected('a.ts\n  s_0123456789abcd 4-1\n---\n{"schema_version":"authorship/3.0.0"}'), /line 2: range ends before it starts/);
    assert.match(rejected('a.ts\n  s_0123456789abcd\n---\n{"schema_version":"authorship/3.0.0"}'), /expected '<key> <ranges>'/);
    assert.match(rejected('"a.ts\n---\n{"schema_version":"authorship/3.0.0"}'), /bad quoted path/);
  });

  it('accepts a note with metadata but no attestations (a commit with no AI lines)', () => {
    const note = parsed('---\n{"schema_version":"authorship/3.0.0","prompts":{}}');
    assert.equal(note.files.size, 0);
  });
});
