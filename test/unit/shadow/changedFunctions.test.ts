// changedFunctions against real git repositories in temp folders: edits, deletions, renames, removed
// and untracked files, a workspace below the repository's root, names git quotes; and the sampler's
// predicate over traces held by the real TraceBuffer.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { TraceSpan } from '../../../src/core/api/signals';
import { nodeGit } from '../../../src/core/mapping/git';
import { workspaceReader } from '../../../src/core/mapping/workspaceIndex';
import { changedFunctions, type ChangedCode } from '../../../src/core/shadow/changedFunctions';
import { touchesChangedCode } from '../../../src/core/shadow/changedTouch';
import type { ShadowRequest } from '../../../src/core/shadow/shadowRequest';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A git repository in a temp folder holding `files` at commit tag `base`. */
function repo(files: Record<string, string>): { dir: string; write(file: string, text: string): void; edit(file: string, from: string, to: string): void; remove(file: string): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rl-changed-'));
  dirs.push(dir);
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  for (const [file, text] of Object.entries(files)) write(file, text);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'add', '-A');
  git('-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-m', 'base');
  git('tag', 'base');
  return {
    dir,
    write,
    edit(file, from, to) {
      const text = readFileSync(path.join(dir, file), 'utf8');
      assert.ok(text.includes(from), `${file} holds ${from}`);
      writeFileSync(path.join(dir, file), text.replace(from, to));
    },
    remove: (file) => unlinkSync(path.join(dir, file)),
  };
}

const changedIn = (root: string, ref = 'base'): Promise<ChangedCode> => changedFunctions(nodeGit(root), ref, (file) => workspaceReader(root).read(file));
const names = (c: ChangedCode): string[] => c.functions.map((f) => `${f.file}:${f.qualifiedName}@${f.side}`).sort();

const ORDERS = `'use strict';

function loadOrder(id) {
  const order = { id, lines: [] };
  order.total = 0;
  order.audit = 'loaded';
  return order;
}

function listOrders() {
  return [];
}

class OrderBook {
  add(order) {
    this.orders.push(order);
  }

  size() {
    return this.orders.length;
  }
}

module.exports = { loadOrder, listOrders, OrderBook };
`;

const SERVER = `const express = require('express');
const { loadOrder } = require('./orders');
const app = express();

app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/orders/:id', async (req, res) => {
  res.json(await loadOrder(req.params.id));
});
app.listen(3000);
`;

describe('changedFunctions', () => {
  it('names the functions around edited, added and deleted lines, and nothing untouched', async () => {
    const r = repo({ 'orders.js': ORDERS, 'src/util.js': 'function oldName(x) {\n  return x + 1;\n}\n\nfunction keep() {\n  return 2;\n}\n', 'gone.js': 'function goneFn() {\n  return 1;\n}\n', 'server.js': SERVER });
    r.edit('orders.js', 'order.total = 0;', 'order.total = order.lines.length;');
    r.edit('orders.js', '    this.orders.push(order);\n', '    this.orders.push(order);\n    this.orders.sort();\n');
    // A pure deletion: the function that held the removed line changed.
    r.edit('orders.js', "  order.audit = 'loaded';\n", '');
    r.edit('src/util.js', 'function oldName(x) {', 'function newName(x) {');
    r.remove('gone.js');
    r.write('fresh.js', 'function fresh() {\n  return 3;\n}\n');
    r.edit('server.js', 'res.json(await loadOrder(req.params.id));', 'res.status(201).json(await loadOrder(req.params.id));');
    const c = await changedIn(r.dir);
    assert.match(c.commit, /^[0-9a-f]{40}$/);
    assert.equal(c.ref, 'base');
    assert.deepEqual(names(c), [
      'fresh.js:fresh@working tree',
      'gone.js:goneFn@base',
      'orders.js:OrderBook.add@working tree',
      'orders.js:loadOrder@working tree',
      // An anonymous handler is the unit its route's spans map to, named as the code mapper names it.
      'server.js:GET /orders/:id handler@working tree',
      'src/util.js:newName@working tree',
      // Production still runs the old name: its spans map to it.
      'src/util.js:oldName@base',
    ]);
    assert.deepEqual(c.files, ['fresh.js', 'gone.js', 'orders.js', 'server.js', 'src/util.js']);
    const load = c.functions.find((f) => f.name === 'loadOrder')!;
    assert.deepEqual([load.line, load.endLine], [3, 7]);
  });

  it('finds nothing in a clean working tree; a deletion between two functions touches neither', async () => {
    const r = repo({ 'orders.js': ORDERS });
    assert.deepEqual((await changedIn(r.dir)).functions, []);
    r.edit('orders.js', '}\n\nfunction listOrders', '}\nfunction listOrders');
    const c = await changedIn(r.dir);
    assert.deepEqual(c.functions, []);
    assert.deepEqual(c.files, ['orders.js']);
  });

  it('reads a workspace below the repository root with its own relative paths, and names git quotes', async () => {
    const r = repo({
      'svc/a.js': 'function a() {\n  return 1;\n}\n',
      'other/b.js': 'function b() {\n  return 1;\n}\n',
      'svc/my "odd" file.js': 'function odd() {\n  return 1;\n}\n',
      'svc/café.py': 'def brew():\n    return 1\n',
    });
    r.edit('svc/a.js', 'return 1', 'return 2');
    r.edit('other/b.js', 'return 1', 'return 2');
    r.edit('svc/my "odd" file.js', 'return 1', 'return 2');
    r.edit('svc/café.py', 'return 1', 'return 2');
    const c = await changedIn(path.join(r.dir, 'svc'));
    assert.deepEqual(names(c), ['a.js:a@working tree', 'café.py:brew@working tree', 'my "odd" file.js:odd@working tree']);
  });

  it('refuses a ref that is not a name, one that names nothing, and a folder outside any repository, each in one line', async () => {
    const r = repo({ 'a.js': 'function a() {}\n' });
    await assert.rejects(changedIn(r.dir, '--output=/tmp/x'), /is not a branch, tag or commit name/);
    await assert.rejects(changedIn(r.dir, 'base..HEAD'), /is not a branch, tag or commit name/);
    await assert.rejects(changedIn(r.dir, 'HEAD@{1}'), /is not a branch, tag or commit name/);
    await assert.rejects(changedIn(r.dir, 'no-such-branch'), /^Error: no-such-branch names no commit in this repository$/);
    const outside = mkdtempSync(path.join(os.tmpdir(), 'rl-not-a-repo-'));
    dirs.push(outside);
    await assert.rejects(changedIn(outside), (err: Error) => /not a git repository/i.test(err.message) && !err.message.includes('\n'));
  });
});

describe('touchesChangedCode', () => {
  const changed: ChangedCode = {
    ref: 'base',
    commit: 'c'.repeat(40),
    files: ['orders.js', 'pricing.js'],
    functions: [
      { file: 'orders.js', name: 'loadOrder', qualifiedName: 'loadOrder', line: 3, endLine: 9, side: 'working tree' },
      { file: 'pricing.js', name: 'quote', qualifiedName: 'Pricing.quote', line: 10, endLine: 20, side: 'working tree' },
    ],
  };
  const span = (spanId: string, parentSpanId: string, kind: number, mapping?: TraceSpan['mapping']): TraceSpan => ({
    spanId,
    parentSpanId,
    name: spanId,
    kind,
    service: 'shop',
    environment: 'production',
    startMs: 1,
    durationMs: 1,
    error: false,
    statusMessage: '',
    httpRoute: '',
    httpMethod: 'GET',
    exceptions: [],
    ...(mapping ? { mapping } : {}),
  });
  const at = (file: string, fn: string, line = 1) => ({ file, function: fn, line, mappedBy: 'span-name' as const, confidence: 1 });
  // One trace: /api/orders/1 (through loadOrder) calls /internal/prices, a second server span of its own.
  const trace = {
    traceId: 'a'.repeat(32),
    spans: [
      span('1000000000000001', '', 2),
      span('1000000000000002', '1000000000000001', 1, at('orders.js', 'loadOrder')),
      span('1000000000000003', '1000000000000002', 3),
      span('1000000000000004', '1000000000000003', 2),
      span('1000000000000005', '1000000000000004', 1, at('catalog.js', 'prices')),
    ],
  };
  const request = (spanId: string | undefined, traceId: string | null = trace.traceId): ShadowRequest => ({
    id: `trace:${spanId}`,
    origin: 'trace',
    method: 'GET',
    target: '/',
    route: '',
    headers: [],
    recorded: { ...(traceId !== null ? { traceId } : {}), ...(spanId ? { spanId } : {}) },
  });

  it("counts the spans below the request's own server span, not its caller's", () => {
    const touches = touchesChangedCode(changed, [trace]);
    assert.equal(touches(request('1000000000000001')), true, 'the outer request ran through loadOrder');
    assert.equal(touches(request('1000000000000004')), false, 'the downstream request did not');
    assert.equal(touches(request(undefined, null)), false, 'a request without a trace never touches');
    assert.equal(touches(request('1000000000000001', 'b'.repeat(32))), false, 'a trace not read');
  });

  it('matches a qualified name or its last segment in the same file, and a mapping without a name by line', () => {
    const other = (m: TraceSpan['mapping']) => ({ traceId: 'c'.repeat(32), spans: [span('2000000000000001', '', 2, m)] });
    const req = (traceId: string) => request('2000000000000001', traceId);
    for (const [m, want] of [
      [at('pricing.js', 'Pricing.quote'), true],
      [at('pricing.js', 'quote'), true],
      [at('other.js', 'quote'), false],
      [at('orders.js', '', 5), true],
      [at('orders.js', '', 12), false],
    ] as const) {
      assert.equal(touchesChangedCode(changed, [other(m)])(req('c'.repeat(32))), want, JSON.stringify(m));
    }
  });

  it('takes a name with ancestry steps (HEAD~1, base^1): what an agent asks for "the commit before"', async () => {
    const r = repo({ 'a.js': 'function a() {\n  return 1;\n}\n' });
    r.edit('a.js', 'return 1', 'return 2');
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', 'commit', '-q', '-am', 'next'], { cwd: r.dir });
    r.edit('a.js', 'return 2', 'return 3');
    for (const ref of ['HEAD~1', 'HEAD^1', 'HEAD~']) {
      const c = await changedIn(r.dir, ref);
      assert.deepEqual(names(c), ['a.js:a@working tree'], ref);
      assert.equal(c.ref, ref);
    }
  });
});
