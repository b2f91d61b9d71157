/**
 * `npm run bench:caps` (issue 15 §1): what a span costs the signal store as the number of distinct
 * operations and functions grows past its caps (10,000 operations, 20,000 locations, 2,000 unmapped
 * names by default). Spans cycle over K distinct keys (a route and the function serving it, or an
 * unmapped span name) in an order with no locality; the figure is store time per span in the same
 * process; the ratio to the smallest K, which fits the caps; and the ratio to the same K with the caps
 * raised so every key has its row (the same working set within the caps). Past the caps a key is
 * refused a row of its own unless it is wanted more than a stored one (BoundedMap.admit), so a span
 * past them must cost no more than one within them (issue 15 §1).
 * Printed only; never asserted.
 */
import type { SpanRecord } from '../src/core/ingest/records';
import type { CodeLocation } from '../src/core/signals/storeTypes';
import { SignalStore } from '../src/core/signals/signalStore';

const SPANS = Number(process.argv[process.argv.indexOf('--spans') + 1]) || 2_000_000;
const KEYS = [1_000, 5_000, 20_000, 100_000, 400_000];
const STRIDE = 7_919;
const ROUNDS = 3;

const resource = { service: 'checkout', environment: 'production', revision: '', serviceVersion: '2.4.1', language: 'nodejs' };

function spansFor(keys: number): { spans: SpanRecord[]; locations: CodeLocation[] } {
  const spans: SpanRecord[] = [];
  const locations: CodeLocation[] = [];
  for (let k = 0; k < keys; k++) {
    const route = `/api/r${k >> 4}/f${k & 15}/:id`;
    spans.push({
      traceId: (k + 1).toString(16).padStart(32, '0'),
      spanId: (k + 1).toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: `GET ${route}`,
      kind: 2,
      startMs: 0,
      durationMs: 1 + (k % 400),
      error: k % 50 === 0,
      statusMessage: '',
      resource,
      code: { function: '', namespace: '', file: '', line: 0, column: 0, stacktrace: '' },
      httpRoute: route,
      httpMethod: 'GET',
      exceptions: [],
      peer: '',
    });
    locations.push({ file: `src/module${k >> 4}.js`, line: 1 + (k & 15) * 10, function: `handler${k}`, mappedBy: 'code-attributes', confidence: 1 });
  }
  return { spans, locations };
}

/**
 * Nanoseconds of store time per span, cycling over the keys; `mapped` false files every span
 * unmapped; `roomy` raises the caps above the keys, so every key has a row (the within-caps cost of
 * the same working set).
 */
function measure(keys: number, mapped: boolean, roomy = false): { ns: number; store: SignalStore } {
  const { spans, locations } = spansFor(keys);
  const store = new SignalStore(roomy ? { maxOperations: keys, maxLocations: keys, maxUnmapped: keys } : {});
  const now = Date.now();
  for (const s of spans) s.startMs = now - 30_000;
  // Warm-up: one pass over every key (and the JIT), not timed.
  for (let i = 0; i < Math.min(keys, SPANS); i++) store.recordSpan(spans[i], mapped ? locations[i] : null, 'no code attributes');
  const start = process.hrtime.bigint();
  for (let i = 0; i < SPANS; i++) {
    const k = (i * STRIDE) % keys;
    store.recordSpan(spans[k], mapped ? locations[k] : null, 'no code attributes');
  }
  return { ns: Number(process.hrtime.bigint() - start) / SPANS, store };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

console.log(`Store time per span, ${SPANS.toLocaleString('en-US')} spans per run, median of ${ROUNDS} runs (Node ${process.version})\n`);
console.log(
  '| distinct keys | mapped: ns/span | ÷ smallest | caps raised to fit: ns/span | capped ÷ raised | unmapped: ns/span | ÷ smallest | rows held (ops / locations / unmapped) | evicted (mapped run) | refused a row (mapped run) |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
let base: { mapped: number; unmapped: number; roomy: number } | undefined;
for (const keys of KEYS) {
  const mapped: number[] = [];
  const roomy: number[] = [];
  const unmapped: number[] = [];
  let last: SignalStore | undefined;
  let lastUnmapped: SignalStore | undefined;
  for (let r = 0; r < ROUNDS; r++) {
    const m = measure(keys, true);
    mapped.push(m.ns);
    last = m.store;
    const u = measure(keys, false);
    unmapped.push(u.ns);
    lastUnmapped = u.store;
    roomy.push(measure(keys, true, true).ns);
  }
  const row = { mapped: median(mapped), unmapped: median(unmapped), roomy: median(roomy) };
  base ??= row;
  const sizes = last!.sizes();
  const evicted = last!.evicted();
  const past = last!.pastCaps();
  console.log(
    `| ${keys.toLocaleString('en-US')} | ${row.mapped.toFixed(0)} | ${(row.mapped / base.mapped).toFixed(2)}× | ${row.roomy.toFixed(0)} | ${(row.mapped / row.roomy).toFixed(2)}× | ${row.unmapped.toFixed(0)} | ${(row.unmapped / base.unmapped).toFixed(2)}× | ` +
      `${sizes.operations.toLocaleString('en-US')} / ${sizes.locations.toLocaleString('en-US')} / ${lastUnmapped!.sizes().unmapped.toLocaleString('en-US')} | ${(evicted.operations + evicted.locations).toLocaleString('en-US')} | ${((past?.operations ?? 0) + (past?.locations ?? 0)).toLocaleString('en-US')} |`,
  );
}
