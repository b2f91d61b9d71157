/**
 * A simulated run of the conformance app (test/fixtures/conformance/node-express): its routes,
 * answered by a baseline build and by a candidate with regressions planted on purpose, with noisy
 * fields (request ids, timestamps, etags, a set returned in random order, a flag that flips now
 * and then, a cache that misses now and then, a downstream that fails 1% of the time). Span trees
 * have the shape the Node auto-instrumentations recorded in test/fixtures/otlp-recorded/node: a
 * server span `GET /price/:item` (kind 2, mapped by route), Express `middleware - query`,
 * `middleware - expressInit` and `request handler - /price/:item` spans (kind 1, unmapped), and
 * client spans `GET` (kind 3) whose peer is the URL called. Seeded, so every run is the same.
 */
import type { TraceSpan } from '../../../src/core/api/signals';
import type { ReplayAnswer, ReplayExchange } from '../../../src/core/shadow/replayExchange';
import type { HeaderPair, ShadowRequest } from '../../../src/core/shadow/shadowRequest';
import type { FunctionPlace } from '../../../src/core/shadow/spanDigest';

/** A regression planted in the candidate. */
export type Planted = 'status' | 'removedField' | 'retypedField' | 'slower' | 'nPlusOne' | 'newCall' | 'missingCall' | 'newError';

/** Where the app's functions are (routes.ts and orders.ts of the conformance app and its orders module). */
export const PLACES = {
  price: { file: 'src/routes.ts', line: 7, function: 'price' },
  inventory: { file: 'src/routes.ts', line: 16, function: 'inventory' },
  quote: { file: 'src/routes.ts', line: 26, function: 'quote' },
  orderLines: { file: 'src/orders.ts', line: 12, function: 'orderLines' },
} as const;

/** The lines that make calls, as the workspace's call sites would resolve them (function, target, span name -> line). */
export const CALL_LINES: ReadonlyMap<string, number> = new Map([
  ['quote\u0000GET http://127.0.0.1:34957/rate', 28],
  ['quote\u0000GET http://127.0.0.1:41000/fx', 29],
  ['inventory\u0000GET http://127.0.0.1:41001/audit', 19],
  ['inventory\u0000redis-GET', 17],
  ['inventory\u0000pg.query:SELECT stock', 18],
  ['orderLines\u0000pg.query:SELECT orders', 14],
  ['orderLines\u0000pg.query:SELECT products', 17],
]);

/** The resolver the comparator gets: by function and the call span's method+peer or name. */
export function callLineOf(caller: FunctionPlace, call: TraceSpan): number | undefined {
  const what = call.name === 'GET' ? `GET ${call.peer}` : call.name;
  return CALL_LINES.get(`${caller.function}\u0000${what}`);
}

/** A seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ITEMS = ['apple', 'banana', 'cherry', 'damson'];
const SKUS = ['a1', 'b2', 'zz9'];

/** `n` exchanges of mixed routes, candidate with `planted` regressions, baseline answered twice. */
export function simulateRun(n: number, planted: readonly Planted[] = [], seed = 42): ReplayExchange[] {
  const pick = rng(seed);
  const out: ReplayExchange[] = [];
  const plant = new Set(planted);
  for (let i = 0; i < n; i++) {
    const request = makeRequest(i, pick);
    out.push({
      request,
      candidate: answer(request, plant, pick),
      baseline: answer(request, new Set(), pick),
      baseline2: answer(request, new Set(), pick),
    });
  }
  return out;
}

function makeRequest(i: number, pick: () => number): ShadowRequest {
  const r = pick();
  let target: string;
  let route: string;
  let status = 200;
  if (r < 0.3) {
    target = `/price/${ITEMS[Math.floor(pick() * ITEMS.length)]}`;
    route = '/price/:item';
  } else if (r < 0.55) {
    const sku = SKUS[Math.floor(pick() * SKUS.length)]!;
    target = `/inventory/${sku}`;
    route = '/inventory/:sku';
    if (sku === 'zz9') status = 404;
  } else if (r < 0.8) {
    target = '/quote';
    route = '/quote';
  } else {
    target = `/orders/${1000 + i}`;
    // Unknown to the traffic (a HAR entry): the server span names it.
    route = '';
  }
  return { id: `har:${i}`, origin: 'har', method: 'GET', target, route, headers: [['accept', 'application/json']], recorded: { status } };
}

let spanSeq = 0;
function spanId(): string {
  return (++spanSeq).toString(16).padStart(16, '0');
}

function span(parent: string, name: string, kind: number, durationMs: number, extra: Partial<TraceSpan> = {}): TraceSpan {
  return {
    spanId: spanId(),
    parentSpanId: parent,
    name,
    kind,
    service: 'conf-node',
    environment: 'shadow',
    startMs: 1_764_000_000_000,
    durationMs,
    error: false,
    statusMessage: '',
    httpRoute: '',
    httpMethod: '',
    exceptions: [],
    ...extra,
  };
}

function uuid(pick: () => number): string {
  const hex = (k: number): string => Array.from({ length: k }, () => Math.floor(pick() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

/** One build's answer to a request. */
function answer(request: ShadowRequest, plant: ReadonlySet<Planted>, pick: () => number): ReplayAnswer {
  const route = request.target.startsWith('/price') ? '/price/:item' : request.target.startsWith('/inventory') ? '/inventory/:sku' : request.target === '/quote' ? '/quote' : '/orders/:id';
  const place = route === '/price/:item' ? PLACES.price : route === '/inventory/:sku' ? PLACES.inventory : route === '/quote' ? PLACES.quote : PLACES.orderLines;
  const root = span('', `GET ${route}`, 2, 0, { httpRoute: route, httpMethod: 'GET', mapping: { ...place, mappedBy: 'route', confidence: 0.7 } });
  const handler = span(root.spanId, `request handler - ${route}`, 1, 0, { httpRoute: route });
  const spans: TraceSpan[] = [span(root.spanId, 'middleware - query', 1, 0.05 + pick() * 0.3), span(root.spanId, 'middleware - expressInit', 1, 0.03 + pick() * 0.1), handler];
  const call = (name: string, ms: number, peer?: string): void => {
    spans.push(span(handler.spanId, name, 3, ms, { httpMethod: name === 'GET' ? 'GET' : '', ...(peer ? { peer } : {}) }));
  };
  let work = 2 + pick() * 6;
  let status = 200;
  let body: Record<string, unknown> = {};
  if (route === '/price/:item') {
    const item = request.target.split('/')[2]!;
    if (plant.has('newError') && item === 'banana') {
      status = 500;
      body = { error: 'internal error' };
      handler.error = true;
      handler.exceptions = [{ type: 'TypeError', message: "Cannot read properties of undefined (reading 'amount')" }];
    } else {
      body = { item, price: plant.has('retypedField') ? '0.50' : 0.5, currency: 'EUR', tags: shuffle(['fresh', 'fruit', 'local'], pick), stale: pick() < 0.05 };
      if (plant.has('removedField')) delete body['currency'];
    }
  } else if (route === '/inventory/:sku') {
    const sku = request.target.split('/')[2]!;
    call('redis-GET', 0.2 + pick(), '127.0.0.1:6379');
    if (pick() < 0.03) call('pg.query:SELECT stock', 1 + pick() * 3, '127.0.0.1:5432');
    if (!plant.has('missingCall')) call('GET', 1 + pick() * 2, 'http://127.0.0.1:41001/audit');
    if (sku === 'zz9') {
      status = plant.has('status') ? 400 : 404;
      body = { sku, error: 'unknown sku' };
    } else body = { sku, stock: sku === 'a1' ? 12 : 0, checkedAt: new Date(1_764_000_000_000 + Math.floor(pick() * 1e6)).toISOString() };
  } else if (route === '/quote') {
    const flake = pick() < 0.01;
    call('GET', 3 + pick() * 5, 'http://127.0.0.1:34957/rate');
    if (plant.has('newCall')) call('GET', 2 + pick() * 2, 'http://127.0.0.1:41000/fx');
    if (plant.has('slower')) work *= 3;
    status = flake ? 502 : 200;
    body = flake ? { error: 'rate service unavailable' } : { quote: 120 };
  } else {
    call('pg.query:SELECT orders', 1 + pick(), '127.0.0.1:5432');
    if (plant.has('nPlusOne')) for (let k = 0; k < 10; k++) call('pg.query:SELECT products', 0.4 + pick() * 0.2, '127.0.0.1:5432');
    body = {
      orderId: Number(request.target.split('/')[2]),
      lines: shuffle(
        [
          { sku: 'a1', qty: 1 },
          { sku: 'b2', qty: 3 },
        ],
        pick,
      ),
      total: 2.25,
    };
  }
  const childMs = spans.filter((s) => s.parentSpanId === handler.spanId).reduce((a, s) => a + s.durationMs, 0);
  handler.durationMs = work + childMs;
  root.durationMs = handler.durationMs + 0.5 + pick();
  if (status >= 500) root.error = true;
  const full = { ...body, requestId: uuid(pick), generatedAt: new Date(1_764_000_000_000 + Math.floor(pick() * 1e9)).toISOString() };
  const text = JSON.stringify(full);
  const headers: HeaderPair[] = [
    ['X-Powered-By', 'Express'],
    ['Content-Type', 'application/json; charset=utf-8'],
    ['Content-Length', String(text.length)],
    ['ETag', `W/"${text.length.toString(16)}-${uuid(pick).slice(0, 27)}"`],
    ['Date', new Date(1_764_000_000_000 + Math.floor(pick() * 1e9)).toUTCString()],
    ['X-Request-Id', uuid(pick)],
    ['Connection', 'keep-alive'],
    ['Keep-Alive', 'timeout=5'],
  ];
  return { status, headers, body: text, durationMs: root.durationMs + 0.3 + pick(), spans: [root, ...spans] };
}

function shuffle<T>(list: T[], pick: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(pick() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
