import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtMs, fmtNumber, fmtPercent, fmtRate } from '../../../src/core/agent/agentText';
import { DEFAULT_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { estimateTokens } from '../../../src/core/agent/answerBudget';
import { functionRuntimeTool } from '../../../src/core/agent/tools/functionRuntime';
import type { FunctionSignal } from '../../../src/core/api/signals';
import { type AgentFixture, codeAttrs, git, hrTime, makeSpans, ORDERS_JS, PRICING_JS, type Seeded, SpanKind, seedOrders, send, startFixture } from './agentFixture';

const LEGACY_JS = `// the old order path, kept for one client
function createOrder(req) {
  return req;
}
module.exports = { createOrder };
`;

let fx: AgentFixture;
let seeded: Seeded;
const opts = { maxTokens: DEFAULT_MAX_TOKENS };

before(async () => {
  fx = await startFixture({ 'src/orders.js': ORDERS_JS, 'src/pricing.js': PRICING_JS, 'src/legacy/orders.js': LEGACY_JS, 'src/unused.js': 'function idle() {\n  return 0;\n}\n' });
  seeded = await seedOrders(fx);
  await send(
    fx,
    makeSpans('orders', 'production', fx.deployed.slice(0, 12), (t) => {
      const s = t.startSpan('legacy', { kind: SpanKind.SERVER, startTime: hrTime(Date.now() - 30_000), attributes: codeAttrs(fx, 'createOrder', 'src/legacy/orders.js', 2) });
      s.end(hrTime(Date.now() - 29_990));
    }),
  );
  fx.data.authoredList = [
    {
      file: 'src/orders.js',
      function: 'createOrder',
      line: 1,
      endLine: 6,
      authorship: { ai: true, how: 'Co-Authored-By trailer on 3f2a1c0', agent: 'Claude Code', model: 'claude-opus-4', confidence: 'high', aiShare: 0.8 },
    },
  ];
  fx.data.findingList = [
    { rule: 'unchecked-input', severity: 'warning', file: 'src/orders.js', line: 2, endLine: 2, function: 'createOrder', message: 'req is used without validation' },
    { rule: 'missing-timeout', severity: 'warning', file: 'src/pricing.js', line: 2, endLine: 2, function: 'quote', message: 'outside createOrder' },
  ];
});
after(() => fx.stop());

async function signalOf(window: string, fn: string, file: string, environment = 'production'): Promise<FunctionSignal> {
  const s = (await fx.data.signals({ window, environment, file })).functions.find((f) => f.function === fn);
  assert.ok(s, `${fn} has figures in ${window}`);
  return s;
}

function rowOf(text: string, window: string): string {
  const row = text.split('\n').find((l) => l.startsWith(`${window} `));
  assert.ok(row, `a row for ${window} in:\n${text}`);
  return row;
}

test('file + line inside a function: figures per window, exactly as the read API has them', async () => {
  const answer = await functionRuntimeTool.run({ file: 'src/orders.js', line: 3 }, fx.data, opts);
  const text = answer.text;
  assert.equal(answer.empty, undefined);
  assert.match(text.split('\n')[0], /^Function runtime · window 1h and 5m · environment production · source receiver at http:\/\/127\.0\.0\.1:\d+$/);
  for (const window of ['1h', '5m']) {
    const s = await signalOf(window, 'createOrder', 'src/orders.js');
    const cells = rowOf(text, window)
      .trim()
      .split(/\s{2,}/);
    assert.deepEqual(cells, [window, String(s.count), fmtRate(s.ratePerMin), fmtMs(s.p50Ms), fmtMs(s.p95Ms), fmtMs(s.p99Ms), `${fmtPercent(s.errorRate)} (${s.errors})`]);
    assert.equal(s.errors, 3);
  }
  const s = await signalOf('1h', 'createOrder', 'src/orders.js');
  assert.ok(text.includes(`createOrder at src/orders.js:1 · service orders · environment production`));
  assert.ok(text.includes(`mapped by ${s.mappedBy}, confidence ${fmtNumber(s.confidence)}; line 3 maps to the function starting at line 1`));
  // Deployed one commit behind HEAD.
  const head = git(fx.root, 'rev-parse', 'HEAD');
  assert.ok(text.includes(`deployed ${fx.deployed.slice(0, 7)} (1.4.0) vs HEAD ${head.slice(0, 7)}: drifted: the deployment is 1 commit behind HEAD, 0 ahead`), text);
  // Exemplars: the two slowest and two failing by default (full trace ids), every one with detail.
  const line = (e: { kind: string; traceId: string; durationMs: number }) => `  ${e.kind} ${e.traceId} ${fmtMs(e.durationMs)} `;
  for (const kind of ['slowest', 'error'] as const) {
    const top = s.exemplars.filter((e) => e.kind === kind).sort((a, b) => b.durationMs - a.durationMs);
    assert.ok(top.length > 0, kind);
    for (const e of top.slice(0, 2)) assert.ok(text.includes(line(e)), `${kind} exemplar ${e.traceId}`);
  }
  const detail = (await functionRuntimeTool.run({ file: 'src/orders.js', line: 3, detail: true }, fx.data, opts)).text;
  for (const e of s.exemplars) assert.ok(detail.includes(line(e)), `${e.kind} exemplar ${e.traceId} with detail`);
});

test('its error group, one stack trimmed to the workspace frames, and its AI authorship and findings', async () => {
  const text = (await functionRuntimeTool.run({ file: 'src/orders.js', line: 3 }, fx.data, opts)).text;
  const group = (await fx.data.signals({ window: '1h', environment: 'production', file: 'src/orders.js' })).errors.find((e) => e.function === 'createOrder');
  assert.ok(group);
  assert.ok(text.includes(`TypeError: sku is required · ${group.count} in 1h / ${group.totalCount} total · line 3`));
  assert.ok(text.includes(`trace ${group.traceIds[0]}`));
  // The real stack went through this test's own files and node:internal: only the workspace frame stays.
  assert.match(group.stacktrace, /node:internal/);
  assert.match(group.stacktrace, /agentFixture\.ts/);
  assert.match(text, /^ {4}at Object\.createOrder \(src\/orders\.js:3\)$/m);
  assert.doesNotMatch(text, /agentFixture|node:internal|\/tmp\//);
  assert.ok(text.includes('AI-written: Claude Code (claude-opus-4) · Co-Authored-By trailer on 3f2a1c0 · confidence high · 80% AI lines (createOrder, lines 1-6)'));
  assert.ok(text.includes('src/orders.js:2 warning unchecked-input: req is used without validation'));
  assert.ok(!text.includes('outside createOrder'), 'findings of other functions stay out');
});

test('by name: one match answers; several ask to pick by file and line; with file it is one again', async () => {
  const one = await functionRuntimeTool.run({ function: 'listOrders', window: '5m' }, fx.data, opts);
  const s = await signalOf('5m', 'listOrders', 'src/orders.js');
  assert.ok(one.text.includes('listOrders at src/orders.js:8'));
  assert.ok(one.text.includes('matched by name "listOrders"'));
  assert.deepEqual(
    rowOf(one.text, '5m')
      .trim()
      .split(/\s{2,}/),
    ['5m', String(s.count), fmtRate(s.ratePerMin), fmtMs(s.p50Ms), fmtMs(s.p95Ms), fmtMs(s.p99Ms), '0% (0)'],
  );
  assert.ok(one.text.includes('authorship: not known to be AI-written'));
  assert.ok(one.text.includes('errors in 5m: none'));

  const several = await functionRuntimeTool.run({ function: 'createOrder' }, fx.data, opts);
  assert.ok(several.text.includes('2 functions match "createOrder"; call again with file and line:'), several.text);
  assert.match(several.text, /createOrder\s+src\/legacy\/orders\.js:2\s+1$/m);
  assert.match(several.text, /createOrder\s+src\/orders\.js:1\s+\d+$/m);

  const picked = await functionRuntimeTool.run({ function: 'createOrder', file: 'src/legacy/orders.js' }, fx.data, opts);
  assert.ok(picked.text.includes('createOrder at src/legacy/orders.js:2'));
});

test('another environment is read when asked; an unknown one is named with the known ones', async () => {
  const staging = await functionRuntimeTool.run({ file: 'src/orders.js', line: 1, environment: 'staging', window: '1h' }, fx.data, opts);
  const s = await signalOf('1h', 'createOrder', 'src/orders.js', 'staging');
  assert.equal(s.count, 2);
  assert.match(staging.text.split('\n')[0], /environment staging/);
  assert.equal(
    rowOf(staging.text, '1h')
      .trim()
      .split(/\s{2,}/)[1],
    '2',
  );
  assert.ok(staging.text.includes('line 1 is where the function starts'));

  const qa = await functionRuntimeTool.run({ file: 'src/orders.js', line: 1, environment: 'qa' }, fx.data, opts);
  assert.equal(qa.empty, true);
  assert.ok(qa.text.includes('Environment "qa" is unknown to the source. Known environments: production, staging.'));
});

test('never called in the window: said plainly, with what was called nearby', async () => {
  const unused = await functionRuntimeTool.run({ file: 'src/unused.js', line: 2 }, fx.data, opts);
  assert.equal(unused.empty, true);
  assert.ok(unused.text.includes('No calls of src/unused.js:2 in 1h: never called in this window, or not mapped to this code. Nothing in src/unused.js was called'));
  const name = await functionRuntimeTool.run({ function: 'refund' }, fx.data, opts);
  assert.equal(name.empty, true);
  assert.ok(name.text.includes('No calls of "refund" in 1h'));
  // A line above every function with calls in a file that has some.
  const before = await functionRuntimeTool.run({ file: 'src/legacy/orders.js', line: 1 }, fx.data, opts);
  assert.equal(before.empty, true);
  assert.ok(before.text.includes('Functions with calls in src/legacy/orders.js: createOrder (line 2).'));
});

test('no source connected: one plain answer, no figures', async () => {
  fx.data.connected = false;
  try {
    const answer = await functionRuntimeTool.run({ function: 'createOrder' }, fx.data, opts);
    assert.equal(answer.empty, true);
    assert.match(answer.text, /^No production data: no telemetry source is connected \(receiver at .*\): nothing listens there\./);
    assert.equal(answer.text.split('\n').length, 2);
  } finally {
    fx.data.connected = true;
  }
});

test('authorship that cannot be read is said, figures still shown', async () => {
  fx.data.authoredError = 'git\u001b[2J failed';
  try {
    const text = (await functionRuntimeTool.run({ file: 'src/orders.js', line: 2 }, fx.data, opts)).text;
    assert.ok(text.includes('authorship: unknown (git failed)'));
    assert.ok(rowOf(text, '1h'));
  } finally {
    fx.data.authoredError = null;
  }
});

test('bad input is refused with one line', async () => {
  const cases: [unknown, RegExp][] = [
    [{}, /give "file" and "line", or "function"/],
    [{ line: 3 }, /"line" needs "file"/],
    [{ file: 'src/orders.js' }, /give "file" and "line", or "function"/],
    [{ file: '/etc/passwd', line: 1 }, /workspace-relative/],
    [{ file: 'src/../../x.js', line: 1 }, /workspace-relative/],
    [{ function: 'x', window: '2h' }, /"window" must be one of 5m, 15m, 1h, 6h, 24h/],
    [{ function: 'x', enviroment: 'prod' }, /unknown input "enviroment"/],
    [{ file: 'src/orders.js', line: 0 }, /"line" must be between 1 and/],
    [{ file: 'src/orders.js', line: 2.5 }, /"line" must be a whole number/],
    [{ function: 42 }, /"function" must be a string/],
    ['createOrder', /input must be a JSON object/],
  ];
  for (const [input, message] of cases) {
    await assert.rejects(functionRuntimeTool.run(input, fx.data, opts), (err: Error) => err instanceof ToolInputError && message.test(err.message) && !err.message.includes('\n'), JSON.stringify(input));
  }
});

test('the default answer stays within the default budget; detail shows more of the stack', async () => {
  const plain = await functionRuntimeTool.run({ file: 'src/orders.js', line: 3 }, fx.data, opts);
  assert.ok(estimateTokens(plain.text) <= DEFAULT_MAX_TOKENS);
  const detail = await functionRuntimeTool.run({ file: 'src/orders.js', line: 3, detail: true }, fx.data, opts);
  assert.ok(detail.text.length >= plain.text.length);
  assert.ok(seeded.errorTraceId.length === 32);
});
