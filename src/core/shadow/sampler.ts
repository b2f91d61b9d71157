/**
 * Picks which requests a shadow run replays within its budget. Every route gets one request before
 * any route gets a second, so a budget smaller than the traffic still covers the service. Within a
 * route, the requests most likely to show a regression come first: those whose production trace ran
 * through changed functions, then the failing ones, then the slowest; the rest follow in a seeded
 * shuffle, so two runs with one seed pick the same requests.
 */
import type { ShadowRequest, SkippedRequest } from './shadowRequest';

/** How to sample. */
export interface SampleOptions {
  /** How many requests to replay at most. */
  budget: number;
  /** Seed of the shuffle (default 0): the same seed and traffic give the same pick. */
  seed?: number;
  /** Whether the request's production trace ran through a function changed versus the base ref. */
  touchesChanged?: (r: ShadowRequest) => boolean;
}

/** The requests to replay (in recorded order) and those left out ('over-budget'). */
export interface SampleResult {
  picked: ShadowRequest[];
  over: SkippedRequest[];
}

/** Priority within a route; lower goes first. */
const Rank = { TouchesChanged: 0, Failing: 1, Slowest: 2, Rest: 3 } as const;
type Rank = (typeof Rank)[keyof typeof Rank];

interface Item {
  r: ShadowRequest;
  index: number;
  touches: boolean;
  rank: Rank;
}

/** Samples `requests` within the budget, stratified by route (see the file comment for the order). */
export function sample(requests: ShadowRequest[], options: SampleOptions): SampleResult {
  const budget = Number.isNaN(options.budget) ? 0 : Math.max(0, Math.floor(options.budget));
  const random = mulberry32(options.seed ?? 0);
  const byRoute = new Map<string, Item[]>();
  requests.forEach((r, index) => {
    const key = routeKey(r);
    const item: Item = { r, index, touches: options.touchesChanged ? options.touchesChanged(r) : false, rank: Rank.Rest };
    const list = byRoute.get(key);
    if (list) list.push(item);
    else byRoute.set(key, [item]);
  });
  const routes = shuffle([...byRoute.keys()].sort(), random);
  const queues = routes.map((key) => orderRoute(byRoute.get(key)!, random));

  const chosen: Item[] = [];
  let active = queues.map((q, order) => ({ q, order }));
  for (let round = 0; active.length > 0 && chosen.length < budget; round++) {
    active = active.filter((a) => round < a.q.length);
    // Within a round, a route offering a request that touches changed code goes before one offering a failure, and so on.
    const offers = active.map(({ q, order }) => ({ item: q[round], order }));
    offers.sort((a, b) => a.item.rank - b.item.rank || a.order - b.order);
    for (const { item } of offers) {
      if (chosen.length >= budget) break;
      chosen.push(item);
    }
  }

  const taken = new Set(chosen.map((c) => c.index));
  const over: SkippedRequest[] = [];
  requests.forEach((r, index) => {
    if (!taken.has(index)) over.push({ id: r.id, reason: 'over-budget', detail: `budget of ${budget} requests spent (route ${routeKey(r)})` });
  });
  return { picked: recordedOrder(chosen).map((c) => c.r), over };
}

/** The route a request counts under: its method and route template, else its path with ids folded. */
export function routeKey(r: ShadowRequest): string {
  const method = r.method.toUpperCase();
  if (r.route) return `${method} ${r.route}`;
  const end = r.target.search(/[?#]/);
  const path = end === -1 ? r.target : r.target.slice(0, end);
  return `${method} ${foldIds(path)}`;
}

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Hex ids (object ids, hashes): 8 or more hex digits with at least one digit, so a word such as `facade` stays. */
const HEX_ID = /^(?=[^0-9]*[0-9])[0-9a-f]{8,}$/i;
/** A value the sanitizer replaced: two customers' e-mails in a path are one route. */
const REDACTED = /^REDACTED-[0-9a-f]{8}$/;

/** Replaces path segments that are ids (numbers, UUIDs, hex ids, redaction tokens) with `:id`. */
export function foldIds(path: string): string {
  return path
    .split('/')
    .map((seg) => (NUMBER.test(seg) || UUID.test(seg) || HEX_ID.test(seg) || REDACTED.test(seg) ? ':id' : seg))
    .join('/');
}

/** One route's requests in the order they are offered, each marked with why it is there. */
function orderRoute(items: Item[], random: () => number): Item[] {
  const mixed = shuffle(items, random);
  const failing = (i: Item): boolean => isFailing(i.r);
  const slower = (a: Item, b: Item): number => duration(b) - duration(a);
  const touches = mixed.filter((i) => i.touches).sort((a, b) => Number(failing(b)) - Number(failing(a)) || slower(a, b));
  const fails = mixed.filter((i) => !i.touches && failing(i)).sort(slower);
  const rest = mixed.filter((i) => !i.touches && !failing(i));
  const slowest = rest.reduce<Item | undefined>((best, i) => (i.r.recorded.durationMs !== undefined && (!best || duration(i) > duration(best)) ? i : best), undefined);
  const ordered: Item[] = [];
  for (const i of touches) ordered.push({ ...i, rank: Rank.TouchesChanged });
  for (const i of fails) ordered.push({ ...i, rank: Rank.Failing });
  if (slowest) ordered.push({ ...slowest, rank: Rank.Slowest });
  for (const i of rest) if (i !== slowest) ordered.push({ ...i, rank: Rank.Rest });
  return ordered;
}

/** A 5xx answer, or status 0: no answer at all (HAR's mark of a transport error). */
function isFailing(r: ShadowRequest): boolean {
  const s = r.recorded.status;
  return s !== undefined && (s >= 500 || s === 0);
}

function duration(i: Item): number {
  const d = i.r.recorded.durationMs;
  return d !== undefined && Number.isFinite(d) ? d : Number.NEGATIVE_INFINITY;
}

/** By recorded time when every pick has one (the replayer keeps the gaps), else in the order read. */
function recordedOrder(items: Item[]): Item[] {
  const timed = items.every((i) => i.r.timeMs !== undefined && Number.isFinite(i.r.timeMs));
  return [...items].sort((a, b) => (timed ? a.r.timeMs! - b.r.timeMs! : 0) || a.index - b.index);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A small seeded generator: the pick must repeat for a seed, and Math.random cannot be seeded. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
