// A workspace with many functions and error groups, and a trace of 1,500 spans: every default answer
// stays within DEFAULT_MAX_TOKENS and says what it left out; detail stays within DETAIL_MAX_TOKENS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_MAX_TOKENS, DETAIL_MAX_TOKENS } from '../../../src/core/agent/agentTool';
import { estimateTokens } from '../../../src/core/agent/answerBudget';
import { errorsTool } from '../../../src/core/agent/tools/errors';
import { functionRuntimeTool } from '../../../src/core/agent/tools/functionRuntime';
import { hotspotsTool } from '../../../src/core/agent/tools/hotspots';
import { traceTool } from '../../../src/core/agent/tools/trace';
import { type AgentFixture, child, codeAttrs, hrTime, makeSpans, send, SpanKind, SpanStatusCode, startFixture } from './agentFixture';

const FUNCTIONS = 400;
const GEN_JS = Array.from({ length: FUNCTIONS }, (_, i) => `function handleRequestNumber${i}(req) {\n  return req.value + ${i};\n}\n`).join('\n');
const lineOf = (i: number) => i * 4 + 1;

let fx: AgentFixture;
let bigTraceId = '';
let errorSpanName = '';
const opts = { maxTokens: DEFAULT_MAX_TOKENS };

before(async () => {
  fx = await startFixture({ 'src/gen.js': GEN_JS });
  const t0 = Date.now() - 4 * 60_000;
  const rev = fx.deployed.slice(0, 12);
  await send(
    fx,
    makeSpans('gen', 'production', rev, (t) => {
      for (let i = 0; i < FUNCTIONS; i++) {
        for (let k = 0; k <= i % 5; k++) {
          const s = t.startSpan(`GET /n/${i}`, { kind: SpanKind.SERVER, startTime: hrTime(t0 + k * 1000), attributes: codeAttrs(fx, `handleRequestNumber${i}`, 'src/gen.js', lineOf(i)) });
          if (i % 4 === 0 && k === 0) {
            s.recordException({ name: 'RangeError', message: `value ${i} is out of the accepted range for this request` });
            s.setStatus({ code: SpanStatusCode.ERROR });
          }
          s.end(hrTime(t0 + k * 1000 + 5 + (i % 50)));
        }
      }
    }),
  );
  await send(
    fx,
    makeSpans('gen', 'production', rev, (t) => {
      const q0 = Date.now() - 60_000;
      const root = t.startSpan('POST /batch', { kind: SpanKind.SERVER, startTime: hrTime(q0), attributes: codeAttrs(fx, 'handleRequestNumber1', 'src/gen.js', lineOf(1)) });
      bigTraceId = root.spanContext().traceId;
      // A chain 40 deep, then 1,460 leaves under its end; one leaf fails.
      let parent = root;
      const chain = [root];
      for (let d = 0; d < 40; d++) {
        parent = child(t, parent, `step ${d}`, SpanKind.INTERNAL, q0 + d);
        chain.push(parent);
      }
      for (let j = 0; j < 1_459; j++) {
        const leaf = child(t, parent, `SELECT item ${j}`, SpanKind.CLIENT, q0 + 40 + j, { 'db.system': 'postgresql' });
        if (j === 1_000) {
          errorSpanName = `SELECT item ${j}`;
          leaf.recordException({ name: 'QueryTimeout', message: 'canceling statement due to statement timeout' });
          leaf.setStatus({ code: SpanStatusCode.ERROR });
        }
        leaf.end(hrTime(q0 + 41 + j));
      }
      for (const s of chain.reverse()) s.end(hrTime(q0 + 2_000));
    }),
  );
});
after(() => fx.stop());

test('hotspots: 50 rows of a 400-function workspace fit the default budget', async () => {
  const text = (await hotspotsTool.run({ limit: 50 }, fx.data, opts)).text;
  assert.ok(estimateTokens(text) <= DEFAULT_MAX_TOKENS, `${estimateTokens(text)} tokens`);
  const rows = text.split('\n').filter((l) => /^\s*\d+ {2}handleRequestNumber/.test(l)).length;
  assert.ok(rows === 50 || /more rows? not shown/.test(text), `${rows} rows`);
  assert.ok(text.includes(`50 of ${FUNCTIONS} functions shown`));
});

test('errors: 101 groups, the default answer fits and says how many were left out', async () => {
  const api = await fx.data.signals({ window: '1h' });
  assert.equal(api.errors.length, FUNCTIONS / 4 + 1, "one per fourth function, and the trace's query timeout");
  for (const detail of [false, true]) {
    const text = (await errorsTool.run({ limit: 50, detail }, fx.data, opts)).text;
    const budget = detail ? DETAIL_MAX_TOKENS : DEFAULT_MAX_TOKENS;
    assert.ok(estimateTokens(text) <= budget, `${estimateTokens(text)} tokens`);
    assert.ok(text.includes('The 50 most frequent groups shown; there are more (filter by file, function or service for more).'), text);
    if (!detail) assert.match(text, /… \d+ more rows? not shown \(ask with detail: true or a narrower filter\)/);
  }
});

test('function runtime of a function in the big file fits', async () => {
  const text = (await functionRuntimeTool.run({ file: 'src/gen.js', line: lineOf(204) + 1 }, fx.data, opts)).text;
  assert.ok(estimateTokens(text) <= DEFAULT_MAX_TOKENS);
  assert.ok(text.includes(`handleRequestNumber204 at src/gen.js:${lineOf(204)}`));
  assert.ok(text.includes('RangeError: value 204 is out of the accepted range for this request'));
});

test('a 1,500-span trace keeps the critical path and the error span, and says how many spans were left out', async () => {
  const api = (await fx.data.trace(bigTraceId))!;
  assert.equal(api.spans.length, 1_500);
  const plain = (await traceTool.run({ traceId: bigTraceId }, fx.data, opts)).text;
  assert.ok(estimateTokens(plain) <= DEFAULT_MAX_TOKENS, `${estimateTokens(plain)} tokens`);
  const lines = plain.split('\n');
  assert.match(lines[0], new RegExp(`^Trace ${bigTraceId} · 1500 spans · `));
  assert.ok(lines[1].startsWith('POST /batch · '));
  assert.ok(
    lines.some((l) => l.includes('step 39 · ')),
    'the chain (critical path) is kept',
  );
  assert.ok(
    lines.some((l) => l.includes(`${errorSpanName} · `) && l.includes('ERROR QueryTimeout: canceling statement due to statement timeout')),
    'the error span is kept',
  );
  const shown = lines.length - 2;
  assert.ok(plain.includes(`… ${1_500 - shown} of 1500 spans left out`), lines.at(-1));
  assert.doesNotMatch(plain, /more rows? not shown/, 'the span count is the whole story');
  const detail = (await traceTool.run({ traceId: bigTraceId, detail: true }, fx.data, opts)).text;
  assert.ok(estimateTokens(detail) <= DETAIL_MAX_TOKENS);
  assert.ok(detail.split('\n').length > lines.length);
});
