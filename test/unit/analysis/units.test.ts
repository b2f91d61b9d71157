import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultParsers } from '../../../src/core/analysis/analyze';
import { unitsOf } from '../../../src/core/analysis/units';

async function kinds(source: string): Promise<Array<[string, string | null, boolean]>> {
  const tree = await defaultParsers().parse('javascript', source);
  return unitsOf(tree, 'javascript', true).map((u) => [source.slice(u.start, u.end).split('\n')[0]!, u.kind, u.imports === true]);
}

test('functions stay code when only nested functions assign this, or when they require lazily', async () => {
  const source = [
    "function Api() { this.http = require('axios').create(); }",
    'function handler(req) { return new Promise(function (resolve) { this.done = true; resolve(); }); }',
    "async function lazy() { const zlib = require('node:zlib'); return zlib; }",
    'function plain() { return 1; }',
  ].join('\n');
  assert.deepEqual(await kinds(source), [
    // a constructor function configures what its methods call: context
    ["function Api() { this.http = require('axios').create(); }", 'context', false],
    ['function handler(req) { return new Promise(function (resolve) { this.done = true; resolve(); }); }', 'code', false],
    // re-checked alone, but kept in the view the import table is read from
    ["async function lazy() { const zlib = require('node:zlib'); return zlib; }", 'code', true],
    ['function plain() { return 1; }', 'code', false],
  ]);
});
