// The diff-risk tool over the real adapter: the shop's git repository with AI-committed regressions
// and a function removed in the working tree, production figures in an in-process receiver fed by
// the OpenTelemetry JS SDK, findings and authorship from the analysis, and the real report of a
// shadow run over the same regressions (test/fixtures/shadow-report/planted.json) as the last run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentData } from '../../../src/core/agent/agentData';
import { DEFAULT_MAX_TOKENS, ToolInputError } from '../../../src/core/agent/agentTool';
import { estimateTokens } from '../../../src/core/agent/answerBudget';
import { diffRiskTool } from '../../../src/core/agent/tools/diffRisk';
import { createAgentReadData } from '../../../src/core/client/agentReadData';
import { writeLastShadowReport } from '../../../src/core/shadow/lastShadowReport';
import { parseShadowReport } from '../../../src/core/shadow/parseShadowReport';
import { freePort } from '../../support/demoWorkspace';
import { repoRoot } from '../../support/harness';
import { agentDataStub } from './agentDataStub';
import { type ShopProduction, startShopProduction } from './shopProduction';

const parsed = parseShadowReport(readFileSync(path.join(repoRoot, 'test/fixtures/shadow-report/planted.json'), 'utf8'));
if (!parsed.ok) throw new Error(parsed.error);
const planted = parsed.report;
const options = { maxTokens: DEFAULT_MAX_TOKENS };
const cache = mkdtempSync(path.join(os.tmpdir(), 'rl-diff-risk-cache-'));
const savedCache = process.env.XDG_CACHE_HOME;
let shop: ShopProduction;
let data: AgentData;

/** The table row of `name` (rows start with the function's name). */
const row = (text: string, name: string): string => text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
const verdictOf = (text: string): string => text.split('\n').at(-1)!;

before(async () => {
  process.env.XDG_CACHE_HOME = cache;
  shop = await startShopProduction();
  data = createAgentReadData({ workspace: shop.repo.dir, server: shop.url });
});

after(async () => {
  await shop?.dispose();
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  rmSync(cache, { recursive: true, force: true });
});

describe('runtimeLens_diffRisk', () => {
  it('lists the changed functions by production impact, new or unused code after, and ends with a verdict', async () => {
    const answer = await diffRiskTool.run({ base: 'base' }, data, options);
    const text = answer.text;
    const lines = text.split('\n');
    assert.ok(estimateTokens(text) <= DEFAULT_MAX_TOKENS);
    assert.match(lines[0]!, new RegExp(`^diff vs base @ ${shop.repo.base.slice(0, 7)}, HEAD [0-9a-f]{7}: 8 files, 8 functions changed$`));
    assert.match(lines[1]!, /^production: receiver at http:\/\/127\.0\.0\.1:\d+ .*window 1h, environment production/);
    assert.equal(lines[2], 'shadow run: none for this workspace yet');
    // Impact = calls/min × p95 + calls/min × error rate × 10 s: loadOrder (6 of 60 calls failed) first.
    const called = lines.slice(
      lines.findIndex((l) => l.startsWith('function ')) + 1,
      lines.findIndex((l) => l.startsWith('no production calls')),
    );
    assert.deepEqual(
      called.map((l) => l.split(/\s{2,}/)[0]),
      ['loadOrder', 'carrierQuote', 'quoteShipping', 'findItem (removed)'],
    );
    assert.match(row(text, 'loadOrder'), /orders\.js:13\s+59\.\d\/min\s+1\d\d ms\s+10%\s+1 \(6×\)/);
    assert.match(row(text, 'carrierQuote'), /carrier\.js:5 .*missing-timeout:6\s+AI \(Claude Code\)/);
    // Removed since the base: production still calls it, under its base name and line.
    assert.match(row(text, 'findItem (removed)'), /catalog\.js:28@base\s+39\.\d\/min/);
    const uncalled = lines.slice(lines.findIndex((l) => l.startsWith('no production calls in 1h: new or unused code')) + 2, -1);
    assert.deepEqual(
      uncalled.map((l) => l.split(/\s{2,}/)[0]),
      ['computeQuote', 'loadProfile', 'formatReceipt', 'GET /api/stock/:sku handler'],
    );
    assert.equal(
      verdictOf(text),
      'verdict: 2 risks: loadOrder at orders.js:13 (fails 10% in production); carrierQuote at carrier.js:5 (missing-timeout at line 6); no shadow run yet: run runtimeLens_shadowRun to replay production traffic against the change',
    );
  });

  it("joins the last shadow run's result per function, and says when the run is older than the change", async () => {
    await writeLastShadowReport(shop.repo.dir, { report: planted, finishedAt: Date.now() - 3_600_000 });
    const text = (await diffRiskTool.run({ base: 'base' }, data, options)).text;
    assert.match(text.split('\n')[2]!, /^shadow run: finished 1h ago, 140 requests replayed against http:\/\/127\.0\.0\.1:41531\/ \(baseline http:\/\/127\.0\.0\.1:44345\/\); older than the latest change$/);
    assert.match(row(text, 'loadOrder'), /calls 127\.0\.0\.1:41531\/internal\/prices 3\.5\/req \(was 1\); p95 ×0\.56$/);
    assert.match(row(text, 'quoteShipping'), /calls \+127\.0\.0\.1:41531\/internal\/carrier; p95 ×578 \(slower\)$/);
    assert.match(row(text, 'formatReceipt'), /errored in 10 requests \(baseline 0\)/);
    assert.match(row(text, 'carrierQuote'), /not reached$/);
    assert.equal(
      verdictOf(text),
      'verdict: 4 risks: loadOrder at orders.js:13 (shadow: calls 127.0.0.1:41531/internal/prices 3.5/req (was 1), fails 10% in production); carrierQuote at carrier.js:5 (missing-timeout at line 6); quoteShipping at shipping.js:7 (shadow: calls +127.0.0.1:41531/internal/carrier); and 1 more: formatReceipt; shadow run is older than the change: run runtimeLens_shadowRun',
    );
  });

  it('says the shadow run is newer when it finished after the last edit', async () => {
    await writeLastShadowReport(shop.repo.dir, { report: planted, finishedAt: Date.now() });
    const text = (await diffRiskTool.run({ base: 'base' }, data, options)).text;
    assert.match(text.split('\n')[2]!, /newer than the latest change$/);
    assert.match(verdictOf(text), /; shadow run is newer than the change$/);
  });

  it('compares with the default base when none is given, and says which it took', async () => {
    // The branch is main with no remote: the local main branch, i.e. HEAD; only the working tree's removal differs.
    const text = (await diffRiskTool.run({}, data, options)).text;
    assert.match(text.split('\n')[0]!, /^diff vs main @ [0-9a-f]{7} \(the local main branch\), HEAD [0-9a-f]{7}: 1 file, 1 function changed$/);
    assert.match(row(text, 'findItem (removed)'), /catalog\.js:28@base/);
  });

  it('refuses a base that names no commit, in one line', async () => {
    await assert.rejects(diffRiskTool.run({ base: 'no-such-branch' }, data, options), (err: Error) => err instanceof ToolInputError && /^"base": no-such-branch names no commit/.test(err.message));
    await assert.rejects(diffRiskTool.run({ base: 'main', window: '2h' }, data, options), /"window" must be one of/);
  });

  it('says when no source is connected, and still lists the changes, findings and verdict', async () => {
    const port = await freePort();
    const offline = createAgentReadData({ workspace: shop.repo.dir, server: `http://127.0.0.1:${port}` });
    const text = (await diffRiskTool.run({ base: 'base' }, offline, options)).text;
    assert.match(text.split('\n')[1]!, /^production: not connected \(nothing listens at http:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);
    assert.ok(text.includes('changed functions (no production figures):'));
    assert.match(row(text, 'carrierQuote'), /missing-timeout:6\s+AI \(Claude Code\)/);
    assert.match(verdictOf(text), /^verdict: \d risks?: /);
  });

  it('names an environment the server does not know', async () => {
    const text = (await diffRiskTool.run({ base: 'base', environment: 'staging' }, data, options)).text;
    assert.match(text, /environment "staging" is unknown to the server; it knows: production/);
  });

  it('keeps within a small budget: rows dropped and counted, the verdict kept', async () => {
    const text = (await diffRiskTool.run({ base: 'base' }, data, { maxTokens: 400 })).text;
    assert.ok(estimateTokens(text) <= 400, `${estimateTokens(text)} tokens`);
    assert.match(text, /… \d+ more rows? not shown/);
    assert.match(verdictOf(text), /^verdict: /);
  });

  it('says plainly when nothing changed or there is no repository', async () => {
    const same = agentDataStub({ changes: async () => ({ ref: 'origin/main', commit: shop.repo.base, how: 'the upstream branch', files: [], functions: [] }) });
    const answer = await diffRiskTool.run({}, same, options);
    assert.equal(answer.empty, true);
    assert.match(answer.text, /0 files, 0 functions changed\nThe working tree is the same as the base\./);
    const none = await diffRiskTool.run({}, agentDataStub(), options);
    assert.deepEqual(none, { text: 'No diff to assess: not a git repository.', empty: true });
  });
});
