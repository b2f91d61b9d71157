// The shadow report's view models from a real report: test/fixtures/shadow-report/planted.json is what
// `runtime-lens shadow --json` printed for the shop service with every regression planted (see its README).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { FunctionDelta, ShadowReport } from '../../../src/core/api/shadowReport';
import { formatRatio } from '../../../src/core/render/shadowDeltas';
import { shadowLenses, shadowLensTitle } from '../../../src/core/render/shadowLens';
import { buildShadowView, shadowFunctionKey, shadowPanelLine } from '../../../src/core/render/shadowView';
import { parseShadowReport } from '../../../src/core/shadow/parseShadowReport';

const FIXTURE = path.resolve(__dirname, '../../fixtures/shadow-report/planted.json');

function planted(): ShadowReport {
  const parsed = parseShadowReport(readFileSync(FIXTURE, 'utf8'));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.equal(parsed.dropped, 0);
  return parsed.report;
}

const fn = (r: ShadowReport, name: string): FunctionDelta => r.functions.find((f) => f.function === name)!;

test('ratios read short: two significant figures at most, no trailing zero', () => {
  assert.deepEqual([1.35, 2, 0.601, 578.31, 0.04, 1.04, 12.5].map(formatRatio), ['×1.4', '×2', '×0.6', '×578', '×0.04', '×1', '×13']);
});

test('the summary strip carries the headline figures with their levels', () => {
  const view = buildShadowView(planted());
  const tiles = Object.fromEntries(view.tiles.map((t) => [t.key, [t.value, t.level]]));
  assert.deepEqual(tiles, {
    replayed: ['140', 'ok'],
    status: ['20', 'error'],
    errors: ['1', 'error'],
    shape: ['2', 'error'],
    calls: ['3', 'warning'],
    p95: ['×0.6', 'ok'],
  });
  assert.deepEqual(view.skipped, [{ reason: 'over-budget', label: 'over budget', count: 1 }]);
  assert.equal(view.verdict.level, 'error');
  assert.match(view.verdict.text, /^4 routes and \d+ functions changed behaviour$/);
  // The worktree line is the baseline's name, not a warning.
  assert.match(view.facts.find((f) => f.label === 'Baseline')!.value, /^base \([0-9a-f]{12}\) in a temporary worktree$/);
  assert.deepEqual(view.warnings, []);
  assert.equal(view.cancelled, false);
});

test('routes: changed first, the worst first, each difference spelt out', () => {
  const view = buildShadowView(planted());
  const changed = view.routes.filter((r) => r.changed).map((r) => r.key);
  assert.deepEqual(changed.slice(0, 3).sort(), ['GET /api/orders/:id/receipt', 'GET /api/profile/:user', 'GET /api/stock/:sku']);
  assert.ok(view.routes.findIndex((r) => !r.changed) > changed.length - 1, 'unchanged routes come after the changed ones');
  const stock = view.routes.find((r) => r.key === 'GET /api/stock/:sku')!;
  assert.deepEqual([stock.status.text, stock.status.level], ['10 of 20', 'error']);
  assert.match(stock.details[0].text, /^10 of 20 requests answered with another status than the baseline, e\.g\. GET \/api\/stock\/\S+: 200 → 404$/);
  const profile = view.routes.find((r) => r.key === 'GET /api/profile/:user')!;
  assert.deepEqual(
    profile.details.filter((d) => d.kind === 'shape').map((d) => d.text),
    ['$.loyaltyTier removed (20 requests)', '$.points number → string (20 requests)'],
  );
  const receipt = view.routes.find((r) => r.key === 'GET /api/orders/:id/receipt')!;
  assert.ok(receipt.details.some((d) => d.kind === 'error' && d.text.startsWith("TypeError: Cannot read properties of undefined (reading 'name') at server.js:42")));
  const items = view.routes.find((r) => r.key === 'GET /api/items')!;
  assert.deepEqual([items.changed, items.level, items.details], [false, 'ok', []]);
});

test('functions: calls with their line and per-request counts, errors, latency; each row knows its file and line', () => {
  const view = buildShadowView(planted());
  const order = view.functions.find((f) => f.function === 'loadOrder')!;
  assert.deepEqual([order.file, order.line, order.location, order.changed, order.level], ['orders.js', 13, 'orders.js:13', true, 'warning']);
  assert.deepEqual(
    order.badges.map((b) => b.text),
    ['1 call repeated ×3.5'],
  );
  assert.match(order.details[0].text, /^Repeats the call to 127\.0\.0\.1:\d+\/internal\/prices: 1 → 3\.5 per request in 16 requests$/);
  const shipping = view.functions.find((f) => f.function === 'quoteShipping')!;
  assert.ok(shipping.badges.some((b) => b.text === '+1 call'));
  assert.ok(shipping.details.some((d) => d.kind === 'call' && /^New call to 127\.0\.0\.1:\d+\/internal\/carrier: 0 → 1 per request/.test(d.text)));
  const receipt = view.functions.find((f) => f.function === 'formatReceipt')!;
  assert.ok(receipt.badges.some((b) => b.text === 'errors in 10' && b.level === 'error'));
  assert.equal(view.functions.findIndex((f) => !f.changed) >= view.functions.filter((f) => f.changed).length, true);
  assert.equal(order.key, shadowFunctionKey({ file: 'orders.js', line: 13, function: 'loadOrder' }));
});

test('CodeLens titles: `shadow: p95 ×R vs base · N new errors · +N call`, only on functions that changed', () => {
  const report = planted();
  assert.equal(shadowLensTitle(fn(report, 'loadOrder')), 'shadow: 1 call repeated ×3.5');
  assert.equal(shadowLensTitle(fn(report, 'quoteShipping')), 'shadow: p95 ×578 vs base · +1 call');
  assert.equal(shadowLensTitle(fn(report, 'GET /api/orders/:id/receipt handler')), 'shadow: 1 new error');
  assert.equal(shadowLensTitle(fn(report, 'formatReceipt')), 'shadow: p95 ×47 vs base · errors in 10 requests');
  assert.equal(shadowLensTitle(fn(report, 'findItem')), undefined);
  const lenses = shadowLenses(report, 'server.js');
  assert.deepEqual(
    lenses.map((l) => l.line),
    [...lenses.map((l) => l.line)].sort((a, b) => a - b),
  );
  assert.ok(lenses.some((l) => l.line === 42 && l.title === 'shadow: 1 new error'));
  assert.deepEqual(shadowLenses(report, 'catalog.js'), []);
});

test('a slower p95 counts only when it is slower by milliseconds too, not on a sub-millisecond function', () => {
  const quick = { ...fn(planted(), 'findItem'), latency: { candidateP50Ms: 0.3, candidateP95Ms: 0.6, baselineP50Ms: 0.3, baselineP95Ms: 0.4, p50Ratio: 1, p95Ratio: 1.5 } };
  assert.equal(shadowLensTitle(quick), undefined);
  const slow = { ...quick, latency: { ...quick.latency, candidateP95Ms: 14, baselineP95Ms: 10, p95Ratio: 1.4 } };
  assert.equal(shadowLensTitle(slow), 'shadow: p95 ×1.4 vs base');
});

test('the panel line names the non-zero headline figures', () => {
  const line = shadowPanelLine(planted());
  assert.equal(line.text, '20 status mismatches · 1 new error · 2 shape changes · 3 new calls · p95 ×0.6 vs base');
  assert.equal(line.level, 'error');
  assert.equal(line.detail, '140 of 141 requests · shop.har');
  const quiet = { ...planted(), summary: { statusMismatches: 0, newErrors: 0, shapeChanges: 0, newCalls: 0, p95Ratio: 1.01 } };
  assert.deepEqual([shadowPanelLine(quiet).text, shadowPanelLine(quiet).level], ['No differences beyond the baseline’s own noise', 'ok']);
});

test('a run that picked requests by changed code says how many ran through it', () => {
  const report = planted();
  report.run.changedCode = { since: 'main', functions: 3, replayed: 12 };
  const again = parseShadowReport(JSON.stringify(report));
  assert.ok(again.ok);
  assert.deepEqual(again.report.run.changedCode, { since: 'main', functions: 3, replayed: 12 });
  assert.equal(buildShadowView(again.report).facts.find((f) => f.label === 'Picked first')?.value, '12 requests through the 3 functions changed since main');
});

test('a cancelled run says so', () => {
  const report = { ...planted(), warnings: ['cancelled after 12 of 140 requests: the report covers those'] };
  assert.equal(buildShadowView(report).cancelled, true);
  assert.match(shadowPanelLine(report).detail, /cancelled$/);
});

test('hostile texts reach the view on one line, without control or bidi characters', () => {
  const report = planted();
  const hostile = 'evil\u202e\nname\u0007 $(alert) <img src=x onerror=alert(1)>';
  report.functions[0] = { ...report.functions[0], function: hostile, service: hostile, calls: [{ target: hostile, change: 'added', candidatePerRequest: 1, baselinePerRequest: 0, requests: 1, line: 3 }] };
  report.routes[0] = { ...report.routes[0], route: hostile, method: hostile };
  report.warnings.push(hostile);
  const view = buildShadowView(report);
  const flat = JSON.stringify(view);
  assert.ok(!/[\u0000-\u001f\u202e]/.test(JSON.parse(JSON.stringify(flat))), 'no control or bidi character survives');
  assert.ok(view.functions.some((f) => f.function === 'evil name $(alert) <img src=x onerror=alert(1)>'));
  // The lens title holds figures only; the hostile name is flattened in the tooltip.
  const lens = shadowLenses(report, report.functions[0].file).find((l) => l.function === hostile)!;
  assert.equal(lens.title, `shadow: ${lens.title.slice('shadow: '.length)}`);
  assert.ok(!lens.title.includes('$('));
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u202e]/.test(lens.tooltip));
});

test('a malformed row is dropped and counted; a report without its summary is refused with one line', () => {
  const raw = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  raw.functions.push({ function: 'x', file: 3 }, null);
  raw.routes.push({ method: 'GET', route: '/x', requests: -1 });
  const parsed = parseShadowReport(raw);
  assert.ok(parsed.ok);
  assert.equal(parsed.dropped, 3);
  assert.equal(parsed.report.functions.length, planted().functions.length);
  delete raw.summary;
  assert.deepEqual(parseShadowReport(raw), { ok: false, error: 'the report has no summary' });
  assert.deepEqual(parseShadowReport('{'), { ok: false, error: parseShadowReport('{').ok ? '' : (parseShadowReport('{') as { error: string }).error });
  assert.match((parseShadowReport('{') as { error: string }).error, /^the report is not JSON/);
});
