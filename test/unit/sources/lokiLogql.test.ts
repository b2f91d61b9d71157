// The LogQL the Loki client builds, and the fixture that stands in for Loki (never run here: AGPL)
// refusing what Loki refuses, so the client is tested against a strict peer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { checkSelector, DEFAULT_SELECTOR, EXCEPTION_LINE_PATTERN, exceptionQuery } from '../../../src/core/sources/loki/logql';
import { parseQueryRange } from '../../../src/core/sources/loki/lokiApi';
import { tailUrl } from '../../../src/core/sources/loki/lokiTail';
import { LokiFixture } from '../../support/lokiFixture';
import { EMPTY_COMPATIBLE, parseLogQuery, selects } from '../../support/lokiFixtureLogql';

const NOW = Date.now();
const ns = (ms: number) => `${ms}000000`;
let loki: LokiFixture;

before(async () => {
  loki = await LokiFixture.start();
  loki.push({ service_name: 'checkout', env: 'prod' }, [
    [ns(NOW - 2000), 'INFO ok'],
    [ns(NOW - 1000), 'TypeError: boom'],
    [ns(NOW - 999), '    at pay (/app/src/pay.js:3:9)'],
  ]);
  loki.push({ service_name: 'search', env: 'prod' }, [[ns(NOW - 1500), 'panic: nil map']]);
});
after(() => loki.stop());

async function get(path: string, params: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(`${loki.url}${path}?${new URLSearchParams(params)}`);
  return { status: res.status, body: await res.text() };
}

test('the client asks for the configured streams with a line filter of exception and stack lines', () => {
  const q = exceptionQuery('{service_name="checkout", env=~"prod|staging"}');
  assert.equal(q, `{service_name="checkout", env=~"prod|staging"} |~ \`${EXCEPTION_LINE_PATTERN}\``);
  // the fixture's strict LogQL parser accepts it, and it selects and filters as Loki would
  const parsed = parseLogQuery(q);
  assert.ok(selects(parsed, { service_name: 'checkout', env: 'prod' }));
  assert.ok(!selects(parsed, { service_name: 'checkout', env: 'dev' }));
  const keeps = (line: string) => parsed.filters.every((f) => f(line));
  for (const line of [
    'Traceback (most recent call last):',
    '  File "/app/x.py", line 3, in f',
    '\tat com.x.Y.z(Y.java:3)',
    '\t... 2 more',
    'goroutine 1 [running]:',
    'main.main()',
    '\t/app/main.go:18 +0xec',
    'kind=exception type=Error',
    '{"exception.type":"X"}',
    "KeyError: 'x'",
  ])
    assert.ok(keeps(line), line);
  for (const line of ['INFO GET /health 200 1ms', 'level=info msg="started"']) assert.ok(!keeps(line), line);
  assert.ok(exceptionQuery(DEFAULT_SELECTOR).startsWith('{service_name=~".+"} |~ `'));
});

test('a selector Loki would refuse is refused before asking, with one line', () => {
  for (const bad of ['{}', '{app=~".*"}', '{app!="x"}', '{app!~"x"}', 'app="x"', '{app=x}', '{app="x" |= "y"}']) {
    assert.throws(
      () => checkSelector(bad),
      (err: Error) => /^loki: /.test(err.message) && !err.message.includes('\n'),
      bad,
    );
  }
  assert.equal(checkSelector(' {app=~".+", env!="dev"} '), '{app=~".+", env!="dev"}');
  assert.equal(checkSelector('{app="a,b", team=`x`}'), '{app="a,b", team=`x`}');
});

test('query_range answers streams within [start, end), with the limit across streams and the direction', async () => {
  const query = exceptionQuery('{env="prod"}');
  const res = await get('/loki/api/v1/query_range', { query, start: ns(NOW - 10_000), end: ns(NOW), limit: '2', direction: 'forward' });
  assert.equal(res.status, 200);
  const streams = parseQueryRange(JSON.parse(res.body));
  const all = streams.flatMap((s) => s.entries.map(([t, l]) => [s.labels.get('service_name'), t, l]));
  assert.deepEqual(
    all.sort(),
    [
      ['checkout', ns(NOW - 1000), 'TypeError: boom'],
      ['search', ns(NOW - 1500), 'panic: nil map'],
    ].sort(),
  );
  const backward = parseQueryRange(JSON.parse((await get('/loki/api/v1/query_range', { query, start: ns(NOW - 10_000), end: ns(NOW), limit: '1' })).body));
  assert.deepEqual(backward[0].entries, [[ns(NOW - 999), '    at pay (/app/src/pay.js:3:9)']]);
  // end is exclusive; RFC3339 is accepted
  const rfc = await get('/loki/api/v1/query_range', { query, start: new Date(NOW - 10_000).toISOString(), end: ns(NOW - 1000) });
  assert.equal(parseQueryRange(JSON.parse(rfc.body)).flatMap((s) => s.entries).length, 1);
});

test('the fixture refuses what Loki refuses: bad LogQL, an empty selector, end before start, a limit or range over the max', async () => {
  const query = '{service_name="checkout"}';
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ query: '{service_name="checkout"' }, /^parse error at line 1, col \d+: syntax error: unexpected \$end/],
    [{ query: '{service_name="checkout"} |= test' }, /^parse error at line 1, col 30: syntax error/],
    [{ query: '{service_name="checkout"} |~ "("' }, /^parse error at line 1, col 30: error parsing regexp/],
    [{ query: '{}' }, new RegExp(`^${EMPTY_COMPATIBLE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)],
    [{ query: '{app=~".*"}' }, /^parse error : queries require at least one regexp or equality matcher/],
    [{ query, start: ns(NOW), end: ns(NOW - 1000) }, /^end timestamp must not be before or equal to start time$/],
    [{ query, limit: '5001' }, /^max entries limit per query exceeded, limit > max_entries_limit_per_query \(5001 > 5000\)$/],
    [{ query, limit: '0' }, /^limit must be a positive value$/],
    [{ query, start: ns(NOW - 800 * 3_600_000), end: ns(NOW) }, /^the query time range exceeds the limit \(query length: 800h0m0s, limit: 721h0m0s\)$/],
    [{ query, start: 'yesterday' }, /^cannot parse "yesterday" to a valid timestamp$/],
    [{ query, direction: 'sideways' }, /^invalid direction/],
  ];
  for (const [params, message] of cases) {
    const res = await get('/loki/api/v1/query_range', params);
    assert.equal(res.status, 400, JSON.stringify(params));
    assert.match(res.body, message, JSON.stringify(params));
  }
});

test('labels, ready, and an unknown path', async () => {
  const labels = JSON.parse((await get('/loki/api/v1/labels', {})).body);
  assert.deepEqual(labels, { status: 'success', data: ['env', 'service_name'] });
  assert.deepEqual(await get('/ready', {}), { status: 200, body: 'ready\n' });
  assert.equal((await get('/loki/api/v1/nope', {})).status, 404);
});

test('the tail refuses a delay_for over 5 and bad LogQL before upgrading, and streams matching entries after', async () => {
  const refused = (url: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(url);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
  assert.equal(await refused(tailUrl(loki.url, '{env="prod"}', 10, 6, undefined)), 400);
  assert.equal(await refused(tailUrl(loki.url, '{}', 10, 0, undefined)), 400);
  const ws = new WebSocket(tailUrl(loki.url, exceptionQuery('{service_name="checkout"}'), 10, 0, ns(NOW - 5000)));
  const messages: unknown[] = [];
  await new Promise<void>((resolve) => {
    ws.on('message', (data) => {
      messages.push(JSON.parse(data.toString()));
      if (messages.length === 1)
        loki.push({ service_name: 'checkout', env: 'prod' }, [
          [ns(NOW + 1), 'INFO skipped by the filter'],
          [ns(NOW + 2), 'RangeError: late'],
        ]);
      if (messages.length === 2) resolve();
    });
  });
  ws.close();
  assert.deepEqual(messages[0], {
    streams: [
      {
        stream: { service_name: 'checkout', env: 'prod' },
        values: [
          [ns(NOW - 1000), 'TypeError: boom'],
          [ns(NOW - 999), '    at pay (/app/src/pay.js:3:9)'],
        ],
      },
    ],
    dropped_entries: null,
  });
  assert.deepEqual(messages[1], { streams: [{ stream: { service_name: 'checkout', env: 'prod' }, values: [[ns(NOW + 2), 'RangeError: late']] }], dropped_entries: null });
});

test("answers that are not Loki's are refused with one line", () => {
  const bad: unknown[] = [
    { status: 'error' },
    { status: 'success', data: { resultType: 'matrix', result: [] } },
    { status: 'success', data: { resultType: 'streams', result: [{ stream: {}, values: [[1, 'x']] }] } },
    { status: 'success', data: { resultType: 'streams', result: [{ stream: { a: 1 }, values: [] }] } },
    { status: 'success', data: { resultType: 'streams', result: [{ stream: {}, values: [['1', 2]] }] } },
  ];
  for (const body of bad)
    assert.throws(
      () => parseQueryRange(body),
      (err: Error) => !err.message.includes('\n'),
      JSON.stringify(body),
    );
  assert.deepEqual(parseQueryRange({ status: 'success', data: { resultType: 'streams', result: [{ stream: { a: 'b' }, values: [['1', 'x', { trace_id: 't' }]] }] } })[0].entries, [['1', 'x']]);
});
