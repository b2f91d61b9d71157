import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtImpact, impactScore } from '../../../src/core/agent/agentImpact';
import { fileLine, fmtMs, fmtPercent, fmtRate } from '../../../src/core/agent/agentText';
import { DEFAULT_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { hotspotsTool } from '../../../src/core/agent/tools/hotspots';
import type { FunctionSignal } from '../../../src/core/api/signals';
import { type AgentFixture, ORDERS_JS, PRICING_JS, seedOrders, startFixture } from './agentFixture';

let fx: AgentFixture;
const opts = { maxTokens: DEFAULT_MAX_TOKENS };

before(async () => {
  fx = await startFixture({ 'src/orders.js': ORDERS_JS, 'src/pricing.js': PRICING_JS });
  await seedOrders(fx);
  fx.data.authoredList = [{ file: 'src/pricing.js', function: 'lookup', line: 6, endLine: 8, authorship: { ai: true, how: 'git-ai note on 3f2a1c0', agent: 'Cursor', confidence: 'high', aiShare: 1 } }];
});
after(() => fx.stop());

/** The table rows (`1  fn  file:line ...`) as cells. */
function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => /^\s*\d+ {2}/.test(l))
    .map((l) => l.trim().split(/\s{2,}/));
}

function expected(s: FunctionSignal, rank: number, ai: boolean): string[] {
  return [String(rank), s.function, fileLine(s.file, s.line), fmtRate(s.ratePerMin), fmtMs(s.p95Ms), fmtPercent(s.errorRate), fmtImpact(impactScore(s)), ...(ai ? ['AI'] : [])];
}

test('by impact (default): every function of the window, ordered by rate × p95 + errors, figures as the API has them', async () => {
  const answer = await hotspotsTool.run({}, fx.data, opts);
  const api = (await fx.data.signals({ window: '1h' })).functions;
  const order = [...api].sort((a, b) => impactScore(b) - impactScore(a));
  assert.match(answer.text.split('\n')[0], /^Hotspots by impact · window 1h · environment production · source receiver at /);
  assert.deepEqual(
    rows(answer.text),
    order.map((s, i) => expected(s, i + 1, s.function === 'lookup')),
  );
  assert.deepEqual(
    order.map((s) => s.function),
    ['createOrder', 'quote', 'lookup', 'listOrders'],
  );
  assert.ok(answer.text.includes('impact = rate × p95 + rate × error rate × 10 s (ms of waiting per minute). 4 of 4 functions shown.'));
  // impact: the formula on the API's figures.
  const c = api.find((s) => s.function === 'createOrder')!;
  assert.equal(impactScore(c), c.ratePerMin * c.p95Ms + c.ratePerMin * c.errorRate * 10_000);
});

test('by errors and by p95 reorder; limit keeps the top; aiOnly keeps the AI-written', async () => {
  const errors = rows((await hotspotsTool.run({ by: 'errors' }, fx.data, opts)).text);
  assert.deepEqual(
    errors.map((r) => r[1]),
    ['quote', 'createOrder', 'lookup', 'listOrders'],
  );
  const api = (await fx.data.signals({ window: '1h' })).functions;
  const byP95 = [...api].sort((a, b) => b.p95Ms - a.p95Ms).map((s) => s.function);
  assert.deepEqual(
    rows((await hotspotsTool.run({ by: 'p95' }, fx.data, opts)).text).map((r) => r[1]),
    byP95,
  );
  const two = await hotspotsTool.run({ limit: 2 }, fx.data, opts);
  assert.equal(rows(two.text).length, 2);
  assert.ok(two.text.includes('2 of 4 functions shown'));
  const ai = await hotspotsTool.run({ aiOnly: true }, fx.data, opts);
  assert.deepEqual(
    rows(ai.text).map((r) => [r[1], r.at(-1)]),
    [['lookup', 'AI']],
  );
});

test('no AI-written function, unknown environment, empty window, no source: plain answers with empty', async () => {
  const saved = fx.data.authoredList;
  fx.data.authoredList = [];
  try {
    const none = await hotspotsTool.run({ aiOnly: true }, fx.data, opts);
    assert.equal(none.empty, true);
    assert.ok(none.text.includes('No AI-written hotspots: none of the 4 functions called in this window is known to be AI-written.'));
  } finally {
    fx.data.authoredList = saved;
  }
  const qa = await hotspotsTool.run({ environment: 'qa' }, fx.data, opts);
  assert.equal(qa.empty, true);
  assert.ok(qa.text.includes('Known environments: production, staging.'));
  fx.data.connected = false;
  try {
    assert.equal((await hotspotsTool.run({}, fx.data, opts)).empty, true);
  } finally {
    fx.data.connected = true;
  }
});

test('authorship failing marks the AI column unknown instead of failing the answer', async () => {
  fx.data.authoredError = 'analysis not ready';
  try {
    const text = (await hotspotsTool.run({}, fx.data, opts)).text;
    assert.equal(rows(text).length, 4);
    assert.ok(rows(text).every((r) => r.at(-1) === '?'));
    assert.ok(text.includes('AI mark unknown (?): analysis not ready'));
  } finally {
    fx.data.authoredError = null;
  }
});

test('bad input is refused with one line', async () => {
  for (const [input, message] of [
    [{ by: 'latency' }, /"by" must be one of impact, errors, p95/],
    [{ limit: 51 }, /"limit" must be between 1 and 50/],
    [{ aiOnly: 'yes' }, /"aiOnly" must be true or false/],
    [{ window: '30d' }, /"window" must be one of/],
  ] as const) {
    await assert.rejects(hotspotsTool.run(input, fx.data, opts), (err: Error) => err instanceof ToolInputError && message.test(err.message));
  }
});
