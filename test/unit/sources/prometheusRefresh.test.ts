// How often PrometheusSource asks: many readers (5 files x 3 windows, the panel's top N, an
// environment) over simulated minutes against a loopback fake Prometheus serving real recorded
// answers. Requests are counted, not timed: at most the budget (6) in any minute on the timer, no more
// for many queries than for one, detection once, a newly opened file answered after one request
// (rounds for new files may spend the budget once per open file),
// exact figures throughout, and a source held back by its budget never reported stale.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { PrometheusSource } from '../../../src/core/sources/prometheus/prometheusSource';
import { CircuitBreaker } from '../../../src/core/sources/remote/circuitBreaker';
import { RemoteTransport } from '../../../src/core/sources/remote/transport';
import { parseSignalsQuery, type SignalsQuery } from '../../../src/core/sources/telemetrySource';
import { recordedProm, startFakePrometheus, type FakePrometheus, type FakeRequest } from './prometheusFake';

const ORDERS = 'src/orders.ts';
const STOCK = 'src/stock.ts';
const FILES = [ORDERS, 'src/cart.ts', 'src/users.ts', 'src/billing.ts', 'src/search.ts'];
const WINDOWS = ['5m', '15m', '1h'];
const MINUTE = 60_000;
/** Two sample batches were recorded (test/fixtures/backends/prometheus/README.md). */
const COUNTS = { getOrder: 6, loadOrder: 6, createOrder: 2, reserveStock: 2 };

let root: string;
let mapper: CodeMapper;
let fake: FakePrometheus;
let clock = Date.parse('2026-12-05T04:30:00Z');
const now = () => clock;

const q = (window: string, over: Partial<SignalsQuery> = {}): SignalsQuery => ({ ...parseSignalsQuery(new URLSearchParams({ window }), window), ...over });
const newSource = () => {
  // The breaker's cool-down on the simulated clock too, so a recovery is seen in simulated minutes.
  const transport = new RemoteTransport({ name: 'prometheus (fake)', baseUrl: fake.url, retries: 0 }, undefined, new CircuitBreaker(3, 5_000, 60_000, now));
  return new PrometheusSource({ name: 'prometheus (fake)', remote: { baseUrl: fake.url }, transport, refreshMs: 5_000, mapper, now, autoStart: false, environment: 'production' });
};

/** Every reader of a busy editor: each file in each window and (unless `panel` is false) the panel's top N per window, one environment. */
const manyQueries = (files: readonly string[], panel = true): SignalsQuery[] => [
  ...WINDOWS.flatMap((w) => files.map((file) => q(w, { file }))),
  ...(panel ? [...WINDOWS.map((w) => q(w, { top: 20 })), q('5m', { top: 10, environment: 'production' })] : []),
];

/** Most requests in any 60 s of the source's clock. */
function busiestMinute(requests: readonly FakeRequest[]): number {
  let most = 0;
  for (const r of requests) most = Math.max(most, requests.filter((o) => o.at > r.at - MINUTE && o.at <= r.at).length);
  return most;
}

/** A second of an editor: every query asked, then the timer's round. */
async function second(source: PrometheusSource, queries: readonly SignalsQuery[]): Promise<SignalsResponse[]> {
  const answers = await Promise.all(queries.map((query) => source.signals(query)));
  await source.pull();
  clock += 1_000;
  return answers;
}

const fn = (a: SignalsResponse, name: string) => a.functions.find((f) => f.function === name);

before(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'rl-prom-refresh-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, ORDERS), 'export function getOrder(id) {\n  return loadOrder(id);\n}\n\nexport function loadOrder(id) {\n  return { id };\n}\n\nexport function createOrder(body) {\n  return body;\n}\n');
  writeFileSync(path.join(root, STOCK), 'export function reserveStock(sku) {\n  return sku;\n}\n');
  mapper = new CodeMapper((await WorkspaceIndex.build(root)).index);
  fake = await startFakePrometheus(now);
});

after(async () => {
  await fake?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('PrometheusSource refresh rounds', () => {
  it('asks at most 6 times a minute however many files, windows and panels read it, with exact figures', async () => {
    const source = newSource();
    const start = fake.requests.length;
    const p95 = (JSON.parse(recordedProm('query-histogram-quantile')) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }).data.result.find(
      (r) => r.metric.code_function_name === 'getOrder',
    )!;
    for (let s = 0; s < 5 * 60; s++) {
      const answers = await second(source, manyQueries(FILES));
      const orders = answers[0];
      assert.deepEqual(
        orders.functions.map((f) => [f.function, f.count, f.errors]).sort(),
        [
          ['createOrder', COUNTS.createOrder, COUNTS.createOrder],
          ['getOrder', COUNTS.getOrder, 0],
          ['loadOrder', COUNTS.loadOrder, 0],
        ],
        `second ${s}: orders.ts in 5m`,
      );
      assert.ok(Math.abs(fn(orders, 'getOrder')!.p95Ms - Number(p95.value[1])) < 1e-9, "p95 is the recorded Prometheus' histogram_quantile");
      assert.equal(fn(orders, 'getOrder')!.figures?.traffic.basis, 'metrics');
      assert.equal(answers[1].functions.length, 0, 'a file without series has no rows');
      assert.equal(fn(answers[FILES.length * WINDOWS.length], 'reserveStock')?.count, COUNTS.reserveStock, "the panel's top N holds every function");
      // Held back by its budget, the source is as fresh as its schedule allows: never stale.
      assert.equal(source.status().state, 'ok', `second ${s}`);
      assert.notEqual(fn(orders, 'getOrder')!.figures?.traffic.stale, true);
    }
    const asked = fake.requests.slice(start);
    assert.ok(busiestMinute(asked) <= 6, `${busiestMinute(asked)} requests in one minute`);
    assert.equal(asked.filter((r) => r.path !== '/api/v1/query').length, 2, 'detection asks its two look-ups once');
    assert.ok(asked.length >= 5 * 4, `the figures were refreshed all along (${asked.length} requests in 5 minutes)`);
    assert.ok(
      asked.filter((r) => r.path === '/api/v1/query').every((r) => r.method === 'POST'),
      'a round this long goes as a form body, not in the URL',
    );
    await source.dispose();
  });

  it('asks no more for many queries than for one', async () => {
    const count = async (queries: SignalsQuery[]) => {
      const source = newSource();
      const start = fake.requests.length;
      for (let s = 0; s < 3 * 60; s++) await second(source, queries);
      await source.dispose();
      return fake.requests.length - start;
    };
    const one = await count([q('5m', { file: ORDERS })]);
    assert.equal(fake.requests.at(-1)?.method, 'GET', 'a short round goes in the URL');
    const many = await count(manyQueries(FILES));
    assert.ok(many <= one, `${many} requests for ${manyQueries(FILES).length} queries, ${one} for one`);
  });

  it('answers files opened one after another at once, one request each, within 6 requests a minute per open file', async () => {
    // Files only: no panel whose top N would hold every group already.
    const source = newSource();
    const start = fake.requests.length;
    for (let s = 0; s < 2 * 60; s++) await second(source, manyQueries(FILES, false));
    const open = [...FILES];
    for (const file of [STOCK, ORDERS, STOCK]) {
      // A new file, then windows no round asked yet: each a new thing to cover.
      const window = file === ORDERS ? '30m' : open.includes(STOCK) ? '2h' : '5m';
      const before = fake.requests.length;
      const answer = await source.signals(q(window, { file }));
      assert.equal(fake.requests.length - before, 1, `one request for ${file} in ${window}`);
      const expected =
        file === STOCK
          ? [['reserveStock', COUNTS.reserveStock]]
          : [
              ['createOrder', 2],
              ['getOrder', 6],
              ['loadOrder', 6],
            ];
      assert.deepEqual(answer.functions.map((f) => [f.function, f.count]).sort(), expected, `${file} in ${window}, answered at once`);
      if (!open.includes(file)) open.push(file);
    }
    const busiest = busiestMinute(fake.requests.slice(start));
    assert.ok(busiest > 6 && busiest <= 6 * open.length, `${busiest} requests in the busiest minute with ${open.length} files open`);
    await source.dispose();
  });

  it('with one file open, covers a second new window by the next round the budget allows, and tells listeners', async () => {
    const source = newSource();
    const start = fake.requests.length;
    for (let s = 0; s < 2 * 60; s++) await second(source, [q('5m', { file: ORDERS })]);
    const before = fake.requests.length;
    const first30m = await source.signals(q('30m', { file: ORDERS }));
    assert.equal(fake.requests.length - before, 1, 'the reserve the timer left answers one new window at once');
    assert.equal(fn(first30m, 'getOrder')?.count, COUNTS.getOrder);
    let told = 0;
    const sub = source.onChange(() => told++);
    const first = await source.signals(q('1h', { file: ORDERS }));
    assert.equal(first.functions.length, 0, 'no budget left this minute: nothing yet');
    let seconds = 0;
    let answer = first;
    while (fn(answer, 'getOrder') === undefined) {
      assert.ok(seconds++ < 60, 'the 1h window was covered within a minute');
      await second(source, [q('5m', { file: ORDERS }), q('30m', { file: ORDERS }), q('1h', { file: ORDERS })]);
      answer = await source.signals(q('1h', { file: ORDERS }));
    }
    assert.equal(fn(answer, 'getOrder')!.count, COUNTS.getOrder);
    assert.ok(told > 0, 'listeners were told when the new window arrived');
    assert.ok(busiestMinute(fake.requests.slice(start)) <= 6);
    sub.dispose();
    await source.dispose();
  });

  it("asks nothing for a newly opened file when the panel's top N held every group there is", async () => {
    const source = newSource();
    for (let s = 0; s < 30; s++) await second(source, manyQueries(FILES));
    const before = fake.requests.length;
    const stock = await source.signals(q('15m', { file: STOCK }));
    assert.equal(fake.requests.length, before, 'topk answered fewer groups than it asked for: that was all of them');
    assert.deepEqual(
      stock.functions.map((f) => [f.function, f.count]),
      [['reserveStock', COUNTS.reserveStock]],
    );
    await source.dispose();
  });

  it('asks again at the refresh interval until Prometheus holds any series (spans not scraped yet)', async () => {
    const source = newSource();
    fake.empty = true;
    const start = fake.requests.length;
    const first = await source.signals(q('5m', { top: 20 }));
    assert.equal(first.functions.length, 0);
    const asked = fake.requests.length;
    assert.equal((await source.signals(q('5m', { top: 20 }))).functions.length, 0);
    assert.equal(fake.requests.length, asked, 'within the refresh interval the empty answer stands');
    fake.empty = false;
    clock += 5_001;
    const later = await source.signals(q('5m', { top: 20 }));
    assert.equal(fn(later, 'getOrder')?.count, COUNTS.getOrder, 'the next query after the refresh interval asks again');
    assert.equal(fake.requests.length, asked + 1);
    assert.ok(busiestMinute(fake.requests.slice(start)) <= 6);
    await source.dispose();
  });

  it('keeps the last figures, marked stale, while Prometheus fails, within the same budget, and recovers', async () => {
    const source = newSource();
    for (let s = 0; s < 30; s++) await second(source, manyQueries(FILES));
    const start = fake.requests.length;
    fake.failing = true;
    let answer: SignalsResponse | undefined;
    for (let s = 0; s < 2 * 60; s++) [answer] = await second(source, manyQueries(FILES));
    assert.notEqual(source.status().state, 'ok');
    assert.equal(fn(answer!, 'getOrder')?.count, COUNTS.getOrder, 'figures kept, not dropped');
    assert.equal(fn(answer!, 'getOrder')?.figures?.traffic.stale, true);
    assert.ok((fn(answer!, 'getOrder')?.figures?.traffic.ageMs ?? 0) > MINUTE);
    assert.ok(busiestMinute(fake.requests.slice(start)) <= 6, 'a failing Prometheus is not asked more often');
    fake.failing = false;
    for (let s = 0; s < 60 && source.status().state !== 'ok'; s++) [answer] = await second(source, manyQueries(FILES));
    assert.equal(source.status().state, 'ok');
    [answer] = await second(source, manyQueries(FILES));
    assert.equal(fn(answer, 'getOrder')?.figures?.traffic.stale, undefined);
    await source.dispose();
  });

  it('waits for the workspace index before its first answer, so the first rows are tied to code', async () => {
    let indexed!: () => void;
    const ready = new Promise<void>((r) => (indexed = r));
    const transport = new RemoteTransport({ name: 'prometheus (fake)', baseUrl: fake.url, retries: 0 }, undefined, new CircuitBreaker(3, 5_000, 60_000, now));
    const source = new PrometheusSource({ name: 'prometheus (fake)', remote: { baseUrl: fake.url }, transport, refreshMs: 5_000, mapper, now, autoStart: false, environment: 'production', ready });
    let settled = false;
    const pending = source.signals(q('5m', { file: ORDERS })).then((a) => {
      settled = true;
      return a;
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(settled, false, 'answered before the index was ready');
    indexed();
    assert.equal(fn(await pending, 'getOrder')?.count, COUNTS.getOrder);
    await source.dispose();
  });
});
