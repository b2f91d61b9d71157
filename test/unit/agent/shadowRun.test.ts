// The shadow-run tool: its input (target or start, budget at most 500), the confirmation VS Code
// shows, the plain answer where the host allows no runs, and the report rendered compactly, read
// from a real `runtime-lens shadow --json` report (test/fixtures/shadow-report/planted.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { AgentShadowRequest } from '../../../src/core/agent/agentData';
import { DEFAULT_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { estimateTokens } from '../../../src/core/agent/answerBudget';
import { renderShadowReport } from '../../../src/core/agent/shadowReportText';
import { shadowConfirmation, shadowRunTool } from '../../../src/core/agent/tools/shadowRun';
import type { ShadowReport } from '../../../src/core/api/shadowReport';
import { parseShadowReport } from '../../../src/core/shadow/parseShadowReport';
import { repoRoot } from '../../support/harness';
import { HOSTILE_MESSAGE, HOSTILE_NAME, UNSAFE_CHARS } from '../../support/hostileText';
import { agentDataStub } from './agentDataStub';

const parsed = parseShadowReport(readFileSync(path.join(repoRoot, 'test/fixtures/shadow-report/planted.json'), 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const report: ShadowReport = parsed.report;
const options = { maxTokens: DEFAULT_MAX_TOKENS };

describe('runtimeLens_shadowRun', () => {
  it('is the one tool that is not read-only', () => {
    assert.equal(shadowRunTool.name, 'runtimeLens_shadowRun');
    assert.equal(shadowRunTool.readOnly, false);
    assert.deepEqual(Object.keys(shadowRunTool.inputSchema.properties).sort(), ['baselineRef', 'budget', 'detail', 'health', 'start', 'target']);
  });

  it('refuses input it cannot run, with one line naming what to give', async () => {
    const data = agentDataStub({ runShadow: async () => report });
    const cases: [unknown, RegExp][] = [
      [{}, /give "target".*or "start"/],
      [{ target: 'http://127.0.0.1:3000', start: 'npm start' }, /not both/],
      [{ target: 'ftp://127.0.0.1/' }, /http:\/\/ URL/],
      [{ target: 'http://127.0.0.1:3000', budget: 501 }, /"budget" must be between 1 and 500/],
      [{ target: 'http://127.0.0.1:3000', baselineRef: 'main' }, /"baselineRef" needs "start"/],
      [{ target: 'http://127.0.0.1:3000', traffic: 'x.har' }, /unknown input "traffic"/],
    ];
    for (const [input, message] of cases) {
      await assert.rejects(shadowRunTool.run(input, data, options), (err: Error) => err instanceof ToolInputError && message.test(err.message) && !err.message.includes('\n'), JSON.stringify(input));
    }
  });

  it('says plainly when the host allows no shadow runs, and how to allow them', async () => {
    const answer = await shadowRunTool.run({ target: 'http://127.0.0.1:3000' }, agentDataStub(), options);
    assert.equal(answer.empty, true);
    assert.match(answer.text, /does not allow shadow runs/);
    assert.match(answer.text, /--allow-shadow/);
  });

  it('runs with the safe defaults and renders the report compactly, differences first-class', async () => {
    const asked: AgentShadowRequest[] = [];
    const data = agentDataStub({
      runShadow: async (request) => {
        asked.push(request);
        return report;
      },
    });
    const answer = await shadowRunTool.run({ start: 'node server.js', health: '/health', baselineRef: 'base', budget: 140 }, data, options);
    assert.deepEqual(asked, [{ start: 'node server.js', health: '/health', baselineRef: 'base', budget: 140 }]);
    assert.notEqual(answer.empty, true);
    const text = answer.text;
    assert.ok(estimateTokens(text) <= DEFAULT_MAX_TOKENS, `${estimateTokens(text)} tokens`);
    const lines = text.split('\n');
    assert.match(lines[0]!, /^shadow run: 140 of 141 requests replayed against http:\/\/127\.0\.0\.1:41531\/, baseline http:\/\/127\.0\.0\.1:44345\//);
    assert.match(lines[1]!, /^summary: 20 status mismatches, 1 new error, 2 shape changes, 3 new calls, 20 value changes; p95 ×0\.6/);
    // The routes that answered differently, with an example and where the new error was thrown.
    const receipt = lines.find((l) => l.startsWith('GET /api/orders/:id/receipt'))!;
    assert.match(receipt, /\b10\s+10\s+GET \/api\/orders\/11\/receipt → 500 \(baseline 200\)/);
    assert.match(receipt, /TypeError: Cannot read properties of undefined \(reading 'name'\) ×10 at server\.js:42/);
    assert.match(lines.find((l) => l.startsWith('GET /api/profile/:user'))!, /\$\.loyaltyTier removed, \$\.points number→string/);
    const routeRows = lines.slice(
      lines.findIndex((l) => l.startsWith('routes that answered')),
      lines.findIndex((l) => l.startsWith('functions that')),
    );
    assert.equal(routeRows.length, 5, 'the title, the columns and the 3 routes that answered differently');
    assert.ok(!routeRows.some((l) => l.startsWith('GET /api/orders/:id ')), 'a route that answered the same is left out');
    // The functions that behaved differently, each with the file:line an agent can open.
    const fn = (name: string) => lines.find((l) => l.startsWith(`${name} `)) ?? '';
    assert.match(fn('loadOrder'), /orders\.js:13\s+30\s+calls 127\.0\.0\.1:41531\/internal\/prices 3\.5\/req \(was 1\)/);
    assert.match(fn('quoteShipping'), /shipping\.js:7 .*calls \+127\.0\.0\.1:41531\/internal\/carrier; p95 ×578 \(slower\)/);
    assert.match(fn('formatReceipt'), /receipts\.js:7 .*errored in 10 requests \(baseline 0\)/);
    assert.match(fn('GET /api/orders/:id/receipt handler'), /server\.js:42 .*new TypeError ×10 at line 42/);
    assert.equal(fn('computeQuote'), '', 'p95 ×1.35 without a verdict of slower is no difference');
    assert.match(text, /functions that behaved differently \(7 of 19\)/);
    assert.match(lines.at(-1)!, /^warning: baseline: base \(1b9df80ff973\) in a temporary worktree$/);
  });

  it('keeps within a small budget and says how many rows it left out', () => {
    const text = renderShadowReport(report, 300);
    assert.ok(estimateTokens(text) <= 300, `${estimateTokens(text)} tokens`);
    assert.match(text, /… \d+ more rows? not shown \(ask with detail: true/);
    assert.match(text, /^summary: /m, 'the summary is never cut');
  });

  it('shows traffic strings as data: no control characters, no line breaks inside a row', () => {
    const hostile: ShadowReport = structuredClone(report);
    hostile.routes[0]!.route = HOSTILE_NAME;
    hostile.routes[0]!.newErrors[0]!.message = HOSTILE_MESSAGE;
    hostile.functions[2]!.function = HOSTILE_NAME;
    hostile.functions[2]!.calls[0]!.target = HOSTILE_MESSAGE;
    const text = renderShadowReport(hostile, DEFAULT_MAX_TOKENS);
    assert.doesNotMatch(text, UNSAFE_CHARS);
    assert.equal(text.split('\n').length, renderShadowReport(report, DEFAULT_MAX_TOKENS).split('\n').length);
  });

  it('reports a failed run in one line, not as an exception', async () => {
    const data = agentDataStub({
      runShadow: async () => {
        throw new Error('--target http://10.0.0.5:3000 is not a loopback address; pass --allow-host 10.0.0.5 to replay against it');
      },
    });
    const answer = await shadowRunTool.run({ target: 'http://10.0.0.5:3000' }, data, options);
    assert.equal(answer.empty, true);
    assert.match(answer.text, /^The shadow run failed: --target http:\/\/10\.0\.0\.5:3000 is not a loopback address/);
  });

  it('confirms naming the target or the start command, and the budget', () => {
    const url = shadowConfirmation({ target: 'http://127.0.0.1:3000' });
    assert.match(url.title, /shadow run/i);
    assert.match(url.message, /up to 200 sampled production requests/);
    assert.match(url.message, /http:\/\/127\.0\.0\.1:3000/);
    const start = shadowConfirmation({ start: 'npm start', health: '/health', baselineRef: 'origin/main', budget: 50 });
    assert.match(start.message, /up to 50 /);
    assert.match(start.message, /`npm start` \(waiting on \/health\)/);
    assert.match(start.message, /origin\/main/);
    assert.match(start.message, /runs the command in the workspace/);
    assert.throws(() => shadowConfirmation({}), ToolInputError);
  });
});
