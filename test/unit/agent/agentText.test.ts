import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from 'gpt-tokenizer';
import { table } from '../../../src/core/agent/agentTable';
import { cut, figureNote, fileLine, fmtAgo, fmtMs, fmtPercent, fmtRate, fmtWhen, safeText } from '../../../src/core/agent/agentText';
import { DEFAULT_MAX_TOKENS, DETAIL_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { answerBudget, inputObject, readBoolean, readEnum, readInteger, readString, readWorkspaceFile } from '../../../src/core/agent/toolInput';
import { errorsTool } from '../../../src/core/agent/tools/errors';
import { functionRuntimeTool } from '../../../src/core/agent/tools/functionRuntime';
import { hotspotsTool } from '../../../src/core/agent/tools/hotspots';
import { traceTool } from '../../../src/core/agent/tools/trace';

test('safeText: escape sequences, controls and bidi overrides go, whitespace folds, long text is cut', () => {
  assert.equal(safeText('boom\u001b[31m red\u001b[0m\r\n  next\tline'), 'boom red next line');
  assert.equal(safeText('user\u202e}gnp.exe\u200b'), 'user}gnp.exe');
  assert.equal(safeText('a'.repeat(200), 10), `${'a'.repeat(9)}…`);
  assert.equal(cut('abc', 3), 'abc');
  assert.equal(fileLine('src/a.js', 12), 'src/a.js:12');
  assert.equal(fileLine('src/a.js', 0), 'src/a.js');
  assert.equal(fileLine('', 3), '?');
});

test('figures keep one unit per column and a precision that fits their size', () => {
  assert.deepEqual([fmtMs(0.423), fmtMs(12.34), fmtMs(178), fmtMs(12_345.6), fmtMs(Number.NaN)], ['0.42 ms', '12.3 ms', '178 ms', '12346 ms', '– ms']);
  assert.deepEqual([fmtPercent(0), fmtPercent(0.0025), fmtPercent(3 / 23), fmtPercent(1)], ['0%', '0.25%', '13%', '100%']);
  assert.deepEqual([fmtRate(0.333), fmtRate(7.666), fmtRate(1200)], ['0.33/min', '7.7/min', '1200/min']);
  const now = Date.UTC(2025, 0, 2, 10, 0, 0);
  assert.equal(fmtAgo(now - 3 * 60_000, now), '3m ago');
  assert.equal(fmtWhen(now - 2 * 3_600_000, now), '2h ago (2025-01-02T08:00:00Z)');
});

test('figure notes: sampled figures are never exact, stale ones say how old', () => {
  assert.equal(figureNote(undefined), '');
  assert.equal(figureNote({ source: 'embedded', basis: 'spans' }), '');
  assert.equal(figureNote({ source: 'jaeger', basis: 'sampled', traces: 120 }), 'sampled: 120 traces, not exact (jaeger)');
  assert.equal(figureNote({ source: 'prometheus (prod)', basis: 'metrics', stale: true, ageMs: 300_000 }), 'span metrics, stale 5m (prometheus (prod))');
});

test('table: columns padded to the widest cell, figures right-aligned, long cells cut', () => {
  const t = table(
    [
      { title: '#', align: 'right' },
      { title: 'function', max: 8 },
      { title: 'p95', align: 'right' },
    ],
    [
      ['1', 'createOrder', '178 ms'],
      ['10', 'ls', '4 ms'],
    ],
  );
  assert.deepEqual(t.header, [' #  function     p95']);
  assert.deepEqual(t.rows, [' 1  createO…  178 ms', '10  ls          4 ms']);
});

test('input readers: one line naming the property; unknown properties refused', () => {
  const bad = (f: () => unknown, message: RegExp) => assert.throws(f, (err: Error) => err instanceof ToolInputError && message.test(err.message));
  bad(() => inputObject([], ['a']), /JSON object/);
  bad(() => inputObject({ b: 1 }, ['a']), /unknown input "b"; this tool takes: a/);
  assert.deepEqual(inputObject(undefined, ['a']), {});
  assert.equal(readString({ a: '  x ' }, 'a'), 'x');
  assert.equal(readString({ a: '' }, 'a'), undefined);
  assert.equal(readInteger({ a: '12' }, 'a', 1, 50), 12);
  bad(() => readInteger({ a: 51 }, 'a', 1, 50), /"a" must be between 1 and 50/);
  assert.equal(readBoolean({ a: 'false' }, 'a'), false);
  assert.equal(readEnum({ a: 'x' }, 'a', ['x', 'y']), 'x');
  assert.equal(readWorkspaceFile({ f: './src\\a.js' }, 'f'), 'src/a.js');
  bad(() => readWorkspaceFile({ f: '../a.js' }, 'f'), /workspace-relative/);
  // A key named like an Object.prototype member is not "present".
  assert.equal(readString(Object.create({ a: 'inherited' }), 'a'), undefined);
  assert.equal(answerBudget({ maxTokens: DEFAULT_MAX_TOKENS }, false), DEFAULT_MAX_TOKENS);
  assert.equal(answerBudget({ maxTokens: DEFAULT_MAX_TOKENS }, true), DETAIL_MAX_TOKENS);
});

test('these four tools describe themselves in ~120 tokens each (real tokenizer), keeping the list of six under 1,500', () => {
  let total = 0;
  for (const tool of [functionRuntimeTool, hotspotsTool, errorsTool, traceTool]) {
    const tokens = encode(tool.description + JSON.stringify(tool.inputSchema)).length;
    assert.ok(tokens <= 140, `${tool.name}: ${tokens} tokens`);
    assert.ok(tool.readOnly);
    total += tokens;
  }
  assert.ok(total <= 4 * 120, `${total} tokens`);
});
