// The editor's shadow-run choices (validated from workspace state and command arguments), the CLI
// arguments they become, the `--progress json` lines, and the report webview's message validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShadowWebviewMessage } from '../../../src/core/api/shadowProtocol';
import { describeChoice, PRODUCTION_TRACES, parseBudget, parseShadowChoice, shadowCliArgs, startsProcess } from '../../../src/core/shadow/shadowChoice';
import { parseProgressLine, progressJsonLine, progressText } from '../../../src/core/shadow/shadowProgress';

const choice = { traffic: '/tmp/shop.har', target: { kind: 'start', command: 'node server.js', health: '/health' }, baseline: { kind: 'ref', ref: 'base' }, budget: 140 };

test('a stored choice is taken back only when every part is valid', () => {
  assert.deepEqual(parseShadowChoice(choice), choice);
  assert.equal(parseShadowChoice({ ...choice, traffic: '/tmp/shop.txt' }), undefined);
  assert.equal(parseShadowChoice({ ...choice, budget: 0 }), undefined);
  assert.equal(parseShadowChoice({ ...choice, baseline: { kind: 'ref', ref: '--upload-pack=evil' } }), undefined);
  assert.equal(parseShadowChoice({ ...choice, baseline: { kind: 'ref', ref: 'HEAD~1' } }), undefined, 'the CLI takes plain names: HEAD~1 goes as its commit');
  // A ref's baseline is started with the candidate's command: a running URL has none.
  assert.equal(parseShadowChoice({ ...choice, target: { kind: 'url', url: 'http://127.0.0.1:3000' } }), undefined);
  assert.equal(parseShadowChoice({ ...choice, target: { kind: 'url', url: 'javascript:alert(1)' }, baseline: { kind: 'none' } }), undefined);
  assert.equal(parseShadowChoice(null), undefined);
  assert.equal(startsProcess(parseShadowChoice(choice)!), true);
});

test('a choice becomes the CLI arguments: JSON report, JSON progress, the ref in one argument', () => {
  assert.deepEqual(shadowCliArgs(parseShadowChoice(choice)!, '/work/shop'), [
    'shadow',
    '--traffic',
    '/tmp/shop.har',
    '--start',
    'node server.js',
    '--health',
    '/health',
    '--baseline-ref=base',
    '--workspace',
    '/work/shop',
    '--budget',
    '140',
    '--json',
    '--progress',
    'json',
  ]);
  const url = shadowCliArgs({ traffic: '/t.gor', target: { kind: 'url', url: 'http://127.0.0.1:3000' }, baseline: { kind: 'url', url: 'http://127.0.0.1:3001' }, budget: 5 }, '');
  assert.deepEqual(url.slice(0, 7), ['shadow', '--traffic', '/t.gor', '--target', 'http://127.0.0.1:3000', '--baseline', 'http://127.0.0.1:3001']);
  assert.deepEqual([parseBudget('200'), typeof parseBudget('0'), typeof parseBudget('1e3')], [200, 'string', 'string']);
});

test('progress lines round-trip; any other stderr line is not progress', () => {
  const p = { phase: 'replay' as const, done: 40, total: 140 };
  assert.equal(progressJsonLine(p), '{"phase":"replay","done":40,"total":140}\n');
  assert.deepEqual(parseProgressLine(progressJsonLine(p).trim()), p);
  assert.equal(progressText(p), 'Replaying 40 of 140 requests');
  assert.equal(parseProgressLine('runtime-lens: collecting the local builds’ spans'), undefined);
  assert.equal(parseProgressLine('{"phase":"rm -rf","done":1,"total":1}'), undefined);
  assert.equal(parseProgressLine('{"phase":"replay","done":-1,"total":1}'), undefined);
});

test('the report webview may only open a location, rerun, or show the logs', () => {
  assert.deepEqual(parseShadowWebviewMessage({ kind: 'ready' }), { kind: 'ready' });
  assert.deepEqual(parseShadowWebviewMessage({ kind: 'request', id: 3, method: 'openLocation', params: { file: 'orders.js', line: 13, extra: 1 } }), {
    kind: 'request',
    id: 3,
    method: 'openLocation',
    params: { file: 'orders.js', line: 13 },
  });
  assert.equal(parseShadowWebviewMessage({ kind: 'request', id: 3, method: 'openLocation', params: { file: 'orders.js', line: 0 } }), undefined);
  assert.equal(parseShadowWebviewMessage({ kind: 'request', id: 4, method: 'toString', params: {} }), undefined);
  assert.equal(parseShadowWebviewMessage({ kind: 'request', id: 4, method: 'runCommand', params: { command: 'x' } }), undefined);
  assert.deepEqual(parseShadowWebviewMessage({ kind: 'request', id: 5, method: 'rerun', params: { choice: 'x' } }), { kind: 'request', id: 5, method: 'rerun', params: {} });
});

test("production traces read from the editor's server, its token never on the command line", () => {
  const fromTraces = parseShadowChoice({ ...choice, traffic: PRODUCTION_TRACES })!;
  assert.equal(fromTraces.traffic, PRODUCTION_TRACES);
  const args = shadowCliArgs(fromTraces, '/work/shop', { server: 'http://127.0.0.1:4318', token: 's3cret' });
  assert.deepEqual(args.slice(0, 3), ['shadow', '--from', 'http://127.0.0.1:4318']);
  assert.ok(!args.includes('--traffic') && !args.some((a) => a.includes('s3cret')), JSON.stringify(args));
  assert.throws(() => shadowCliArgs(fromTraces, '/work/shop'), /need a running Runtime Lens/);
  assert.match(describeChoice(fromTraces), /^140 requests of production traces against `node server\.js`/);
});
