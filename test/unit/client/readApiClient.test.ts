// The one read-API client: answers are checked, every failure is one line saying what went wrong.
// A real loopback HTTP server answers as a receiver, a proxy error page and a foreign server would.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ReadApiClient, ReadApiError } from '../../../src/core/client/readApiClient';

const good = {
  window: '5m',
  environment: 'prod',
  environments: ['prod'],
  generatedAt: 1,
  evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
  functions: [
    {
      service: 's',
      environment: 'prod',
      function: 'f',
      file: 'a.ts',
      line: 3,
      count: 2,
      errors: 0,
      errorRate: 0,
      ratePerMin: 0.4,
      p50Ms: 1,
      p95Ms: 2,
      p99Ms: 3,
      confidence: 1,
      mappedBy: 'code-attributes',
      exemplars: [],
    },
  ],
  operations: [],
  errors: [],
  unmapped: [],
  calls: [],
};
const metrics = { source: 'prometheus', basis: 'metrics' };
const answers = new Map<string, { status: number; body: string }>([
  ['good', { status: 200, body: JSON.stringify(good) }],
  ['html', { status: 200, body: '<html>Bad gateway</html>' }],
  ['shape', { status: 200, body: JSON.stringify({ ...good, functions: [{ ...good.functions[0], count: 'two' }] }) }],
  ['nolist', { status: 200, body: JSON.stringify({ window: '5m' }) }],
  [
    'buckets',
    {
      status: 200,
      body: JSON.stringify({ ...good, functions: [{ ...good.functions[0], figures: { traffic: { ...metrics, latencyBuckets: { p50Ms: [0, 2], p95Ms: [2, 4], p99Ms: [15000, null] } }, errors: metrics } }] }),
    },
  ],
  [
    'badbuckets',
    { status: 200, body: JSON.stringify({ ...good, functions: [{ ...good.functions[0], figures: { traffic: { ...metrics, latencyBuckets: { p50Ms: [0, 2], p95Ms: [2], p99Ms: [4, null] } }, errors: metrics } }] }) },
  ],
  ['denied', { status: 403, body: JSON.stringify({ error: 'origin not allowed' }) }],
]);
let server: http.Server;
let base = '';
let seenAuth: string | undefined;

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seenAuth = req.headers.authorization;
    if (url.pathname.startsWith('/api/traces/')) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not held"}');
      return;
    }
    const a = answers.get(url.searchParams.get('environment') ?? 'good')!;
    res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(a.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const refusal = async (p: Promise<unknown>): Promise<ReadApiError> => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ReadApiError, String(err));
    assert.doesNotMatch(err.message, /\n/);
    return err;
  }
  assert.fail('the request was not refused');
};

test("a receiver's answer is returned as is, with the token sent as a bearer token", async () => {
  const answer = await new ReadApiClient({ server: base, token: 't0k' }).signals({ window: '5m' });
  assert.equal(answer.functions[0]?.function, 'f');
  assert.equal(seenAuth, 'Bearer t0k');
});

test('what is not the read API is one clear error naming the first bad field', async () => {
  const client = new ReadApiClient({ server: base });
  assert.match((await refusal(client.signals({ environment: 'html' }))).message, /did not answer JSON for \/api\/signals$/);
  assert.match((await refusal(client.signals({ environment: 'shape' }))).message, /functions\[0\]\.count is string, not a finite number$/);
  assert.match((await refusal(client.signals({ environment: 'nolist' }))).message, /environment is nothing, not a string$/);
  assert.deepEqual((await client.signals({ environment: 'buckets' })).functions[0]?.figures?.traffic.latencyBuckets?.p99Ms, [15000, null]);
  assert.match((await refusal(client.signals({ environment: 'badbuckets' }))).message, /functions\[0\]\.figures\.traffic\.latencyBuckets\.p95Ms is a list, not a \[lower, upper\] bucket$/);
  const denied = await refusal(client.signals({ environment: 'denied' }));
  assert.deepEqual([denied.kind, denied.status], ['http', 403]);
  assert.match(denied.message, /answered 403: \{"error":"origin not allowed"\}$/);
});

test('an unreachable server, a bad URL and a trace not held', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const e = await refusal(new ReadApiClient({ server: `http://127.0.0.1:${port}` }).status());
  assert.deepEqual([e.kind, e.message], ['unreachable', `cannot reach http://127.0.0.1:${port}: ECONNREFUSED`]);
  assert.throws(() => new ReadApiClient({ server: 'ftp://x' }), /not an http\(s\) URL: "ftp:\/\/x"/);
  assert.equal(await new ReadApiClient({ server: base }).trace('0123456789abcdef0123456789abcdef'), null);
});

test('probe: a foreign server, an oversized answer and a receiver locked to another token', async () => {
  let mode: 'html' | 'big' | 'locked' = 'html';
  const other = http.createServer((_req, res) => {
    if (mode === 'big') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(`{"version":"0.1.0","pad":"${'x'.repeat(100_000)}"}`);
    if (mode === 'locked') return void res.writeHead(401, { 'X-Runtime-Lens': '0.1.0' }).end();
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>dev server</html>');
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const server = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await new ReadApiClient({ server }).probe(), { kind: 'foreign', detail: `HTTP 200 from ${server}/api/status` });
    mode = 'big';
    assert.deepEqual(await new ReadApiClient({ server }).probe(), { kind: 'foreign', detail: `answer too large from ${server}/api/status` });
    mode = 'locked';
    assert.deepEqual(await new ReadApiClient({ server, token: 'wrong' }).probe(), { kind: 'locked', version: '0.1.0' });
  } finally {
    other.close();
  }
});

test('probe: a listener that takes the connection and never answers (or stops mid-answer) is silent, not foreign', async () => {
  let mode: 'mute' | 'half' = 'mute';
  const held: http.ServerResponse[] = [];
  const mute = http.createServer((_req, res) => {
    if (mode === 'half') res.writeHead(200, { 'Content-Type': 'application/json' }).write('{"version":');
    held.push(res);
  });
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
  const server = `http://127.0.0.1:${(mute.address() as AddressInfo).port}`;
  try {
    assert.deepEqual(await new ReadApiClient({ server, timeoutMs: 200 }).probe(), { kind: 'silent', detail: 'no answer within 0.2 s' });
    mode = 'half';
    assert.deepEqual(await new ReadApiClient({ server, timeoutMs: 200 }).probe(), { kind: 'silent', detail: 'no answer within 0.2 s' });
    assert.equal(held.length, 2, 'both probes reached the server');
  } finally {
    for (const res of held) res.destroy();
    mute.close();
  }
});
