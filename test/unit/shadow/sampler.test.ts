import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldIds, routeKey, sample } from '../../../src/core/shadow/sampler';
import type { ShadowRequest } from '../../../src/core/shadow/shadowRequest';

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

/**
 * A morning of a shop's traffic as its HTTP server spans describe it: some records with a route
 * template (instrumented frameworks), others only with a path (proxies, HAR), ids of every kind,
 * a few 5xx and transport errors, and a long latency tail.
 */
function traffic(): ShadowRequest[] {
  const out: ShadowRequest[] = [];
  const uuids = ['3f2504e0-4f89-11d3-9a0c-0305e82c3301', '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d', 'c56a4180-65aa-42ec-a945-5fd21dec0538'];
  const oids = ['507f1f77bcf86cd799439011', '5f43a1b2c3d4e5f6a7b8c9d0'];
  for (let i = 0; i < 120; i++) {
    const at = T0 + i * 750;
    const kind = i % 6;
    const base = { id: `trace:${i.toString(16).padStart(32, '0')}`, origin: 'trace' as const, headers: [], timeMs: at };
    if (kind === 0) out.push({ ...base, method: 'GET', target: `/api/orders/${1000 + i}?expand=items`, route: '', recorded: { status: 200, durationMs: 20 + (i % 7) } });
    else if (kind === 1) out.push({ ...base, method: 'GET', target: `/api/products/${uuids[i % 3]}`, route: '', recorded: { status: 200, durationMs: 12 + (i % 5) } });
    else if (kind === 2) out.push({ ...base, method: 'GET', target: `/api/users/${oids[i % 2]}/cart`, route: '', recorded: { status: i === 38 ? 503 : 200, durationMs: 40 } });
    else if (kind === 3) out.push({ ...base, method: 'POST', target: '/api/quotes', route: '/api/quotes', body: '{"sku":"A-1"}', recorded: { status: 201, durationMs: 80 + i } });
    else if (kind === 4) out.push({ ...base, method: 'GET', target: `/api/quotes/${i}`, route: '/api/quotes/:id', recorded: { status: i === 64 ? 0 : 200, durationMs: i === 64 ? 30000 : 15 } });
    else out.push({ ...base, method: 'GET', target: '/healthz', route: '', recorded: { status: 200, durationMs: 1 } });
  }
  return out;
}

test('ids in paths fold into one route: numbers, UUIDs, hex ids and redaction tokens, not words', () => {
  assert.equal(foldIds('/api/orders/1042'), '/api/orders/:id');
  assert.equal(foldIds('/api/products/3F2504E0-4F89-11D3-9A0C-0305E82C3301/reviews'), '/api/products/:id/reviews');
  assert.equal(foldIds('/api/users/507f1f77bcf86cd799439011/cart'), '/api/users/:id/cart');
  assert.equal(foldIds('/u/REDACTED-1a2b3c4d/prefs'), '/u/:id/prefs');
  assert.equal(foldIds('/v2/facade/deadbeefcafe/abc1234'), '/v2/facade/deadbeefcafe/abc1234', 'hex words without a digit, and short hex, stay');
  const r = traffic();
  assert.deepEqual([...new Set(r.map(routeKey))].sort(), ['GET /api/orders/:id', 'GET /api/products/:id', 'GET /api/quotes/:id', 'GET /api/users/:id/cart', 'GET /healthz', 'POST /api/quotes']);
});

test('every route is covered before any route gets a second request', () => {
  const requests = traffic();
  const sizes = new Map<string, number>();
  for (const r of requests) sizes.set(routeKey(r), (sizes.get(routeKey(r)) ?? 0) + 1);
  for (let budget = 0; budget <= requests.length; budget += 1) {
    const { picked, over } = sample(requests, { budget, seed: 7 });
    assert.equal(picked.length, Math.min(budget, requests.length));
    assert.equal(picked.length + over.length, requests.length);
    const counts = new Map<string, number>();
    for (const r of picked) counts.set(routeKey(r), (counts.get(routeKey(r)) ?? 0) + 1);
    const most = Math.max(0, ...counts.values());
    for (const [route, size] of sizes) assert.ok((counts.get(route) ?? 0) >= Math.min(most - 1, size), `budget ${budget}: ${route} behind`);
  }
});

test('within a route: touching changed code first, then failing (slowest first), then the slowest, then the rest', () => {
  const requests = traffic().filter((r) => routeKey(r) === 'GET /api/orders/:id');
  const touching = new Set([requests[9].id]);
  const failed = [
    { ...requests[3], recorded: { status: 500, durationMs: 90 } },
    { ...requests[5], recorded: { status: 0, durationMs: 400 } },
  ];
  const slow = { ...requests[11], recorded: { status: 200, durationMs: 350 } };
  const mixed = requests.map((r) => failed.find((f) => f.id === r.id) ?? (r.id === slow.id ? slow : r));
  const { picked } = sample(mixed, { budget: 4, seed: 3, touchesChanged: (r) => touching.has(r.id) });
  assert.deepEqual(new Set(picked.map((r) => r.id)), new Set([requests[9].id, failed[0].id, failed[1].id, slow.id]));
  const three = sample(mixed, { budget: 3, seed: 3, touchesChanged: (r) => touching.has(r.id) }).picked.map((r) => r.id);
  assert.deepEqual(new Set(three), new Set([requests[9].id, failed[0].id, failed[1].id]), 'the slowest non-failing request comes after the failures');
  const two = sample(mixed, { budget: 2, seed: 3, touchesChanged: (r) => touching.has(r.id) }).picked.map((r) => r.id);
  assert.deepEqual(new Set(two), new Set([requests[9].id, failed[1].id]), 'of the failures, the slowest first');
});

test('with fewer slots than routes, routes offering changed code, then failures, go first', () => {
  const requests = traffic();
  const touching = requests.find((r) => routeKey(r) === 'GET /healthz')!;
  const { picked } = sample(requests, { budget: 3, seed: 11, touchesChanged: (r) => r.id === touching.id });
  const ids = picked.map((r) => r.id);
  assert.ok(ids.includes(touching.id));
  assert.ok(ids.includes(requests[64].id), 'the transport error (status 0) of GET /api/quotes/:id');
  assert.ok(ids.includes(requests[38].id), 'the 503 of GET /api/users/:id/cart');
});

test('deterministic for a seed; another seed picks other ordinary requests', () => {
  const requests = traffic();
  const a = sample(requests, { budget: 30, seed: 42 });
  const b = sample(structuredClone(requests), { budget: 30, seed: 42 });
  assert.deepEqual(a, b);
  const c = sample(requests, { budget: 30, seed: 43 });
  assert.notDeepEqual(
    a.picked.map((r) => r.id),
    c.picked.map((r) => r.id),
  );
  assert.deepEqual(sample(requests, { budget: 30 }), sample(requests, { budget: 30, seed: 0 }));
});

test('picked keep the recorded order by time; the rest are over-budget in the order read', () => {
  const requests = traffic().reverse(); // read newest first
  const { picked, over } = sample(requests, { budget: 20, seed: 5 });
  for (let i = 1; i < picked.length; i++) assert.ok(picked[i - 1].timeMs! <= picked[i].timeMs!);
  const overIndexes = over.map((o) => requests.findIndex((r) => r.id === o.id));
  assert.deepEqual(
    overIndexes,
    [...overIndexes].sort((x, y) => x - y),
  );
  assert.ok(over.every((o) => o.reason === 'over-budget' && o.detail.startsWith('budget of 20 requests spent (route ')));
  // Without times (some readers have none), the order read is kept.
  const untimed = requests.map(({ timeMs: _t, ...r }) => r);
  const ids = sample(untimed, { budget: 20, seed: 5 }).picked.map((r) => untimed.findIndex((u) => u.id === r.id));
  assert.deepEqual(
    ids,
    [...ids].sort((x, y) => x - y),
  );
});

test('odd budgets: zero, negative, NaN and fractions pick nothing or round down; infinity takes all', () => {
  const requests = traffic();
  assert.equal(sample(requests, { budget: 0 }).picked.length, 0);
  assert.equal(sample(requests, { budget: -5 }).picked.length, 0);
  assert.equal(sample(requests, { budget: Number.NaN }).over.length, requests.length);
  assert.equal(sample(requests, { budget: 6.9 }).picked.length, 6);
  assert.equal(sample(requests, { budget: Number.POSITIVE_INFINITY }).picked.length, requests.length);
  assert.deepEqual(sample([], { budget: 10 }), { picked: [], over: [] });
});
