import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { resolveQuery, SignalsCache, TOP_DEFAULT, type CacheQuery } from '../../../src/core/client/signalsCache';

function answer(count: number, file = 'src/a.ts'): SignalsResponse {
  return {
    window: '5m',
    environment: 'production',
    environments: ['production'],
    generatedAt: count,
    operations: [],
    errors: [],
    unmapped: [],
    calls: [],
    evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
    functions: [
      { service: 'shop', environment: 'production', function: 'f', file, line: 1, mappedBy: 'code-attributes', confidence: 1, exemplars: [], count, errors: 0, errorRate: 0, ratePerMin: 1, p50Ms: 1, p95Ms: 2, p99Ms: 3 },
    ],
  } as SignalsResponse;
}

/** A read API the test answers by hand: every fetch waits until the test releases it. */
class HeldServer {
  readonly asked: CacheQuery[] = [];
  private readonly held: { resolve: (r: SignalsResponse) => void; reject: (e: Error) => void }[] = [];
  private waiter: (() => void) | undefined;
  fetch = (q: CacheQuery): Promise<SignalsResponse> => {
    this.asked.push(q);
    this.waiter?.();
    return new Promise((resolve, reject) => this.held.push({ resolve, reject }));
  };
  /** Resolves once `n` fetches were asked in all. */
  async asks(n: number): Promise<void> {
    while (this.asked.length < n) await new Promise<void>((r) => (this.waiter = r));
  }
  answer(r: SignalsResponse): void {
    this.held.shift()!.resolve(r);
  }
  fail(message: string): void {
    this.held.shift()!.reject(new Error(message));
  }
}

function changes(cache: { onChanged: (files: string[]) => void }): () => Promise<string[]> {
  const queue: string[][] = [];
  let waiting: ((f: string[]) => void) | undefined;
  cache.onChanged = (files) => (waiting ? (waiting(files), (waiting = undefined)) : queue.push(files));
  return () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => (waiting = r)));
}

function setup(now = () => Date.now()) {
  const server = new HeldServer();
  const hooks = { onChanged: (_files: string[]): void => {} };
  const failures: { message: string; first: boolean }[] = [];
  const cache = new SignalsCache({ fetch: server.fetch, changed: (f) => hooks.onChanged(f), failed: (message, first) => failures.push({ message, first }) }, { debounceMs: 0, now });
  const nextChange = changes(hooks);
  return { server, cache, nextChange, failures };
}

const FILE = resolveQuery({ file: 'src/a.ts' }, { window: '5m', environment: undefined });

test('queries take the selection; a file asks for all its rows, the workspace for the top rows', () => {
  assert.deepEqual(resolveQuery({ file: 'src/a.ts', perMinute: true }, { window: '1h', environment: 'staging' }), { window: '1h', environment: 'staging', file: 'src/a.ts', perMinute: true, top: 0 });
  assert.deepEqual(resolveQuery({ window: '5m' }, { window: '1h', environment: undefined }), { window: '5m', environment: undefined, file: undefined, perMinute: false, top: TOP_DEFAULT });
});

test('one request per query at a time; a fresh answer comes from memory with the time it was fetched', async () => {
  let clock = 1_000;
  const { server, cache } = setup(() => clock);
  const first = cache.get(FILE);
  const second = cache.get(FILE);
  await server.asks(1);
  clock = 1_500;
  server.answer(answer(1));
  assert.deepEqual([(await first)?.response.functions[0].count, (await second)?.response.functions[0].count], [1, 1]);
  assert.equal((await cache.get(FILE))?.fetchedAt, 1_500);
  assert.equal(server.asked.length, 1);
  assert.equal(cache.cached(FILE)?.fetchedAt, 1_500);
});

// The e2e flake (demo.test.ts: no CodeLens in 120 s under steady traffic): with a `changed` every
// 250 ms, a change often marks a file's answer stale while its refetch waits for the debounce, and a
// provider asking then waited on the network, though it held an answer; VS Code cancels a CodeLens
// request when the provider signals the next change. A held answer is served at once, and the
// refresh it triggers is announced.
test("a file's stale answer is served at once, never after a request, and the refreshed answer is announced", async () => {
  const { server, cache, nextChange } = setup();
  const first = cache.get(FILE);
  await server.asks(1);
  server.answer(answer(1));
  await first;

  // A change whose refetch has not started yet (the server holds every request until told).
  cache.invalidate(['src/a.ts']);
  const served = await Promise.race([cache.get(FILE), new Promise<'waited'>((r) => setImmediate(() => r('waited')))]);
  assert.ok(served !== 'waited', 'the provider waited on the network while an answer was held');
  assert.ok(served !== undefined);
  assert.equal(served.response.functions[0].count, 1, 'the last answer, at once');

  await server.asks(2);
  const announced = nextChange();
  server.answer(answer(2));
  assert.deepEqual(await announced, ['src/a.ts']);
  assert.equal(server.asked.length, 2, 'one request for the change and the ask together');
  assert.equal((await cache.get(FILE))?.response.functions[0].count, 2, 'the new answer, from memory');
  assert.equal(server.asked.length, 2);
});

test('a stale answer nobody is refreshing yet is refreshed when asked for, and announced', async () => {
  const { server, cache, nextChange, failures } = setup();
  const first = cache.get(FILE);
  await server.asks(1);
  server.answer(answer(1));
  await first;
  // A refresh that fails leaves the answer stale (and kept); the next change retries it at once.
  cache.invalidate(['src/a.ts']);
  await server.asks(2);
  const afterFailure = nextChange();
  server.fail('cannot reach http://127.0.0.1:1: ECONNREFUSED');
  assert.deepEqual(await afterFailure, ['src/a.ts']);
  assert.equal(cache.cached(FILE)?.response.functions[0].count, 1, 'the last good answer stays');
  assert.deepEqual(failures, [{ message: 'cannot reach http://127.0.0.1:1: ECONNREFUSED', first: true }]);

  cache.invalidate(['src/a.ts']);
  await server.asks(3);
  const announced = nextChange();
  server.answer(answer(5));
  assert.deepEqual(await announced, ['src/a.ts']);
  assert.equal(cache.cached(FILE)?.response.functions[0].count, 5);
});

test('a first answer that fails gives nothing, and the next ask tries again', async () => {
  const { server, cache, failures } = setup();
  const first = cache.get(FILE);
  await server.asks(1);
  server.fail('answered 503');
  assert.equal(await first, undefined);
  const again = cache.get(FILE);
  await server.asks(2);
  server.fail('answered 503');
  await again;
  assert.deepEqual(
    failures.map((f) => f.first),
    [true, false],
    'only the first failure since a success is worth a log line',
  );
});

test('everything changed: every file held is refetched and announced; workspace-wide answers refetch when asked', async () => {
  const { server, cache, nextChange } = setup();
  const b = resolveQuery({ file: 'src/b.ts' }, { window: '5m', environment: undefined });
  const whole = resolveQuery({}, { window: '5m', environment: undefined });
  const asked = [cache.get(FILE), cache.get(b), cache.get(whole)];
  await server.asks(3);
  server.answer(answer(1));
  server.answer(answer(1, 'src/b.ts'));
  server.answer(answer(1));
  await Promise.all(asked);

  cache.invalidate(undefined);
  await server.asks(5);
  assert.deepEqual(
    server.asked
      .slice(3)
      .map((q) => q.file)
      .sort(),
    ['src/a.ts', 'src/b.ts'],
  );
  const announced = nextChange();
  server.answer(answer(2));
  server.answer(answer(2, 'src/b.ts'));
  assert.deepEqual((await announced).sort(), ['src/a.ts', 'src/b.ts']);

  const workspace = cache.get(whole);
  await server.asks(6);
  server.answer(answer(3));
  assert.equal((await workspace)?.response.functions[0].count, 3, 'a workspace-wide answer is fetched anew when asked');
});

test('answers not read for a while are dropped, not refetched; cleared answers arriving late are dropped', async () => {
  let clock = 0;
  const { server, cache, nextChange } = setup(() => clock);
  const first = cache.get(FILE);
  await server.asks(1);
  server.answer(answer(1));
  await first;
  clock = 10 * 60_000;
  const announced = nextChange();
  cache.invalidate(['src/a.ts']);
  assert.deepEqual(await announced, ['src/a.ts']);
  assert.equal(server.asked.length, 1, 'nobody read it for ten minutes: not refetched');
  assert.equal(cache.cached(FILE), undefined);

  const late = cache.get(FILE);
  await server.asks(2);
  assert.deepEqual(cache.clear(), ['src/a.ts']);
  server.answer(answer(9));
  assert.equal(await late, undefined);
  assert.equal(cache.cached(FILE), undefined, 'an answer to the old session is not kept');
});
