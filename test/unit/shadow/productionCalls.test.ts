/**
 * The candidate's calls against the production trace of each request, on real span trees: the Node
 * auto-instrumentations' export of the conformance app (recordedTraces.ts), read as traffic the way
 * `shadow --from` reads it (trafficFromTraces keeps each request's part of its trace), with the
 * candidate's changes made to copies of those trees.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionDelta, ShadowReport } from '../../../src/core/api/shadowReport';
import type { TraceSpan } from '../../../src/core/api/signals';
import { buildShadowView } from '../../../src/core/render/shadowView';
import { shadowText } from '../../../src/core/render/shadowText';
import { parseShadowReport } from '../../../src/core/shadow/parseShadowReport';
import { foldOwnHosts, ownHosts, requestSpans } from '../../../src/core/shadow/productionSpans';
import type { ReplayAnswer, ReplayExchange } from '../../../src/core/shadow/replayExchange';
import { createSanitizer } from '../../../src/core/shadow/sanitizer';
import { buildShadowReport, type ComparatorOptions, type ReportContext } from '../../../src/core/shadow/shadowReportBuilder';
import type { ShadowRequest } from '../../../src/core/shadow/shadowRequest';
import type { FunctionPlace } from '../../../src/core/shadow/spanDigest';
import { trafficFromTraces } from '../../../src/core/shadow/traceTraffic';
import { recordedNodeTraces } from './recordedTraces';

const traces = recordedNodeTraces();
/** The recorded /quote traces with their client call to the rate service. */
const QUOTES = traces.get('GET /quote')!.filter((t) => t.some((s) => s.kind === 3));
const CANDIDATE = 'http://127.0.0.1:3001';
const CONTEXT: ReportContext = { requests: 0, skipped: {}, warnings: [], run: { candidate: CANDIDATE, traffic: 'traces of http://127.0.0.1:4318', startedAt: 1_764_000_000_000, durationMs: 1000 } };

/** The workspace's call lines of quote(): fetch(`${downstream}/rate`) is line 28, a second downstream line 29. */
function callLineOf(caller: FunctionPlace, call: TraceSpan): number | undefined {
  if (caller.function !== 'quote') return undefined;
  return call.peer?.endsWith('/rate') ? 28 : call.peer?.endsWith('/fx') ? 29 : undefined;
}

let seq = 0;
/** A copy of `s` with a fresh id (and the changes given). */
function copyOf(s: TraceSpan, extra: Partial<TraceSpan> = {}): TraceSpan {
  return { ...s, spanId: `c0ffee${(++seq).toString(16).padStart(10, '0')}`, ...extra };
}

/** Recorded /quote trace `i`, its spans copied. */
function quote(i = 0): TraceSpan[] {
  const t = QUOTES[i % QUOTES.length];
  assert.ok(t, `a recorded GET /quote trace ${i}`);
  return t.map((s) => ({ ...s, exceptions: [...s.exceptions] }));
}

/** `spans` with its client call to the rate service made `extra` more times. */
function withRepeats(spans: TraceSpan[], extra: number): TraceSpan[] {
  const client = spans.find((s) => s.kind === 3)!;
  return [...spans, ...Array.from({ length: extra }, () => copyOf(client))];
}

/** `spans` with a second call from the same handler, to `peer`. */
function withCall(spans: TraceSpan[], peer: string): TraceSpan[] {
  const client = spans.find((s) => s.kind === 3)!;
  return [...spans, copyOf(client, { peer })];
}

/** `spans` calling the rate endpoint at `host`, answered by a server span of `service` under the call. */
function callingAt(spans: TraceSpan[], host: string, service: string): TraceSpan[] {
  const root = spans.find((s) => s.parentSpanId === '')!;
  const out = spans.map((s) => (s.kind === 3 ? { ...s, peer: `http://${host}/rate` } : s));
  const client = out.find((s) => s.kind === 3)!;
  const served = copyOf(root, { parentSpanId: client.spanId, service, name: 'GET /rate', httpRoute: '/rate', mapping: undefined });
  return [...out, served];
}

/** The request production served in `spans`, read as `shadow --from` reads it. */
function productionRequest(spans: TraceSpan[], n: number): ShadowRequest {
  const traceId = n.toString(16).padStart(32, '0');
  const root = spans.find((s) => s.parentSpanId === '')!;
  const r = trafficFromTraces([{ traceId, spans }]).requests.find((x) => x.recorded.spanId === root.spanId);
  assert.ok(r, 'the root server span reads as a request');
  return r;
}

function answer(spans: TraceSpan[]): ReplayAnswer {
  return { status: 200, headers: [['content-type', 'application/json']], body: '{"quote":120}', durationMs: 5, spans };
}

let requests = 0;
/** One replayed request: production's trace, the candidate's spans and, when given, the baseline's (answering twice alike). */
function exchange(production: TraceSpan[], candidate: TraceSpan[], baseline?: TraceSpan[]): ReplayExchange {
  const request = productionRequest(production, ++requests);
  return { request, candidate: answer(candidate), ...(baseline ? { baseline: answer(baseline), baseline2: answer(baseline) } : {}) };
}

function report(exchanges: ReplayExchange[], options: ComparatorOptions = {}): ShadowReport {
  return buildShadowReport(exchanges, CONTEXT, { callLineOf, candidateHost: '127.0.0.1:3001', ...options });
}

function quoteFn(r: ShadowReport): FunctionDelta {
  const f = r.functions.find((x) => x.function === 'quote');
  assert.ok(f, `quote() is reported: ${JSON.stringify(r.functions)}`);
  return f;
}

const calls = (f: FunctionDelta | undefined) => (f?.productionCalls ?? []).map((c) => [c.target, c.change, c.candidatePerRequest, c.baselinePerRequest, c.requests, c.line]);
/** quote()'s calls against production; without a baseline a function is listed only when they differ. */
const quoteCalls = (r: ShadowReport) => calls(r.functions.find((x) => x.function === 'quote'));

describe('production spans carried with requests read from traces', () => {
  it('keeps each request its own part of the trace: the entry server span and every span under it', () => {
    const spans = quote(0);
    const r = productionRequest(spans, 1);
    assert.deepEqual(r.recorded.spans?.map((s) => s.spanId).sort(), spans.map((s) => s.spanId).sort());
    // A call the service makes to itself is a request of its own, carrying only its part.
    const self = callingAt(quote(0), '127.0.0.1:34957', 'conf-node');
    const inner = trafficFromTraces([{ traceId: 'f'.repeat(32), spans: self }]).requests.find((x) => x.target === '/quote' && x.recorded.spanId !== spans[0]!.spanId && x.recorded.spans?.length === 1);
    assert.ok(inner, 'the inner server span is read with its own single span');
    assert.deepEqual(requestSpans(self, 'no-such-span'), []);
  });

  it('redacts production spans with the run’s tokens and leaves out their recorded requests', () => {
    const sanitizer = createSanitizer({ key: Buffer.alloc(32, 7) });
    const spans = withCall(quote(0), 'http://127.0.0.1:34957/users/ada@example.com/rate');
    const clean = sanitizer.request(productionRequest(spans, 2));
    const token = sanitizer.text('ada@example.com');
    assert.match(token, /^REDACTED-[0-9a-f]{8}$/);
    const peers = clean.recorded.spans!.map((s) => s.peer).filter((p) => p !== undefined);
    assert.deepEqual(peers.sort(), ['http://127.0.0.1:34957/rate', `http://127.0.0.1:34957/users/${token}/rate`]);
    assert.ok(
      clean.recorded.spans!.every((s) => s.request === undefined),
      'no recorded request (headers, body) is kept',
    );
    assert.ok(clean.recorded.spans!.some((s) => s.mapping?.function === 'quote'));
  });
});

describe('calls against production', () => {
  it('finds nothing when the candidate calls what production called', () => {
    const r = report([exchange(quote(0), quote(1), quote(2)), exchange(quote(1), quote(2), quote(3))]);
    assert.deepEqual(quoteFn(r).productionCalls, []);
    assert.deepEqual(quoteFn(r).calls, []);
  });

  it('finds an N+1 as repeated and a new downstream as added, against production as against the baseline', () => {
    const candidate = (i: number) => withCall(withRepeats(quote(i), 4), 'http://127.0.0.1:41000/fx');
    const r = report([exchange(quote(0), candidate(1), quote(2)), exchange(quote(1), candidate(2), quote(3))]);
    const f = quoteFn(r);
    const expected = [
      ['127.0.0.1:34957/rate', 'repeated', 5, 1, 2, 28],
      ['127.0.0.1:41000/fx', 'added', 1, 0, 2, 29],
    ];
    assert.deepEqual(calls(f).sort(), expected);
    assert.deepEqual(f.calls.map((c) => [c.target, c.change, c.candidatePerRequest, c.baselinePerRequest, c.requests, c.line]).sort(), expected);
  });

  it('compares with production without a baseline: the function is listed for its calls against production alone', () => {
    const r = report([exchange(quote(0), withRepeats(quote(1), 4))]);
    const f = quoteFn(r);
    assert.deepEqual(calls(f), [['127.0.0.1:34957/rate', 'repeated', 5, 1, 1, 28]]);
    assert.deepEqual([f.calls, f.latency, f.requests], [[], null, 1]);
    // Nothing to compare: a request without production spans (HAR, .gor) adds nothing.
    const har = { ...productionRequest(quote(0), 99), origin: 'har' as const, recorded: { status: 200 } };
    assert.deepEqual(report([{ request: har, candidate: answer(withRepeats(quote(1), 4)) }]).functions, []);
  });

  it('reads the address production called its own service at as the candidate’s, and only that one', () => {
    // Production called itself at its production address; the candidate at its own port.
    const production = callingAt(quote(0), '10.1.2.3:8080', 'conf-node');
    const candidate = callingAt(quote(1), '127.0.0.1:3001', 'conf-node');
    assert.deepEqual([...ownHosts(production, 'conf-node')], ['10.1.2.3:8080']);
    assert.deepEqual(
      foldOwnHosts(production, new Set(['10.1.2.3:8080']), '127.0.0.1:3001')
        .filter((s) => s.kind === 3)
        .map((s) => s.peer),
      ['http://127.0.0.1:3001/rate'],
    );
    // With a baseline the function is listed, compared with production, and nothing differs.
    assert.deepEqual(quoteFn(report([exchange(production, candidate, candidate)])).productionCalls, []);
    // Answered by another service, the same address is a downstream: never folded.
    const elsewhere = callingAt(quote(0), '10.1.2.3:8080', 'rate-service');
    assert.deepEqual(quoteCalls(report([exchange(elsewhere, candidate)])).sort(), [
      ['10.1.2.3:8080/rate', 'missing', 0, 1, 1, 28],
      ['127.0.0.1:3001/rate', 'added', 1, 0, 1, 28],
    ]);
    // Without the candidate's URL, the address its own spans show it called itself at is used.
    assert.deepEqual(quoteFn(report([exchange(production, candidate, candidate)], { candidateHost: undefined })).productionCalls, []);
  });

  it('lists a difference only when it shows in more than half of the requests where it could', () => {
    const fx = (i: number) => withCall(quote(i), 'http://127.0.0.1:41000/fx');
    // The new call in 1 of 3 requests through quote(): a production sample's chance, not a change.
    const once = report([exchange(quote(0), fx(1)), exchange(quote(1), quote(2)), exchange(quote(2), quote(3))]);
    assert.deepEqual(quoteCalls(once), []);
    const twice = report([exchange(quote(0), fx(1)), exchange(quote(1), fx(2)), exchange(quote(2), quote(3))]);
    assert.deepEqual(quoteCalls(twice), [['127.0.0.1:41000/fx', 'added', 1, 0, 2, 29]]);
    // An N+1 can show only where the candidate made the call more than once (an order of one line
    // calls once either way): 1 repeating request of 1 such is a majority, though 1 of 3 through quote().
    const n1 = report([exchange(quote(0), withRepeats(quote(1), 3)), exchange(quote(1), quote(2)), exchange(quote(2), quote(3))]);
    assert.deepEqual(quoteCalls(n1), [['127.0.0.1:34957/rate', 'repeated', 4, 1, 1, 28]]);
    // ... but not where the candidate repeated it without production calling it less.
    const same = report([exchange(withRepeats(quote(0), 3), withRepeats(quote(1), 3)), exchange(quote(1), withRepeats(quote(2), 3))]);
    assert.deepEqual(quoteCalls(same), []);
  });

  it('leaves out the spans of other services in production’s trace', () => {
    const production = callingAt(quote(0), '127.0.0.1:34957', 'rate-service');
    const rate = production.find((s) => s.service === 'rate-service')!;
    // The rate service's own handler, mapped and calling on: none of it is the request's service.
    const theirs = [...production, copyOf(rate, { parentSpanId: rate.spanId, kind: 3, peer: 'http://10.9.9.9/ledger', mapping: undefined })];
    const mapped = theirs.map((s) => (s === rate ? { ...s, mapping: { file: 'src/rate.ts', line: 3, function: 'rate', mappedBy: 'route' as const, confidence: 0.7 } } : s));
    const r = report([exchange(mapped, quote(1), quote(2))]);
    assert.deepEqual(quoteFn(r).productionCalls, []);
    assert.equal(
      r.functions.find((f) => f.function === 'rate'),
      undefined,
    );
  });
});

describe('calls against production in the report’s readers', () => {
  const r = report([exchange(quote(0), withRepeats(quote(1), 4), quote(2))]);

  it('survives the report’s validation, and a malformed one drops its function row', () => {
    const parsed = parseShadowReport(JSON.stringify(r));
    assert.ok(parsed.ok);
    assert.deepEqual(quoteFn(parsed.report).productionCalls, quoteFn(r).productionCalls);
    const bad = JSON.parse(JSON.stringify(r)) as { functions: { productionCalls?: unknown }[] };
    bad.functions[0]!.productionCalls = [{ target: 'x', change: 'exploded' }];
    const again = parseShadowReport(bad);
    assert.ok(again.ok);
    assert.equal(again.dropped, 1);
    // Absent stays absent (a report from traffic files).
    delete bad.functions[0]!.productionCalls;
    const plain = parseShadowReport(bad);
    assert.ok(plain.ok);
    assert.equal('productionCalls' in plain.report.functions[0]!, false);
  });

  it('shows as "against production" lines in the CLI text and the report view', () => {
    const text = shadowText(r);
    assert.match(text, /^ {4}repeats the call to 127\.0\.0\.1:34957\/rate \(line 28\): 1 -> 5 per request, in 1 requests$/m);
    assert.match(text, /^ {4}against production: repeats the call to 127\.0\.0\.1:34957\/rate \(line 28\): 1 -> 5 per request, in 1 requests$/m);
    const row = buildShadowView(r).functions.find((f) => f.function === 'quote')!;
    assert.deepEqual(
      row.details.filter((d) => d.kind === 'call').map((d) => [d.text, d.line]),
      [
        ['Repeats the call to 127.0.0.1:34957/rate: 1 → 5 per request in 1 request', 28],
        ['Against production: repeats the call to 127.0.0.1:34957/rate: 1 → 5 per request in 1 request', 28],
      ],
    );
    assert.deepEqual(
      row.badges.map((b) => b.text),
      ['1 call repeated ×5', '1 call repeated ×5 vs prod'],
    );
  });
});

describe('spans that now error, against production', () => {
  /** `spans` with quote()'s span failing as the candidate's would. */
  const failing = (spans: TraceSpan[]): TraceSpan[] => spans.map((s) => (s.mapping?.function === 'quote' ? { ...s, error: true, exceptions: [{ type: 'TypeError', message: 'rate is undefined' }] } : s));
  /** Recorded /quote traces in which production's quote() did not error. */
  const ok = QUOTES.map((_, i) => i).filter((i) => !quote(i).some((s) => s.mapping?.function === 'quote' && s.error));
  assert.ok(ok.length >= 3, `${ok.length} recorded /quote traces without an error in quote()`);

  it('counts, per function, the requests whose spans errored on the candidate and in production', () => {
    const r = report(ok.slice(0, 3).map((i) => exchange(quote(i), failing(quote(i)))));
    assert.deepEqual(quoteFn(r).productionErrorSpans, { candidate: 3, production: 0, requests: 3 });
    assert.match(shadowText(r), /^ {4}against production: spans errored in 3 of 3 requests \(production 0\)$/m);
    const row = buildShadowView(r).functions.find((f) => f.function === 'quote')!;
    assert.ok(row.details.some((d) => d.text === 'Against production: its spans errored in 3 of 3 requests (production: 0)'));
    assert.deepEqual(parseShadowReport(JSON.parse(JSON.stringify(r))).ok && quoteFn(r).productionErrorSpans, { candidate: 3, production: 0, requests: 3 });
  });

  it('is no difference where production failed the same requests, or in only a minority of them', () => {
    const same = report(ok.slice(0, 2).map((i) => exchange(failing(quote(i)), failing(quote(i)))));
    // Without a baseline, a function is listed only when it differs from production.
    assert.equal(
      same.functions.find((f) => f.function === 'quote'),
      undefined,
    );
    assert.doesNotMatch(shadowText(same), /against production: spans errored/);
    const [a, b, c] = ok as [number, number, number];
    const once = report([exchange(quote(a), failing(quote(a))), exchange(quote(b), quote(b)), exchange(quote(c), quote(c))]);
    assert.equal(
      once.functions.find((f) => f.function === 'quote'),
      undefined,
    );
    // With a baseline it is listed for that, and carries the counts, but they are no difference.
    const withBaseline = report([exchange(quote(a), failing(quote(a)), quote(a)), exchange(quote(b), quote(b), quote(b)), exchange(quote(c), quote(c), quote(c))]);
    assert.deepEqual(quoteFn(withBaseline).productionErrorSpans, { candidate: 1, production: 0, requests: 3 });
    assert.doesNotMatch(shadowText(withBaseline), /against production: spans errored/);
  });
});
