import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtWhen } from '../../../src/core/agent/agentText';
import { DEFAULT_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { errorsTool } from '../../../src/core/agent/tools/errors';
import { type AgentFixture, ORDERS_JS, PRICING_JS, seedOrders, startFixture } from './agentFixture';

let fx: AgentFixture;
const opts = { maxTokens: DEFAULT_MAX_TOKENS };

before(async () => {
  fx = await startFixture({ 'src/orders.js': ORDERS_JS, 'src/pricing.js': PRICING_JS });
  await seedOrders(fx);
});
after(() => fx.stop());

test('all groups of the window, most frequent first, with counts, first/last seen, where, requests and a trace', async () => {
  const answer = await errorsTool.run({}, fx.data, opts);
  const api = await fx.data.signals({ window: '1h' });
  assert.equal(api.errors.length, 2);
  const [typeError, fetchError] = [api.errors.find((e) => e.type === 'TypeError')!, api.errors.find((e) => e.type === 'FetchError')!];
  const text = answer.text;
  assert.match(text.split('\n')[0], /^Errors, frequent first · window 1h · environment production · source receiver at /);
  const block = [
    '1. TypeError: sku is required',
    `   ${typeError.count} in 1h / ${typeError.totalCount} total · service orders · at src/orders.js:3 createOrder`,
    `   first ${fmtWhen(typeError.firstSeen, api.generatedAt)} · last ${fmtWhen(typeError.lastSeen, api.generatedAt)}`,
    `   requests POST /orders · trace ${typeError.traceIds[0]}`,
  ].join('\n');
  assert.ok(text.includes(block), text);
  assert.equal(typeError.count, 3);
  // The message carried an escape sequence: gone from the answer, the rest kept.
  assert.match(fetchError.message, /\u001b/);
  assert.ok(text.includes('2. FetchError: socket hang up injected'));
  assert.ok(text.includes(`1 in 1h / 1 total · service orders · not mapped to workspace code`));
  assert.ok(text.includes(`requests POST /quote · trace ${fetchError.traceIds[0]}`));
  assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f]/);
  assert.doesNotMatch(text, / at Object\.createOrder/, 'no stack without detail');
  assert.ok(text.includes('All 2 groups shown. Stacks: ask with detail: true.'), text);
});

test('detail adds each stack trimmed to the workspace frames; newest order follows lastSeen', async () => {
  const detail = (await errorsTool.run({ detail: true, order: 'newest' }, fx.data, opts)).text;
  assert.match(detail, /^ {5}at Object\.createOrder \(src\/orders\.js:3\)$/m);
  assert.doesNotMatch(detail, /node:internal|agentFixture/);
  assert.ok(detail.includes('(no stack recorded)'));
  const api = await fx.data.signals({ window: '1h' });
  const newest = [...api.errors].sort((a, b) => b.lastSeen - a.lastSeen)[0];
  assert.ok(detail.split('\n')[1].startsWith(`1. ${newest.type}:`));
});

test('filters: function, file, service; "none" answers say why', async () => {
  const fn = await errorsTool.run({ function: 'createOrder' }, fx.data, opts);
  assert.ok(fn.text.includes('1. TypeError: sku is required'));
  assert.ok(!fn.text.includes('FetchError'));
  assert.match(fn.text.split('\n')[0], /^Errors in function createOrder, frequent first/);

  const pricing = await errorsTool.run({ file: 'src/pricing.js' }, fx.data, opts);
  assert.equal(pricing.empty, true);
  const calls = (await fx.data.signals({ window: '1h', file: 'src/pricing.js' })).functions.reduce((n, s) => n + s.count, 0);
  assert.ok(pricing.text.includes(`No error groups. ${calls} calls in this window, none failed with an exception.`));

  const billing = await errorsTool.run({ service: 'billing' }, fx.data, opts);
  assert.equal(billing.empty, true);
  assert.ok(billing.text.includes('No error groups. no calls there in this window either'));
  assert.ok(billing.text.includes('Known environments: production, staging.'));

  const staging = await errorsTool.run({ environment: 'staging' }, fx.data, opts);
  assert.equal(staging.empty, true);
  const qa = await errorsTool.run({ environment: 'qa' }, fx.data, opts);
  assert.equal(qa.empty, true);
  assert.ok(qa.text.includes('Environment "qa" is unknown to the source.'));
});

test('limit keeps the first groups; bad input is refused with one line', async () => {
  const one = await errorsTool.run({ limit: 1 }, fx.data, opts);
  assert.ok(one.text.includes('The 1 most frequent groups shown; there are more (a larger limit or a filter shows more).'), one.text);
  // With a filter the whole list is read, and counted.
  const inFile = await errorsTool.run({ limit: 1, order: 'newest' }, fx.data, opts);
  assert.ok(inFile.text.includes('1 of 2 groups shown.'), inFile.text);
  assert.ok(!one.text.includes('2. '));
  for (const [input, message] of [
    [{ order: 'oldest' }, /"order" must be one of frequent, newest/],
    [{ limit: 0 }, /"limit" must be between 1 and 50/],
    [{ file: 'C:/x.js' }, /workspace-relative/],
    [{ service: 'a'.repeat(300) }, /"service" is longer than 200 characters/],
  ] as const) {
    await assert.rejects(errorsTool.run(input, fx.data, opts), (err: Error) => err instanceof ToolInputError && message.test(err.message));
  }
});
