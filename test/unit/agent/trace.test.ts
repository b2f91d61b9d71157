import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtMs } from '../../../src/core/agent/agentText';
import { DEFAULT_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { traceTool } from '../../../src/core/agent/tools/trace';
import { type AgentFixture, ORDERS_JS, PRICING_JS, type Seeded, seedOrders, startFixture } from './agentFixture';

let fx: AgentFixture;
let seeded: Seeded;
const opts = { maxTokens: DEFAULT_MAX_TOKENS };

before(async () => {
  fx = await startFixture({ 'src/orders.js': ORDERS_JS, 'src/pricing.js': PRICING_JS });
  seeded = await seedOrders(fx);
});
after(() => fx.stop());

test('a trace as a tree: indentation by parent, durations, kinds, errors, code, route and status', async () => {
  const answer = await traceTool.run({ traceId: seeded.quoteTraceId.toUpperCase() }, fx.data, opts);
  const api = (await fx.data.trace(seeded.quoteTraceId))!;
  assert.equal(api.spans.length, 3);
  const [server, lookup, call] = api.spans;
  const lines = answer.text.split('\n');
  assert.match(lines[0], new RegExp(`^Trace ${seeded.quoteTraceId} · 3 spans · 50 ms · 2 with errors · services orders · environment production · source receiver at `));
  assert.deepEqual(lines.slice(1), [
    `POST /quote · ${fmtMs(server.durationMs)} · server · ERROR · → src/pricing.js:1 quote · POST /quote 502`,
    `  lookup · ${fmtMs(lookup.durationMs)} · internal · → src/pricing.js:6 lookup`,
    `    GET · ${fmtMs(call.durationMs)} · client · ERROR FetchError: socket hang up injected · to http://inventory:7000/stock/1`,
  ]);
  assert.equal(answer.empty, undefined);
});

test('a trace not held, a bad id, no source', async () => {
  const missing = await traceTool.run({ traceId: 'ab'.repeat(16) }, fx.data, opts);
  assert.equal(missing.empty, true);
  assert.ok(missing.text.includes('Not held by the source'));
  for (const [input, message] of [
    [{}, /"traceId" is required/],
    [{ traceId: 'xyz' }, /"traceId" must be 32 hex digits/],
    [{ traceId: '0'.repeat(32) }, /not all zero/],
    [{ traceId: `${'a'.repeat(31)}\u001b` }, /"traceId" must be 32 hex digits/],
  ] as const) {
    await assert.rejects(traceTool.run(input, fx.data, opts), (err: Error) => err instanceof ToolInputError && message.test(err.message) && !err.message.includes('\u001b'));
  }
  fx.data.connected = false;
  try {
    assert.equal((await traceTool.run({ traceId: seeded.quoteTraceId }, fx.data, opts)).empty, true);
  } finally {
    fx.data.connected = true;
  }
});
