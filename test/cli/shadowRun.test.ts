// `runtime-lens shadow` end to end: a real Express service instrumented with the OpenTelemetry Node SDK
// in a real git repository, real traffic recorded by Chromium as a HAR, the built CLI starting the
// working tree (the candidate) and the base commit in a worktree (the baseline), collecting both
// sides' spans in its receiver. An identical build must show no difference over 500+ requests whose
// answers carry random ids, times, ETags and set orders; each planted regression must be found and
// tied to its route or function.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FunctionDelta, RouteDelta, ShadowReport } from '../../src/core/api/shadowReport';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../support/shadowService';
import { shopPaths, runShadowCli, recordShopTraffic } from '../support/shadowTraffic';

const REQUESTS = 560;
let repo: ShadowServiceRepo;
let tmp: string;
let har: string;

const shadow = (args: string[]) => runShadowCli(args);

const runArgs = () => ['--traffic', har, '--start', 'node server.js', '--health', '/health', '--baseline-ref', 'base', '--workspace', repo.dir, '--budget', String(REQUESTS), '--json'];
const route = (r: ShadowReport, method: string, name: string): RouteDelta | undefined => r.routes.find((x) => x.method === method && x.route === name);
/** The 1-based line of the working tree's `file` that holds `text`. */
const lineOf = (file: string, text: string): number =>
  readFileSync(path.join(repo.dir, file), 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;
const fn = (r: ShadowReport, name: string): FunctionDelta | undefined => r.functions.find((f) => f.function === name);

before(async () => {
  repo = createShadowServiceRepo();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-shadow-cli-'));
  har = path.join(tmp, 'shop.har');
  await recordShopTraffic(repo.dir, shopPaths(REQUESTS), har);
});

after(() => {
  repo?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('runtime-lens shadow', () => {
  it('finds no difference between a build and itself over 500+ requests with noisy answers', async () => {
    const r = await shadow(runArgs());
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as ShadowReport;
    assert.ok(report.replayed >= 500, `replayed ${report.replayed}`);
    assert.equal(report.requests, REQUESTS + 1, 'every fetch and the page load were read');
    assert.deepEqual(
      { ...report.summary, p95Ratio: undefined },
      { statusMismatches: 0, newErrors: 0, shapeChanges: 0, newCalls: 0, p95Ratio: undefined, valueChanges: 0, slower: false },
      JSON.stringify({ routes: report.routes.filter((x) => x.statusMismatches + x.shapeChanges.length > 0), calls: report.functions.filter((f) => f.calls.length > 0), warnings: report.warnings }),
    );
    assert.ok(
      report.functions.every((f) => f.calls.length === 0 && f.newErrors.length === 0),
      JSON.stringify(report.functions.filter((f) => f.calls.length > 0)),
    );
    const slower = [...report.routes, ...report.functions].filter((x) => x.latency?.slower !== false);
    assert.deepEqual(slower, [], 'no route or function reads as slower than itself');
    // The spans were collected and joined: routes come from the service's own server spans.
    assert.ok(route(report, 'GET', '/api/orders/:id'), report.routes.map((x) => `${x.method} ${x.route}`).join(', '));
    assert.ok(fn(report, 'loadOrder'), 'functions are mapped from the spans');
    assert.deepEqual(
      report.warnings.filter((w) => !w.startsWith('baseline:')),
      [],
    );
  });

  it('finds each planted regression and ties it to its route or function', async () => {
    repo.plantRegressions();
    const r = await shadow([...runArgs(), '--fail-if', 'status_mismatch>0,new_calls>0']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /--fail-if status_mismatch>0 held/);
    const report = JSON.parse(r.stdout) as ShadowReport;

    const stock = route(report, 'GET', '/api/stock/:sku')!;
    assert.ok(stock.statusMismatches > 0, JSON.stringify(stock));
    assert.deepEqual([stock.examples[0]?.baseline, stock.examples[0]?.candidate], [200, 404]);

    const profile = route(report, 'GET', '/api/profile/:user')!;
    assert.deepEqual(profile.shapeChanges.map((c) => [c.path, c.change, c.from ?? '', c.to ?? '']).sort(), [
      ['$.loyaltyTier', 'removed', 'string', ''],
      ['$.points', 'retyped', 'number', 'string'],
    ]);

    const quote = fn(report, 'computeQuote')!;
    // Slower in the requests both sides answered at the same moment, whatever else loaded the machine.
    assert.equal(quote.latency?.slower, true, JSON.stringify(quote.latency));
    assert.equal(quote.file, 'pricing.js');

    const order = fn(report, 'loadOrder')!;
    const repeated = order.calls.find((c) => c.change === 'repeated');
    assert.ok(repeated && repeated.baselinePerRequest === 1 && repeated.candidatePerRequest >= 3, JSON.stringify(order.calls));
    assert.match(repeated.target, /^127\.0\.0\.1:\d+\/internal\/prices$/);
    assert.equal(repeated.line, lineOf('orders.js', 'Object.assign(prices'), 'the line that makes the call in the loop');

    const shipping = fn(report, 'quoteShipping')!;
    const added = shipping.calls.find((c) => c.change === 'added');
    assert.ok(added, JSON.stringify(shipping.calls));
    assert.match(added.target, /^127\.0\.0\.1:\d+\/internal\/carrier$/);
    assert.equal(added.line, lineOf('shipping.js', '/internal/carrier'));

    const receipt = route(report, 'GET', '/api/orders/:id/receipt')!;
    assert.ok(receipt.statusMismatches > 0);
    const thrown = [...receipt.newErrors, ...(fn(report, 'formatReceipt')?.newErrors ?? [])];
    assert.ok(
      thrown.some((e) => e.type === 'TypeError' && /reading 'name'/.test(e.message)),
      JSON.stringify(thrown),
    );

    // Nothing else moved: the untouched routes are quiet.
    for (const quiet of ['/api/items', '/api/items/:id', '/api/orders/:id']) {
      const x = route(report, 'GET', quiet)!;
      assert.deepEqual([x.statusMismatches, x.shapeChanges.length, x.newErrors.length], [0, 0, 0], quiet);
    }
  });

  it('replays a real GoReplay file, skipping what may not be replayed, and writes JUnit for CI', async () => {
    // Recorded from another shop (DataDog's ecommerce workshop): none of its paths exist here, so
    // both sides answer 404 alike, and its POST is not opted in.
    const gor = path.join(__dirname, '..', 'fixtures', 'shadow', 'ecommerceWorkshop.gor');
    const junit = path.join(tmp, 'shadow.xml');
    const r = await shadow(['--traffic', gor, '--start', 'node server.js', '--health', '/health', '--baseline-ref', 'base', '--workspace', repo.dir, '--format', 'junit', '--output', junit]);
    assert.equal(r.code, 0, r.stderr);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\s*<testsuites/);
    assert.match(xml, /tests="5"/, 'the five GETs are test cases');
    assert.doesNotMatch(xml, /<failure/, 'two builds answering 404 alike is no failure');
    const json = await shadow(['--traffic', gor, '--start', 'node server.js', '--health', '/health', '--baseline-ref', 'base', '--workspace', repo.dir, '--json']);
    const report = JSON.parse(json.stdout) as ShadowReport;
    assert.deepEqual([report.requests, report.replayed, report.skipped], [6, 5, { 'method-not-allowed': 1 }]);
    assert.ok(report.routes.every((x) => x.statusMismatches === 0));
  });

  it('refuses a target that is not loopback, with one line and exit 2', async () => {
    const r = await shadow(['--traffic', har, '--target', 'http://example.com:8080']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /example\.com.*--allow-host/);
  });
});
