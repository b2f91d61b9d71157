/**
 * Span trees compared per request, on real traces: the Node auto-instrumentations' export of the
 * conformance app (recordedTraces.ts), with the candidate's changes made to copies of those trees.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceSpan } from '../../../src/core/api/signals';
import { digestSpans, errorGroupKey, type FunctionPlace, functionKey } from '../../../src/core/shadow/spanDigest';
import { spanTreeDiff } from '../../../src/core/shadow/spanTreeDiff';
import { recordedNodeTraces } from './recordedTraces';

const traces = recordedNodeTraces();
const QUOTE = { service: 'conf-node', file: 'src/routes.ts', function: 'quote' };
const PRICE = { service: 'conf-node', file: 'src/routes.ts', function: 'price' };
const keyOf = (f: { service: string; file: string; function: string }): string => functionKey({ ...f, line: 0, confidence: 0 });

/** A /quote trace with its client call to the rate service (the one recorded with a tcp.connect span too). */
function quoteTrace(): TraceSpan[] {
  const t = traces.get('GET /quote')!.find((spans) => spans.some((s) => s.name === 'tcp.connect'));
  assert.ok(t, 'a recorded GET /quote trace with tcp.connect');
  return t.map((s) => ({ ...s, exceptions: [...s.exceptions] }));
}

let seq = 0;
function copyOf(s: TraceSpan, extra: Partial<TraceSpan> = {}): TraceSpan {
  return { ...s, spanId: `c0ffee${(++seq).toString(16).padStart(10, '0')}`, ...extra };
}

/** The workspace's call lines of the conformance app's quote(): fetch(`${downstream}/rate`) is line 28. */
function callLineOf(caller: FunctionPlace, call: TraceSpan): number | undefined {
  if (caller.function !== 'quote') return undefined;
  return call.peer?.endsWith('/rate') ? 28 : call.peer?.endsWith('/fx') ? 29 : undefined;
}

describe('span tree diff on recorded traces', () => {
  it('reads a recorded trace as the receiver maps it: the client call belongs to the route handler', () => {
    const digest = digestSpans(quoteTrace(), callLineOf);
    const quote = digest.functions.get(keyOf(QUOTE));
    assert.ok(quote, 'quote() is a function of the trace');
    assert.equal(quote.place.line, 26);
    assert.deepEqual(
      [...quote.calls].map(([t, c]) => [t, c.count, [...c.lines]]),
      [['127.0.0.1:34957/rate', 1, [[28, 1]]]],
    );
    // tcp.connect and the Express layers map to nothing and call nothing.
    assert.equal(digest.functions.size, 1);
    const root = quoteTrace().find((s) => s.parentSpanId === '')!;
    assert.equal(quote.durationMs, root.durationMs, 'span duration of its outermost span');
  });

  it('finds nothing between two recorded traces of the same route', () => {
    const [a, b] = traces.get('GET /quote')!.filter((t) => t.some((s) => s.kind === 3));
    const diff = spanTreeDiff(a!, b!, callLineOf);
    assert.deepEqual(diff.calls, []);
    assert.deepEqual(diff.nowErroring, []);
    const d = diff.durations.get(keyOf(QUOTE))!;
    assert.ok(d.candidateMs! > 0 && d.baselineMs! > 0);
  });

  it('finds an added call, a missing call and an N+1, each under quote() with the line of the call', () => {
    const base = quoteTrace();
    const client = base.find((s) => s.kind === 3)!;
    const added = [...base, copyOf(client, { peer: 'http://127.0.0.1:41000/fx' })];
    assert.deepEqual(
      spanTreeDiff(added, base, callLineOf).calls.map((c) => [c.place.function, c.target, c.change, c.candidate, c.baseline, c.line]),
      [['quote', '127.0.0.1:41000/fx', 'added', 1, 0, 29]],
    );
    const missing = base.filter((s) => s !== client);
    assert.deepEqual(
      spanTreeDiff(missing, base, callLineOf).calls.map((c) => [c.place.function, c.target, c.change, c.candidate, c.baseline, c.line]),
      [['quote', '127.0.0.1:34957/rate', 'missing', 0, 1, 28]],
    );
    const loop = [...base, ...Array.from({ length: 9 }, () => copyOf(client))];
    assert.deepEqual(
      spanTreeDiff(loop, base, callLineOf).calls.map((c) => [c.place.function, c.target, c.change, c.candidate, c.baseline, c.line]),
      [['quote', '127.0.0.1:34957/rate', 'repeated', 10, 1, 28]],
    );
    // Twice as many is not "clearly more" for a single call: 1 -> 2 needs a second look, not a flag.
    assert.deepEqual(spanTreeDiff([...base, copyOf(client)], base, callLineOf).calls, []);
  });

  it("counts a call seen by two client instrumentations once, and not the called service's own spans", () => {
    const base = quoteTrace();
    const client = base.find((s) => s.kind === 3)!;
    const inner = copyOf(client, { parentSpanId: client.spanId, name: 'GET /rate' });
    const remote = copyOf(client, { parentSpanId: client.spanId, kind: 2, service: 'rates', name: 'GET /rate', mapping: { file: 'src/rates.ts', line: 3, function: 'rate', mappedBy: 'route', confidence: 0.7 } });
    const remoteCall = copyOf(client, { parentSpanId: remote.spanId, service: 'rates', peer: 'http://10.0.0.5:5432' });
    const diff = spanTreeDiff([...base, inner, remote, remoteCall], base, callLineOf);
    // The remote service's function is new in the trace but calls nothing of quote()'s.
    assert.deepEqual(
      diff.calls.filter((c) => c.place.function === 'quote'),
      [],
    );
  });

  it('survives parent links that loop', () => {
    const base = quoteTrace();
    const a = copyOf(base[0]!, { parentSpanId: 'b'.repeat(16), mapping: undefined, kind: 3 });
    const b = copyOf(base[0]!, { spanId: 'b'.repeat(16), parentSpanId: a.spanId, mapping: undefined, kind: 1 });
    assert.deepEqual(spanTreeDiff([...base, a, b], base, callLineOf).calls, []);
  });

  it('ties a call to a child span of another function to the caller', () => {
    const [ok] = traces.get('GET /price/:item')!.filter((t) => t.every((s) => !s.error));
    const handler = ok!.find((s) => s.name.startsWith('request handler'))!;
    const unitPrice = copyOf(handler, { parentSpanId: handler.spanId, name: 'unitPrice', kind: 1, mapping: { file: 'src/pricing.ts', line: 14, function: 'unitPrice', mappedBy: 'code-attributes', confidence: 0.95 } });
    const diff = spanTreeDiff([...ok!, unitPrice], ok!);
    assert.deepEqual(
      diff.calls.map((c) => [c.place.function, c.target, c.change]),
      [['price', 'unitPrice', 'added']],
    );
    assert.ok(diff.durations.get(keyOf({ ...PRICE, file: 'src/pricing.ts', function: 'unitPrice' }))?.candidateMs !== undefined);
  });

  it('finds the handler that now errors and the error group it raises, from a recorded failing request', () => {
    const all = traces.get('GET /price/:item')!;
    const failing = all.find((t) => t.some((s) => s.exceptions.length > 0))!;
    const ok = all.find((t) => t.every((s) => !s.error))!;
    assert.ok(failing && ok);
    const diff = spanTreeDiff(failing, ok);
    assert.deepEqual(diff.nowErroring, [keyOf(PRICE)]);
    const errors = [...digestSpans(failing).errors.values()];
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.type, 'Error');
    assert.match(errors[0]!.message, /^unknown item: /);
    // The exception sits on Express's unmapped `request handler` span: it belongs to price().
    assert.equal(errors[0]!.place?.function, 'price');
    assert.equal(errorGroupKey('Error', 'unknown item: 42'), errorGroupKey('Error', 'unknown item: 7'));
  });
});
