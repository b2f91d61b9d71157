import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionSignal, SignalsResponse } from '../../../src/core/api/signals';
import type { Attribution, Finding } from '../../../src/core/analysis/findings';
import {
  attributionLabel,
  compareFindings,
  ERROR_PENALTY_MS,
  impactOf,
  matchFunctionSignal,
  MemoryProductionLookup,
  ProductionLookupError,
  productionLabel,
  rankFindings,
  riskMessage,
} from '../../../src/core/analysis/ranking';
import { HttpProductionLookup } from '../../../src/core/client/productionLookup';

const CLAUDE: Attribution = { ai: true, source: 'Co-Authored-By trailer on 3f2a1c0', kind: 'commit-trailer', agent: 'Claude Code', commit: '3f2a1c0', confidence: 'medium', aiShare: 1 };

function finding(over: Partial<Finding> = {}): Finding {
  return {
    rule: 'missing-timeout',
    file: 'src/orders.ts',
    line: 12,
    endLine: 12,
    column: 5,
    endColumn: 20,
    function: 'loadOrders',
    message: 'no timeout on fetch',
    severity: 'warning',
    attribution: CLAUDE,
    production: null,
    ...over,
  };
}

function signal(over: Partial<FunctionSignal> = {}): FunctionSignal {
  return {
    service: 'orders',
    environment: 'production',
    function: 'loadOrders',
    file: 'src/orders.ts',
    line: 10,
    mappedBy: 'code-attributes',
    confidence: 1,
    exemplars: [],
    count: 700,
    errors: 0,
    errorRate: 0,
    ratePerMin: 140,
    p50Ms: 900,
    p95Ms: 2300,
    p99Ms: 3000,
    ...over,
  };
}

function response(functions: FunctionSignal[]): SignalsResponse {
  return {
    window: '5m',
    environment: 'production',
    environments: ['production'],
    generatedAt: 0,
    functions,
    operations: [],
    errors: [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  };
}

describe('the production message', () => {
  it('reads like the issue: attribution · problem · figures', async () => {
    const lookup = new MemoryProductionLookup(response([signal()]));
    const [ranked] = await rankFindings([finding()], lookup);
    assert.equal(riskMessage(ranked!), 'AI-written (Claude Code, trailer) · no timeout on fetch · p95 2.3 s, 140/min in production');
  });

  it('names agent and model, the kind of evidence, errors when there are any, and leaves out what is unknown', () => {
    assert.equal(attributionLabel({ ...CLAUDE, kind: 'git-ai-note', model: 'claude-sonnet-4' }), 'AI-written (Claude Code (claude-sonnet-4), git-ai note)');
    assert.equal(attributionLabel({ ...CLAUDE, agent: undefined, kind: 'agent-trace' }), 'AI-written (Agent Trace)');
    assert.equal(attributionLabel({ ...CLAUDE, ai: false }), null);
    assert.equal(attributionLabel(null), null);
    const p = { ratePerMin: 0.5, p95Ms: 12, errorRate: 0.032, count: 3, window: '5m', environment: 'staging', impact: 0 };
    assert.equal(productionLabel(p), 'p95 12 ms, 0.5/min, 3.2% errors in staging');
    assert.equal(riskMessage(finding({ attribution: null })), 'no timeout on fetch');
    assert.equal(riskMessage(finding({ attribution: { ...CLAUDE, ai: false } })), 'no timeout on fetch');
  });
});

describe('impact and order', () => {
  it('impact is rate × p95 plus rate × error rate × the error penalty', () => {
    assert.equal(impactOf(140, 2300, 0), 322_000);
    assert.equal(impactOf(100, 500, 0.05), 50_000 + 100 * 0.05 * ERROR_PENALTY_MS);
    assert.equal(impactOf(Number.NaN, 10, 0), 0);
  });

  it('ranks hot before cold before unknown, then by severity, then AI-written first, then position', () => {
    const prod = (impact: number) => ({ ratePerMin: 1, p95Ms: 1, errorRate: 0, count: 1, window: '5m', environment: 'production', impact });
    const cold = finding({ file: 'a.ts', production: prod(10) });
    const hot = finding({ file: 'z.ts', production: prod(1_000) });
    const unknownError = finding({ file: 'b.ts', severity: 'error' });
    const unknownWarning = finding({ file: 'a.ts', line: 1 });
    const human = finding({ file: 'a.ts', line: 1, attribution: { ...CLAUDE, ai: false } });
    const later = finding({ file: 'a.ts', line: 30 });
    const sorted = [later, human, unknownWarning, unknownError, cold, hot].sort(compareFindings);
    assert.deepEqual(sorted, [hot, cold, unknownError, unknownWarning, later, human]);
  });

  it('rankFindings joins through the scan spans and orders the copies, leaving the inputs alone', async () => {
    const quiet = finding({ line: 3, function: 'helper' });
    const busy = finding({ line: 30, function: 'handler' });
    const lookup = new MemoryProductionLookup(response([signal({ function: 'helper', line: 2, ratePerMin: 1, p95Ms: 10 }), signal({ function: 'handler', line: 28, ratePerMin: 500, p95Ms: 80, errorRate: 0.1 })]));
    const spans = new Map([
      [quiet, { name: 'helper', startLine: 2, endLine: 6 }],
      [busy, { name: 'handler', startLine: 28, endLine: 40 }],
    ]);
    const ranked = await rankFindings([quiet, busy], lookup, { spans });
    assert.deepEqual(
      ranked.map((f) => f.function),
      ['handler', 'helper'],
    );
    assert.equal(ranked[0]!.production?.impact, impactOf(500, 80, 0.1));
    assert.equal(ranked[0]!.production?.window, '5m');
    assert.equal(quiet.production, null, 'inputs untouched');
    assert.deepEqual(
      (await rankFindings([quiet, busy], null)).map((f) => f.production),
      [null, null],
    );
  });
});

describe('matching a finding to its function signal', () => {
  it('within the function lines: by name first, else the signal nearest the start', () => {
    const outer = signal({ function: 'Orders.load', line: 10 });
    const nested = signal({ function: 'callback', line: 14 });
    assert.equal(matchFunctionSignal([nested, outer], { file: 'src/orders.ts', function: 'load', line: 15, startLine: 10, endLine: 20 }), outer);
    assert.equal(matchFunctionSignal([nested, outer], { file: 'src/orders.ts', function: 'renamedLocally', line: 15, startLine: 10, endLine: 20 }), outer);
    assert.equal(matchFunctionSignal([signal({ line: 30 })], { file: 'src/orders.ts', function: 'other', line: 15, startLine: 10, endLine: 20 }), null);
  });

  it('without lines: by name, nearest above the finding; module level never matches', () => {
    const first = signal({ line: 5 });
    const second = signal({ line: 40 });
    assert.equal(matchFunctionSignal([first, second], { file: 'src/orders.ts', function: 'loadOrders', line: 45 }), second);
    assert.equal(matchFunctionSignal([first, second], { file: 'src/orders.ts', function: 'loadOrders', line: 20 }), first);
    assert.equal(matchFunctionSignal([first], { file: 'src/orders.ts', function: '', line: 5 }), null);
  });

  it('the same function in two services: the one with the higher impact', () => {
    const small = signal({ service: 'a', ratePerMin: 1 });
    const big = signal({ service: 'b', ratePerMin: 100 });
    assert.equal(matchFunctionSignal([small, big], { file: 'src/orders.ts', function: 'loadOrders', line: 12 }), big);
  });
});

describe('HttpProductionLookup against a loopback server', () => {
  const requests: { url: string; auth: string | undefined }[] = [];
  let status = 200;
  let url = '';
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers.authorization });
    const file = new URL(req.url ?? '/', 'http://x').searchParams.get('file');
    const body = status === 200 ? JSON.stringify(response(file === 'src/orders.ts' ? [signal()] : [])) : '{"error":"invalid window"}';
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('asks once per file with the window and token, and matches the function', async () => {
    requests.length = 0;
    const lookup = new HttpProductionLookup({ server: url, window: '15m', token: 's3cret' });
    await lookup.check();
    const a = await lookup.figures({ file: 'src/orders.ts', function: 'loadOrders', line: 12 });
    const b = await lookup.figures({ file: 'src/orders.ts', function: 'loadOrders', line: 13 });
    const c = await lookup.figures({ file: 'src/other.ts', function: 'x', line: 1 });
    assert.equal(a?.p95Ms, 2300);
    assert.equal(a?.impact, impactOf(140, 2300, 0));
    assert.deepEqual(b, a);
    assert.equal(c, null);
    assert.deepEqual(
      requests.map((r) => r.url),
      ['/api/signals?window=15m&top=1', '/api/signals?window=15m&file=src%2Forders.ts', '/api/signals?window=15m&file=src%2Fother.ts'],
    );
    assert.ok(requests.every((r) => r.auth === 'Bearer s3cret'));
  });

  it('turns a refusal, an error status and a bad URL into one-line ProductionLookupErrors', async () => {
    status = 400;
    await assert.rejects(new HttpProductionLookup({ server: url, window: '5m' }).check(), (e: Error) => e instanceof ProductionLookupError && /answered 400: \{"error":"invalid window"\}/.test(e.message));
    status = 200;
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await assert.rejects(new HttpProductionLookup({ server: `http://127.0.0.1:${port}`, window: '5m' }).check(), /cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    assert.throws(() => new HttpProductionLookup({ server: 'not a url', window: '5m' }), ProductionLookupError);
    assert.throws(() => new HttpProductionLookup({ server: 'ftp://127.0.0.1', window: '5m' }), /not an http\(s\) URL/);
  });
});
