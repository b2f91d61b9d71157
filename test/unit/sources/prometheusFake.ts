/**
 * A loopback fake Prometheus serving the recorded answers of a real one (Debian's Prometheus 2.42
 * scraping the spanmetrics connector; test/fixtures/backends/prometheus): the metric names and
 * label names detection asks for, and for an instant query the recorded call and bucket series
 * summed as the query's `sum by (...)` says, once per window the query tags (`label_replace(...,
 * "runtime_lens_window", "<ms>", "", "")`). It evaluates no selectors: every window gets all series,
 * what a round asking for everything would get (which series selectors pick on a real Prometheus
 * is test/wire/prometheusSource.test.ts's job). It rejects what the real API rejects (another
 * method, a missing or unbalanced query, a missing `match[]`) and logs every request with the time
 * of the source's clock, so tests count requests per simulated minute.
 */
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'backends', 'prometheus');

interface RecordedSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/** A recorded answer's text. */
export function recordedProm(name: 'label-names' | 'metric-names' | 'query-calls' | 'query-buckets' | 'query-histogram-quantile' | 'query-bad'): string {
  return readFileSync(path.join(DIR, `${name}.json`), 'utf8');
}

/** One request the fake answered. */
export interface FakeRequest {
  method: string;
  path: string;
  /** The source's clock when it arrived. */
  at: number;
  query?: string;
}

/** A running fake. */
export interface FakePrometheus {
  url: string;
  readonly requests: FakeRequest[];
  /** While true, every request is answered 503 (a Prometheus that is unwell). */
  failing: boolean;
  /** While true, queries find no series (a Prometheus that has not scraped the spans yet). */
  empty: boolean;
  close(): Promise<void>;
}

const series = (name: 'query-calls' | 'query-buckets'): RecordedSeries[] => (JSON.parse(recordedProm(name)) as { data: { result: RecordedSeries[] } }).data.result;

/** Starts a fake on a free loopback port; `clock` stamps each request. */
export async function startFakePrometheus(clock: () => number): Promise<FakePrometheus> {
  const recorded = [...series('query-calls'), ...series('query-buckets')];
  const fake: FakePrometheus = { url: '', requests: [], failing: false, empty: false, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => answer(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  const answer = (req: http.IncomingMessage, body: string, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    const bad = (error: string) => send(400, JSON.stringify({ status: 'error', errorType: 'bad_data', error }));
    // The query endpoints take their parameters in the URL, or (POST) as a form body.
    const form = req.method === 'POST' && url.pathname === '/api/v1/query';
    if (form && req.headers['content-type'] !== 'application/x-www-form-urlencoded') return bad('a POST needs Content-Type application/x-www-form-urlencoded');
    const params = form ? new URLSearchParams(body) : url.searchParams;
    const query = params.get('query') ?? undefined;
    fake.requests.push({ method: req.method ?? '', path: url.pathname, at: clock(), ...(query !== undefined ? { query } : {}) });
    if (req.method !== 'GET' && !form) return send(405, JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'method not allowed' }));
    if (fake.failing) return send(503, 'Service Unavailable');
    if (url.pathname === '/api/v1/label/__name__/values' || url.pathname === '/api/v1/labels') {
      if (url.searchParams.getAll('match[]').length === 0) return bad('match[] is required here (the source always narrows its look-ups)');
      return send(200, recordedProm(url.pathname === '/api/v1/labels' ? 'label-names' : 'metric-names'));
    }
    if (url.pathname !== '/api/v1/query') return send(404, JSON.stringify({ status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` }));
    if (query === undefined || query.trim() === '') return bad('invalid parameter "query": unknown position: parse error: no expression found in input');
    if (!balanced(query)) return send(400, recordedProm('query-bad'));
    const time = Number(params.get('time'));
    if (!Number.isFinite(time)) return bad('invalid parameter "time"');
    const by = /sum by \(([^)]*)\)/
      .exec(query)?.[1]
      .split(',')
      .map((l) => l.trim());
    if (by === undefined) return bad('the fake answers only the queries of a refresh round (sum by ...)');
    const windows = fake.empty ? [] : [...query.matchAll(/"runtime_lens_window", "(\d+)"/g)].map((m) => m[1]);
    const sums = new Map<string, { metric: Record<string, string>; value: number }>();
    for (const window of windows)
      for (const s of recorded) {
        const metric: Record<string, string> = {};
        for (const l of by) if (s.metric[l] !== undefined && s.metric[l] !== '') metric[l] = s.metric[l];
        metric.runtime_lens_window = window;
        const key = JSON.stringify(Object.entries(metric).sort());
        const hit = sums.get(key);
        if (hit !== undefined) hit.value += Number(s.value[1]);
        else sums.set(key, { metric, value: Number(s.value[1]) });
      }
    const result = [...sums.values()].map(({ metric, value }) => ({ metric, value: [time, String(value)] }));
    send(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

/** Parentheses and braces balance outside string literals (what the PromQL parser checks first). */
function balanced(query: string): boolean {
  const open: string[] = [];
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '"') {
      for (i++; i < query.length && query[i] !== '"'; i++) if (query[i] === '\\') i++;
      if (i >= query.length) return false;
    } else if (c === '(' || c === '{' || c === '[') open.push(c);
    else if (c === ')' || c === '}' || c === ']') {
      if (open.pop() !== { ')': '(', '}': '{', ']': '[' }[c]) return false;
    }
  }
  return open.length === 0;
}
