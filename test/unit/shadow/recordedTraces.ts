/**
 * Real span trees for the comparator's tests: the traces the Node auto-instrumentations exported
 * in the conformance run (test/fixtures/otlp-recorded/node: Express serving the conformance app),
 * decoded as the receiver decodes them and read back through the TraceBuffer as the read API
 * serves them (TraceSpan). Server spans are mapped by route to the app's handlers as the code
 * mapper maps them (`route`, confidence 0.7); other spans stay unmapped, as in the receiver.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceSpan } from '../../../src/core/api/signals';
import { decodeTraceRequestProto } from '../../../src/core/ingest/otlpProtobuf';
import type { SpanRecord } from '../../../src/core/ingest/records';
import type { CodeLocation } from '../../../src/core/mapping/codeLocation';
import { TraceBuffer } from '../../../src/core/signals/traceBuffer';
import { repoRoot } from '../../support/harness';

/** The conformance app's handlers (test/fixtures/conformance/node-express/src/routes.ts). */
export const HANDLERS: ReadonlyMap<string, { file: string; line: number; function: string }> = new Map([
  ['/price/:item', { file: 'src/routes.ts', line: 7, function: 'price' }],
  ['/inventory/:sku', { file: 'src/routes.ts', line: 16, function: 'inventory' }],
  ['/quote', { file: 'src/routes.ts', line: 26, function: 'quote' }],
  ['/slow', { file: 'src/routes.ts', line: 41, function: 'GET /slow handler' }],
]);

/** Every recorded trace, by root span name (`GET /quote`), each as the read API returns it. */
export function recordedNodeTraces(): Map<string, TraceSpan[][]> {
  const file = join(repoRoot, 'test', 'fixtures', 'otlp-recorded', 'node', 'export.jsonl');
  const buffer = new TraceBuffer();
  const traceIds = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const r = JSON.parse(line) as { path: string; bodyBase64: string };
    if (r.path !== '/v1/traces') continue;
    for (const s of decodeTraceRequestProto(Buffer.from(r.bodyBase64, 'base64')).spans) {
      traceIds.add(s.traceId);
      buffer.record(s, locationOf(s));
    }
  }
  const out = new Map<string, TraceSpan[][]>();
  for (const id of traceIds) {
    const spans = buffer.get(id) ?? [];
    const root = spans.find((s) => s.parentSpanId === '');
    if (root === undefined) continue;
    const list = out.get(root.name) ?? [];
    list.push(spans);
    out.set(root.name, list);
  }
  return out;
}

function locationOf(s: SpanRecord): CodeLocation | null {
  if (s.kind !== 2) return null;
  const h = HANDLERS.get(s.httpRoute);
  return h === undefined ? null : { ...h, mappedBy: 'route', confidence: 0.7 };
}
