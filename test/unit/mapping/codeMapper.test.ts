import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import { emptyCode } from '../../../src/core/ingest/records';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { resource, span } from '../../support/records';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-mapper-'));
let mapper: CodeMapper;

const ORDERS_TS = `export function createOrder(items: string[]): { id: number } {
  if (items.length === 0) {
    throw new Error('empty order');
  }
  return { id: items.length };
}
`;
const EXPRESS = `const express = require('express');
const app = express();

app.get('/users/:id', async function getUser(req, res) {
  res.json({ id: req.params.id });
});

function computeTotals(cart) {
  return cart.reduce((a, b) => a + b, 0);
}
module.exports = { app, computeTotals };
`;
const PRICING_PY = `def apply_discount(price, pct):
    if pct > 100:
        raise ValueError("discount above 100%")
    return price * (1 - pct / 100)
`;

function write(rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

before(async () => {
  write('src/orders.ts', ORDERS_TS);
  write('src/server.js', EXPRESS);
  write('py/pricing.py', PRICING_PY);
  write('a/index.js', 'module.exports = 1;\n');
  write('b/index.js', 'module.exports = 2;\n');
  await build({ entryPoints: [path.join(root, 'src/orders.ts')], outfile: path.join(root, 'dist/orders.js'), sourcemap: true, bundle: false, format: 'cjs', platform: 'node' });
  const { index } = await WorkspaceIndex.build(root);
  mapper = new CodeMapper(index);
});
after(() => rmSync(root, { recursive: true, force: true }));

async function map(s: ReturnType<typeof span>) {
  return mapper.resolve(s);
}

test('code attributes with a production path map by suffix to the function start', async () => {
  const r = await map(span({ code: { ...emptyCode(), function: 'computeTotals', file: '/srv/app/src/server.js', line: 9 } }));
  assert.deepEqual(r.location && { ...r.location, confidence: undefined }, { file: 'src/server.js', line: 8, function: 'computeTotals', mappedBy: 'code-attributes', confidence: undefined });
});

test('code attributes pointing at built JS resolve through the source map', async () => {
  const built = (await import('node:fs')).readFileSync(path.join(root, 'dist/orders.js'), 'utf8').split('\n');
  const line = built.findIndex((l) => l.includes('empty order')) + 1;
  const column = built[line - 1].indexOf('throw') + 1;
  const r = await map(span({ code: { ...emptyCode(), function: 'createOrder', file: '/app/dist/orders.js', line, column } }));
  assert.equal(r.location?.file, 'src/orders.ts');
  assert.equal(r.location?.mappedBy, 'sourcemap');
  assert.equal(r.location?.line, 1, 'the span location is the function start');
});

test('a Python stack trace maps to the raising line for exceptions', async () => {
  const stack = `Traceback (most recent call last):
  File "/usr/lib/python3.11/site-packages/flask/app.py", line 1484, in full_dispatch_request
    rv = self.dispatch_request()
  File "/srv/py/pricing.py", line 3, in apply_discount
    raise ValueError("discount above 100%")
ValueError: discount above 100%`;
  const res = resource('py-orders', 'production', { language: 'python' });
  const m = await mapper.mapException(res, { type: 'ValueError', message: 'discount above 100%', stacktrace: stack, timeMs: 0 }, null, null);
  assert.equal(m.location?.file, 'py/pricing.py');
  assert.equal(m.location?.line, 3);
  assert.equal(m.location?.function, 'apply_discount');
  assert.equal(m.location?.mappedBy, 'stacktrace');
  const s = await map(span({ resource: res, kind: 1, name: 'price the cart', exceptions: [{ type: 'ValueError', message: 'x', stacktrace: stack, timeMs: 0 }] }));
  assert.equal(s.location, null, 'an exception recorded on a span never moves the span to the function that threw');
});

test('server spans without code attributes map by http.route to the handler', async () => {
  const r = await map(span({ kind: 2, name: 'GET /users/{id}', httpRoute: '/users/{id}', httpMethod: 'GET' }));
  assert.equal(r.location?.file, 'src/server.js');
  assert.equal(r.location?.line, 4);
  assert.equal(r.location?.mappedBy, 'route');
});

test('the span name maps to a unique function', async () => {
  const r = await map(span({ kind: 1, name: 'createOrder' }));
  assert.equal(r.location?.file, 'src/orders.ts');
  assert.equal(r.location?.mappedBy, 'span-name');
});

test('misses and ambiguity are unmapped with a reason, never guessed', async () => {
  const ambiguous = await map(span({ code: { ...emptyCode(), file: '/app/index.js', line: 1 } }));
  assert.equal(ambiguous.location, null);
  assert.match(ambiguous.reason, /index\.js.*2 workspace files/);
  const noRoute = await map(span({ kind: 2, httpRoute: '/nowhere', httpMethod: 'POST' }));
  assert.equal(noRoute.location, null);
  assert.match(noRoute.reason, /no route registration for POST \/nowhere/);
  const nothing = await map(span({ kind: 1, name: 'db.query' }));
  assert.equal(nothing.location, null);
  assert.match(nothing.reason, /span name "db.query" matches no function/);
});

test('the cache keeps each position of a function apart: one position, then several', async () => {
  // A function's first position is cached alone and a second turns it into a map by position:
  // each must come back for its own position only, whatever the order.
  const { index } = await WorkspaceIndex.build(root);
  const fresh = new CodeMapper(index);
  const at = (line: number, fn = 'computeTotals') => span({ code: { ...emptyCode(), function: fn, file: '/srv/app/src/server.js', line } });
  assert.equal(fresh.lookup(at(9)), undefined);
  const nine = await fresh.resolve(at(9));
  assert.equal(fresh.lookup(at(9))?.location, nine.location);
  assert.equal(fresh.lookup(at(4)), undefined, 'another line of the same function is not cached yet');
  // The same function reported at other lines (as a span inside it would be).
  const four = await fresh.resolve(at(4));
  const ten = await fresh.resolve(at(10));
  for (const [line, result] of [
    [9, nine],
    [4, four],
    [10, ten],
  ] as const) {
    assert.equal(fresh.lookup(at(line))?.location, result.location, `line ${line}`);
  }
  assert.equal(fresh.lookup(at(11)), undefined);
  assert.equal(fresh.lookup(at(9, 'getUser')), undefined, 'another function at the same position is its own entry');
});
