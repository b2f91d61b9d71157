// JaegerSource against a loopback server that answers as Jaeger v1.75.0's api_v3 does, byte for
// byte from recorded answers (test/fixtures/backends/jaeger), including its 400/404/500 bodies:
// incremental pulls, nothing filed twice, trace by id, auth failures, an outage and recovery.
// The same source against the real Jaeger runs in test/wire/jaegerSource.test.ts.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { JaegerSource, type JaegerSourceOptions } from '../../../src/core/sources/jaeger/jaegerSource';
import { parseSignalsQuery } from '../../../src/core/sources/telemetrySource';
import { ERROR_TRACE_ID, ordersWorkspace, recordedText, recordingEndMs, spansOf } from './jaegerFixtures';

const window5m = () => parseSignalsQuery(new URLSearchParams('window=5m'), '5m');

/** Jaeger's api_v3 as v1.75.0 answers it, from recordings; `mode` turns it unwell. */
class RecordedJaeger {
  mode: 'ok' | 'unauthorized' | 'failing' = 'ok';
  readonly requests: URL[] = [];
  private server: http.Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    this.requests.push(url);
    const send = (status: number, body: string): void => void res.writeHead(status, { 'content-type': status === 200 ? 'application/json' : 'text/plain; charset=utf-8' }).end(body);
    if (this.mode === 'unauthorized') return send(401, 'Unauthorized\n');
    if (this.mode === 'failing') return send(503, 'upstream unavailable\n');
    if (url.pathname === '/api/v3/services') return send(200, recordedText('services'));
    if (url.pathname === '/api/v3/operations') return send(200, recordedText('operations'));
    const byId = /^\/api\/v3\/traces\/([^/]+)$/.exec(url.pathname);
    if (byId) return byId[1] === ERROR_TRACE_ID ? send(200, recordedText('trace-by-id')) : send(404, `${compact('trace-not-found')}\n`);
    if (url.pathname !== '/api/v3/traces') return send(404, '404 page not found\n');
    const q = url.searchParams;
    const min = q.get('query.start_time_min');
    const max = q.get('query.start_time_max');
    if (!min || !max) return send(400, '{"error":{"httpCode":400,"message":"query.start_time_min and query.start_time_max are required"}}\n');
    // Go's time.Parse(time.RFC3339Nano) accepts what Date.toISOString writes, and little else here.
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(min) || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(max)) return send(400, '{"error":{"httpCode":400,"message":"malformed parameter"}}\n');
    if (!q.get('query.num_traces')) return send(500, `${compact('traces-search-no-num-traces')}\n`);
    const recordedSpans = spansOf(JSON.parse(recordedText('traces-search')) as Record<string, unknown>);
    const inWindow = recordedSpans.some((s) => {
      const ms = Number(BigInt(s.startTimeUnixNano as string) / 1_000_000n);
      return ms >= Date.parse(min) && ms <= Date.parse(max);
    });
    if (q.get('query.service_name') !== 'checkout-api' || !inWindow) return send(404, `${compact('trace-not-found')}\n`);
    send(200, recordedText('traces-search'));
  }
}

/** Jaeger writes its error bodies compactly; the recordings are pretty-printed. */
function compact(name: string): string {
  return JSON.stringify(JSON.parse(recordedText(name)));
}

describe('JaegerSource (recorded Jaeger v1.75.0 answers)', () => {
  let jaeger: RecordedJaeger;
  let ws: Awaited<ReturnType<typeof ordersWorkspace>>;
  let mapper: CodeMapper;
  const clock = { now: () => recordingEndMs() };
  const sources: JaegerSource[] = [];
  const make = (over: Partial<JaegerSourceOptions> = {}) => {
    const source = new JaegerSource(
      { url: jaeger.url, autoStart: false, maxPullsPerMinute: 1_000, transport: { retries: 0, timeoutMs: 5_000, authHint: 'set JAEGER_TOKEN' }, ...over },
      { mapper, ready: Promise.resolve(), clock },
    );
    sources.push(source);
    return source;
  };

  before(async () => {
    jaeger = new RecordedJaeger();
    await jaeger.start();
    ws = await ordersWorkspace();
    mapper = ws.mapper;
  });
  after(async () => {
    for (const s of sources) await s.dispose();
    await jaeger.stop();
    ws.remove();
  });

  it('lists services, searches each in its window with a bounded depth, files what it found and says so', async () => {
    const source = make({ maxTracesPerPull: 7, lookbackMs: 600_000 });
    let changes = 0;
    source.onChange(() => changes++);
    assert.equal(source.status().state, 'starting');
    jaeger.requests.length = 0;
    const report = await source.pull();
    assert.deepEqual(report, { searches: 2, tracesFiled: 8, spansFiled: 14, spansRejected: 0, errors: [] });
    assert.deepEqual(
      jaeger.requests.map((u) => u.pathname),
      ['/api/v3/services', '/api/v3/traces', '/api/v3/traces'],
    );
    const search = jaeger.requests.find((u) => u.searchParams.get('query.service_name') === 'checkout-api')!.searchParams;
    assert.equal(search.get('query.num_traces'), '7');
    assert.equal(Date.parse(search.get('query.start_time_max')!), recordingEndMs());
    assert.equal(Date.parse(search.get('query.start_time_min')!), recordingEndMs() - 600_000);
    assert.equal(changes, 1);
    const status = source.status();
    assert.equal(status.state, 'ok');
    assert.equal(status.lastSuccess, recordingEndMs());
    const answer = await source.signals(window5m());
    const get = answer.functions.find((f) => f.function === 'getOrder');
    assert.deepEqual([get?.count, get?.figures?.traffic], [6, { source: 'jaeger', ageMs: 0, basis: 'sampled', traces: 6 }]);
    assert.equal(source.spanNames.lookup('checkout-api', 'POST /orders')?.function, 'createOrder');
  });

  it('checks the connection by listing services', async () => {
    const check = await make().checkConnection();
    assert.deepEqual(check.ok && check.value.sort(), ['checkout-api', 'inventory-worker']);
  });

  it('does not file again what an overlapping pull returns, nor tell listeners of nothing new', async () => {
    const source = make();
    await source.pull();
    let changes = 0;
    source.onChange(() => changes++);
    const again = await source.pull();
    assert.deepEqual([again.tracesFiled, again.spansFiled, changes], [0, 0, 0]);
    assert.equal((await source.signals(window5m())).functions.find((f) => f.function === 'loadOrder')?.count, 6);
  });

  it('answers a held trace without asking, else asks Jaeger by id; unknown and malformed ids are null', async () => {
    const source = make();
    jaeger.requests.length = 0;
    const fetched = await source.trace(ERROR_TRACE_ID.toUpperCase());
    assert.deepEqual(
      jaeger.requests.map((u) => u.pathname),
      [`/api/v3/traces/${ERROR_TRACE_ID}`],
    );
    assert.equal(fetched?.spans[0]?.mapping?.function, 'createOrder');
    assert.deepEqual((await source.signals(window5m())).functions, [], 'a trace viewed is not a trace counted');
    assert.equal(await source.trace('0123456789abcdef0123456789abcdef'), null);
    jaeger.requests.length = 0;
    assert.equal(await source.trace('../api/v3/services'), null);
    assert.deepEqual(jaeger.requests, []);
    await source.pull();
    jaeger.requests.length = 0;
    assert.equal((await source.trace(ERROR_TRACE_ID))?.traceId, ERROR_TRACE_ID);
    assert.deepEqual(jaeger.requests, [], 'held after the pull');
  });

  it('refused credentials: state error, one line naming the source and what fixes it', async () => {
    const source = make();
    jaeger.mode = 'unauthorized';
    try {
      const check = await source.checkConnection();
      assert.deepEqual([check.ok, !check.ok && check.kind], [false, 'auth']);
      const report = await source.pull();
      assert.equal(report.errors.length, 1);
      const status = source.status();
      assert.equal(status.state, 'error');
      assert.equal(status.error, `jaeger at ${jaeger.url}: credentials missing or refused (HTTP 401); set JAEGER_TOKEN`);
    } finally {
      jaeger.mode = 'ok';
    }
  });

  it('a failing Jaeger leaves the last figures, marked stale; the next good pull clears it', async () => {
    const source = make();
    await source.pull();
    jaeger.mode = 'failing';
    try {
      await source.pull();
      const status = source.status();
      assert.equal(status.state, 'stale');
      assert.match(status.error ?? '', /^jaeger at http:\/\/127\.0\.0\.1:\d+: HTTP 503 for \/api\/v3\/traces: upstream unavailable$/);
      const get = (await source.signals(window5m())).functions.find((f) => f.function === 'getOrder');
      assert.deepEqual([get?.count, get?.figures?.traffic.stale], [6, true]);
    } finally {
      jaeger.mode = 'ok';
    }
    await source.pull();
    assert.equal(source.status().state, 'ok');
    assert.equal((await source.signals(window5m())).functions.find((f) => f.function === 'getOrder')?.figures?.traffic.stale, undefined);
  });

  it('pulls on its own timer until disposed, then is stopped and refuses queries', async () => {
    const source = make({ autoStart: true, refreshMs: 50 });
    const filed = new Promise<void>((resolve) => source.onChange(resolve));
    await filed;
    await source.dispose();
    const count = jaeger.requests.length;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(jaeger.requests.length, count, 'no request after dispose');
    assert.equal(source.status().state, 'stopped');
    await assert.rejects(source.signals(window5m()), /^Error: jaeger: source disposed$/);
  });
});
