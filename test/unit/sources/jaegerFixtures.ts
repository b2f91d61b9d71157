/**
 * The recorded answers of a real Jaeger v2 (module v1.75.0; test/fixtures/backends/jaeger, recorded
 * by the fixture recorder from the sample traffic of test/support/backendSample.ts), and a temp
 * workspace holding the file those spans name (`/app/src/orders.ts` in production).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'backends', 'jaeger');

/** A recorded answer, parsed afresh (stores normalize answers in place). */
export function recorded(name: 'services' | 'operations' | 'operations-server' | 'traces-search' | 'trace-by-id' | 'trace-not-found' | 'traces-search-no-num-traces'): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** The recorded text of an answer, byte for byte. */
export function recordedText(name: string): string {
  return readFileSync(path.join(DIR, `${name}.json`), 'utf8');
}

/** The trace id whose POST /orders failed, as the recorder noted it. */
export const ERROR_TRACE_ID = (JSON.parse(readFileSync(path.join(DIR, '..', 'versions.json'), 'utf8')) as { errorTraceId: string }).errorTraceId;

/** Unix ms just after the last span of the recorded search: "now" for windows over the recording. */
export function recordingEndMs(): number {
  let end = 0;
  for (const span of spansOf(recorded('traces-search'))) end = Math.max(end, Number(BigInt(span.endTimeUnixNano as string) / 1_000_000n));
  return end + 1_000;
}

/** The spans of a `{ result: { resourceSpans } }` answer (for tests that reshape a recording). */
export function spansOf(answer: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const result = answer.result as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
  for (const r of result.resourceSpans) for (const s of r.scopeSpans) out.push(...s.spans);
  return out;
}

/** The sample's functions on the lines its spans report (getOrder 12, loadOrder 30, createOrder 45, its throw 47). */
const ORDERS_TS = [
  ...Array.from({ length: 10 }, (_, i) => `// orders service, line ${i + 1}`),
  'export function getOrder(id: string) {',
  '  return loadOrder(id);',
  '}',
  ...Array.from({ length: 15 }, (_, i) => `// line ${i + 14}`),
  'export function loadOrder(id: string) {',
  '  return { id };',
  '}',
  ...Array.from({ length: 12 }, (_, i) => `// line ${i + 32}`),
  'export function createOrder(order: { card?: string }) {',
  '  const card = order.card;',
  "  if (!card) throw new TypeError('card declined');",
  '  return order;',
  '}',
  '',
].join('\n');

/** A workspace with src/orders.ts, a mapper over it, and its removal. */
export async function ordersWorkspace(): Promise<{ root: string; mapper: CodeMapper; remove(): void }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-jaeger-unit-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src', 'orders.ts'), ORDERS_TS);
  const { index } = await WorkspaceIndex.build(root);
  return { root, mapper: new CodeMapper(index), remove: () => rmSync(root, { recursive: true, force: true }) };
}
