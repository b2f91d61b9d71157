import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentTraces, readAgentTraces, traceLineContributor, traceRangesFor } from '../../../../src/core/analysis/attribution/agentTrace';

const REV = '0123456789abcdef0123456789abcdef01234567';

function record(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: '0.1.0',
    id: '550e8400-e29b-41d4-a716-446655440000',
    timestamp: '2026-01-23T14:30:00Z',
    vcs: { type: 'git', revision: REV },
    tool: { name: 'cursor', version: '2.4.0' },
    files: [
      {
        path: 'src/parser.ts',
        conversations: [
          { contributor: { type: 'ai', model_id: 'anthropic/claude-opus-4-5-20251101' }, ranges: [{ start_line: 10, end_line: 20 }] },
          { contributor: { type: 'mixed' }, ranges: [{ start_line: 30, end_line: 35 }] },
          { contributor: { type: 'human' }, ranges: [{ start_line: 40, end_line: 41 }] },
          {
            contributor: { type: 'ai' },
            ranges: [
              { start_line: 50, end_line: 52 },
              { start_line: 53, end_line: 53, contributor: { type: 'unknown' } },
            ],
          },
        ],
      },
    ],
    ...overrides,
  });
}

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('parseAgentTraces', () => {
  it('indexes ranges by revision and path, with contributor type, agent and model', () => {
    const index = parseAgentTraces(record() + '\n');
    assert.deepEqual(index.skipped, []);
    const ranges = traceRangesFor(index, REV, 'src/parser.ts');
    assert.deepEqual(traceLineContributor(ranges, 15), { start: 10, end: 20, type: 'ai', agent: 'Cursor', model: 'anthropic/claude-opus-4-5-20251101' });
    assert.equal(traceLineContributor(ranges, 31)?.type, 'mixed');
    assert.equal(traceLineContributor(ranges, 40)?.type, 'human');
    assert.equal(traceLineContributor(ranges, 53)?.type, 'unknown', 'a range may override its conversation contributor');
    assert.equal(traceLineContributor(ranges, 25), null);
    assert.deepEqual(traceRangesFor(index, REV, 'src/other.ts'), []);
    assert.deepEqual(traceRangesFor(index, 'f'.repeat(40), 'src/parser.ts'), []);
  });

  it('finds records that name the commit by an abbreviated sha', () => {
    const index = parseAgentTraces(record({ vcs: { type: 'git', revision: REV.slice(0, 10) } }));
    assert.equal(traceRangesFor(index, REV, 'src/parser.ts').length, 5);
  });

  it('lets a later record about the same lines win', () => {
    const later = record({ files: [{ path: 'src/parser.ts', conversations: [{ contributor: { type: 'human' }, ranges: [{ start_line: 12, end_line: 12 }] }] }] });
    const index = parseAgentTraces([record(), later].join('\n'));
    const ranges = traceRangesFor(index, REV, 'src/parser.ts');
    assert.equal(traceLineContributor(ranges, 12)?.type, 'human');
    assert.equal(traceLineContributor(ranges, 13)?.type, 'ai');
  });

  it('skips bad lines with a reason and keeps the good ones', () => {
    const lines = [
      '{not json',
      '[]',
      record({ vcs: { type: 'jj', revision: 'kkmpptxz' } }),
      record({ vcs: { type: 'git', revision: 'HEAD' } }),
      record({ files: 'nope' }),
      record({ files: [{ path: '/etc/passwd', conversations: [] }] }),
      record({ files: [{ path: '../x.ts', conversations: [] }] }),
      record({ files: [{ path: 'a.ts', conversations: [{ contributor: { type: 'robot' }, ranges: [] }] }] }),
      record({ files: [{ path: 'a.ts', conversations: [{ contributor: { type: 'ai' }, ranges: [{ start_line: 5, end_line: 2 }] }] }] }),
      record({ files: [{ path: 'a.ts', conversations: [{ contributor: { type: 'ai' }, ranges: [{ start_line: '1' }] }] }] }),
      record(),
    ];
    const index = parseAgentTraces(lines.join('\n'));
    assert.equal(index.skipped.length, 10);
    assert.match(index.skipped[0]!, /^line 1: not JSON/);
    assert.match(index.skipped[2]!, /line 3: vcs type 'jj' is not git/);
    assert.match(index.skipped[3]!, /not a git sha/);
    assert.match(index.skipped[5]!, /not repository-relative/);
    assert.match(index.skipped[7]!, /contributor type 'robot'/);
    assert.match(index.skipped[8]!, /range 5-2: range ends before it starts/);
    assert.equal(traceRangesFor(index, REV, 'src/parser.ts').length, 5, 'the good record is kept');
    assert.deepEqual(traceRangesFor(index, REV, 'a.ts'), [], 'a record with one bad file is dropped whole');
  });
});

describe('readAgentTraces', () => {
  it('reads .agent-trace/traces.jsonl from the repository root, and a missing file is empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-trace-'));
    temps.push(dir);
    assert.equal((await readAgentTraces(dir)).byRevision.size, 0);
    mkdirSync(join(dir, '.agent-trace'));
    writeFileSync(join(dir, '.agent-trace', 'traces.jsonl'), record() + '\n');
    const index = await readAgentTraces(dir);
    assert.equal(traceRangesFor(index, REV, 'src/parser.ts').length, 5);
  });
});
