/**
 * Valid OTLP trace and log exports as plain data, for the receiver fuzzer: the JSON and protobuf
 * builders (fuzzJsonTree.ts, fuzzProtoTree.ts) encode the same model, then mutate the encoding.
 * Every span and log record gets an id, so the fuzzer can tell which ones a mutation may have spoiled.
 */
import type { SeededRandom } from './seededRandom';

/** An attribute value with its OTLP AnyValue kind. */
export type ModelValue = { kind: 'string'; v: string } | { kind: 'int'; v: number } | { kind: 'double'; v: number } | { kind: 'bool'; v: boolean };

/** A KeyValue. */
export interface ModelAttr {
  key: string;
  value: ModelValue;
}

/** A span event (an exception when named so). */
export interface ModelEvent {
  name: string;
  timeNs: bigint;
  attributes: ModelAttr[];
}

/** One span. */
export interface ModelSpan {
  id: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: ModelAttr[];
  events: ModelEvent[];
  status: { code: number; message: string };
}

/** One log record. */
export interface ModelLog {
  id: number;
  timeNs: bigint;
  severity: number;
  severityText: string;
  body: string;
  traceId: string;
  spanId: string;
  attributes: ModelAttr[];
}

/** A resource with its scopes. */
export interface ModelResource<T> {
  attributes: ModelAttr[];
  scopes: { name: string; version: string; items: T[] }[];
}

/** An export request. */
export type ModelExport = { signal: 'traces'; resources: ModelResource<ModelSpan>[] } | { signal: 'logs'; resources: ModelResource<ModelLog>[] };

/** A function in the fuzz workspace that spans can name in their code attributes. */
export interface WorkspaceFunction {
  file: string;
  name: string;
  line: number;
}

/** What the generator draws from. */
export interface ModelContext {
  rnd: SeededRandom;
  /** Absolute paths as a deployed service reports them. */
  functions: readonly WorkspaceFunction[];
  revisions: readonly string[];
  nextId: () => number;
}

const SERVICES = ['checkout', 'billing', 'search'];
const NAMES = ['GET /orders/:id', 'POST /orders', 'charge', 'SELECT orders', 'publish invoice'];

/** Attribute constructors, for brevity. */
export const str = (key: string, v: string): ModelAttr => ({ key, value: { kind: 'string', v } });
const int = (key: string, v: number): ModelAttr => ({ key, value: { kind: 'int', v } });

function resourceAttrs(ctx: ModelContext, service: string, environment: string, revision = ctx.rnd.pick(ctx.revisions)): ModelAttr[] {
  return [str('service.name', service), str('service.version', '1.0.0'), str('deployment.environment.name', environment), str('vcs.ref.head.revision', revision), str('telemetry.sdk.language', 'nodejs')];
}

function span(ctx: ModelContext, name?: string): ModelSpan {
  const { rnd } = ctx;
  const fn = rnd.pick(ctx.functions);
  const startNs = BigInt(Date.now() - rnd.int(0, 60_000)) * 1_000_000n;
  const failed = rnd.chance(0.15);
  const attributes = [str('code.function.name', fn.name), str('code.file.path', fn.file), int('code.line.number', fn.line + 1)];
  if (rnd.chance(0.5)) attributes.push(str('http.request.method', 'GET'), int('http.response.status_code', failed ? 500 : 200));
  return {
    id: ctx.nextId(),
    traceId: rnd.hex(16),
    spanId: rnd.hex(8),
    parentSpanId: rnd.chance(0.3) ? rnd.hex(8) : '',
    name: name ?? rnd.pick(NAMES),
    kind: rnd.int(0, 5),
    startNs,
    endNs: startNs + BigInt(rnd.int(1, 500_000_000)),
    attributes,
    events: failed
      ? [
          {
            name: 'exception',
            timeNs: startNs + 1000n,
            attributes: [
              str('exception.type', 'Error'),
              str('exception.message', 'upstream timed out'),
              str('exception.stacktrace', `Error: upstream timed out\n    at ${fn.name} (${fn.file}:${fn.line + 1}:5)\n    at processTicksAndRejections (node:internal/process/task_queues:95:5)`),
            ],
          },
        ]
      : [],
    status: { code: failed ? 2 : rnd.int(0, 1), message: failed ? 'failed' : '' },
  };
}

function log(ctx: ModelContext): ModelLog {
  const { rnd } = ctx;
  const fn = rnd.pick(ctx.functions);
  const severity = rnd.pick([9, 13, 17, 21]);
  return {
    id: ctx.nextId(),
    timeNs: BigInt(Date.now() - rnd.int(0, 60_000)) * 1_000_000n,
    severity,
    severityText: severity >= 17 ? 'ERROR' : 'INFO',
    body: severity >= 17 ? 'payment failed' : 'request done',
    traceId: rnd.chance(0.5) ? rnd.hex(16) : '',
    spanId: '',
    attributes: [str('code.function.name', fn.name), str('code.file.path', fn.file), int('code.line.number', fn.line + 1)],
  };
}

/** Sometimes makes the last span a client call of the first (outgoing calls are filed from such pairs). */
function withClientCall(ctx: ModelContext, spans: ModelSpan[]): ModelSpan[] {
  if (spans.length < 2 || !ctx.rnd.chance(0.5)) return spans;
  const [parent, child] = [spans[0], spans[spans.length - 1]];
  Object.assign(child, { traceId: parent.traceId, parentSpanId: parent.spanId, kind: 3, name: 'GET' });
  child.attributes = [str('http.request.method', 'GET'), str('url.full', 'http://inventory.internal:8080/api/items/7'), str('server.address', 'inventory.internal'), int('server.port', 8080)];
  return spans;
}

/** A valid export of 1-2 resources, 1-2 scopes each, 1-4 items per scope. */
export function randomExport(ctx: ModelContext, signal: 'traces' | 'logs'): ModelExport {
  const { rnd } = ctx;
  const resources = Array.from({ length: rnd.int(1, 2) }, () => ({
    attributes: resourceAttrs(ctx, rnd.pick(SERVICES), 'fuzz'),
    scopes: Array.from({ length: rnd.int(1, 2) }, () => ({ name: 'fuzz-scope', version: '1.0', items: [] as never[] })),
  }));
  if (signal === 'traces') {
    const out: ModelResource<ModelSpan>[] = resources.map((r) => ({
      ...r,
      scopes: r.scopes.map((s) => ({
        ...s,
        items: withClientCall(
          ctx,
          Array.from({ length: rnd.int(1, 4) }, () => span(ctx)),
        ),
      })),
    }));
    return { signal, resources: out };
  }
  const out: ModelResource<ModelLog>[] = resources.map((r) => ({ ...r, scopes: r.scopes.map((s) => ({ ...s, items: Array.from({ length: rnd.int(1, 4) }, () => log(ctx)) })) }));
  return { signal, resources: out };
}

/** Service and environment of the canary spans, apart from the fuzzed traffic. */
export const CANARY_SERVICE = 'fuzz-canary';

/** One well-formed span named `name`, alone in its export, in the canary service and environment. */
export function canaryExport(ctx: ModelContext, name: string): ModelExport & { signal: 'traces' } {
  const s = span(ctx, name);
  return { signal: 'traces', resources: [{ attributes: resourceAttrs(ctx, CANARY_SERVICE, CANARY_SERVICE, ctx.revisions[0]), scopes: [{ name: 'canary', version: '1', items: [s] }] }] };
}

/** Item ids of an export. */
export function itemIds(e: ModelExport): number[] {
  const ids: number[] = [];
  for (const r of e.resources) for (const s of r.scopes) for (const item of s.items) ids.push(item.id);
  return ids;
}
