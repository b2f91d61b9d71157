import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings, fixAt, lines } from './support';

const R = 'missing-timeout';

describe('missing-timeout: JavaScript/TypeScript', () => {
  it('flags fetch without a signal and fixes it with AbortSignal.timeout', async () => {
    const src = [
      'export async function load(u: string) {',
      '  const a = await fetch(u);',
      "  const b = await fetch(u, { method: 'POST' });",
      '  const c = await fetch(u, { signal: AbortSignal.timeout(5000) });',
      '  return [a, b, c];',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/a.ts', src, R), [2, 3]);
    const fixed = await fixAt('src/a.ts', src, R, 2);
    assert.match(fixed, /fetch\(u, \{ signal: AbortSignal\.timeout\(10000\) \}\)/);
    assert.deepEqual(await lines('src/a.ts', fixed, R), [3]);
    const fixed2 = await fixAt('src/a.ts', src, R, 3);
    assert.match(fixed2, /\{ signal: AbortSignal\.timeout\(10000\), method: 'POST' \}/);
  });

  it('does not flag a wrapper that already sets a timeout, nor a local function named fetch', async () => {
    const wrapper = [
      'export function fetchWithTimeout(u: string, init: RequestInit = {}) {',
      '  return fetch(u, { ...init, signal: AbortSignal.timeout(3000) });',
      '}',
      'export const get = (u: string) => fetchWithTimeout(u);',
      'export async function viaController(u: string) {',
      '  const controller = new AbortController();',
      '  setTimeout(() => controller.abort(), 2000);',
      '  return fetch(u, { signal: controller.signal });',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/w.ts', wrapper, R), []);
    const shadow = 'function fetch(id: string) { return db.get(id); }\nexport const x = () => fetch("1");\n';
    assert.deepEqual(await lines('src/s.ts', shadow, R), []);
  });

  it('resolves axios through imports, instance defaults and axios.defaults.timeout', async () => {
    const src = [
      "import http, { get as axiosGet } from 'axios';",
      "const api = http.create({ baseURL: '/api' });",
      'export async function f(u: string, body: unknown) {',
      '  await http.get(u);',
      '  await http.post(u, body);',
      '  await axiosGet(u);',
      '  await api.get(u);',
      '  await client.get(u);',
      '  await http.get(u, { timeout: 1000 });',
      '}',
      'const client = http.create({ timeout: 2000 });',
    ].join('\n');
    assert.deepEqual(await lines('src/ax.ts', src, R), [4, 5, 6, 7]);
    const post = await fixAt('src/ax.ts', src, R, 5);
    assert.match(post, /http\.post\(u, body, \{ timeout: 10000 \}\)/);
    const withDefaults = "import axios from 'axios';\naxios.defaults.timeout = 5000;\nexport const g = (u: string) => axios.get(u);\n";
    assert.deepEqual(await lines('src/d.js', withDefaults, R), []);
  });

  it('does not take a same-named method of another object for axios (no import, no finding)', async () => {
    const src = 'export const g = (u) => this.axios.get(u) && http.get(u);\n';
    assert.deepEqual(await lines('src/n.js', src, R), []);
  });

  it('flags require()d node-fetch, got, https.request and undici, and pg clients without statement timeouts', async () => {
    const src = [
      "const fetchFn = require('node-fetch');",
      "const got = require('got');",
      "const https = require('node:https');",
      "const { request } = require('undici');",
      "const { Pool } = require('pg');",
      'async function f(u) {',
      '  await fetchFn(u);',
      '  await fetchFn(u, { timeout: 3000 });',
      '  await got(u);',
      "  https.request({ host: 'x', path: '/' });",
      "  const req = https.request({ host: 'x' }); req.setTimeout(3000);",
      '  await request(u);',
      '}',
      'const pool = new Pool({ connectionString: process.env.DB });',
      'const ok = new Pool({ connectionString: process.env.DB, statement_timeout: 5000 });',
    ].join('\n');
    assert.deepEqual(await lines('src/r.js', src, R), [7, 9, 10, 12, 14]);
    const fixed = await fixAt('src/r.js', src, R, 14);
    assert.match(fixed, /new Pool\(\{ statement_timeout: 10000, connectionString/);
  });

  it('reads TSX files', async () => {
    const src = 'export function C() { useEffect(() => { fetch("/x"); }, []); return <div />; }\n';
    assert.deepEqual(await lines('src/c.tsx', src, R), [1]);
  });
});

describe('missing-timeout: Python', () => {
  it('flags requests verbs without timeout (through aliases and from-imports) and fixes them', async () => {
    const src = [
      'import requests as r',
      'from requests import get',
      'import urllib.request',
      'def f(u, **kw):',
      '    r.get(u)',
      '    get(u, timeout=3)',
      '    r.post(u, json={}, timeout=None)',
      '    r.get(u, **kw)',
      '    urllib.request.urlopen(u)',
      '',
    ].join('\n');
    // line 8 passes the function's own **kw on: no timeout unless every caller sets one
    assert.deepEqual(await lines('app/a.py', src, R), [5, 7, 8, 9]);
    assert.match(await fixAt('app/a.py', src, R, 5), /r\.get\(u, timeout=10\)/);
    assert.match(await fixAt('app/a.py', src, R, 7), /timeout=10\)/);
    assert.match(await fixAt('app/a.py', src, R, 8), /\n {4}kw\.setdefault\("timeout", 10\)\n {4}r\.get\(u, \*\*kw\)\n/);
  });

  it('flags **kwargs built by a helper of the file that sets no timeout (peers flag them too), not an unknown **', async () => {
    // from the bench against Bandit B113 / Ruff S113 (langchain-community: requests.post(**self._kwargs_post_request(...)))
    const src = [
      'import requests',
      'class Client:',
      '    def _post_kwargs(self, body):',
      '        return dict(url=self.url, json=body)',
      '    def _timed_kwargs(self, body):',
      '        return {"url": self.url, "json": body, "timeout": 5}',
      '    def send(self, body):',
      '        requests.post(**self._post_kwargs(body))',
      '        requests.post(**self._timed_kwargs(body))',
      '        requests.post(**{"url": self.url})',
      '    def unknown(self, body):',
      '        return requests.post(**self.build(body))',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/k.py', src, R), [8, 10]);
    assert.match(await fixAt('app/k.py', src, R, 8), /requests\.post\(\*\*self\._post_kwargs\(body\), timeout=10\)/);
  });

  it("flags a wrapper's own **kwargs pass-through, says the callers decide, and defaults the timeout with setdefault", async () => {
    // from the bench against Bandit B113 (langchain-community utilities/requests.py, embeddings/voyageai.py)
    const src = [
      'import requests',
      'class Wrapper:',
      '    def get(self, url, **kwargs):',
      '        """Fetch."""',
      '        return requests.get(url, headers=self.headers, auth=self.auth, **kwargs)',
      '    def post(self, url, data, **options: Any):',
      '        if self.ready:',
      '            r = requests.post(url, json=data, **options)',
      '            return r.json()',
      '',
    ].join('\n');
    const found = await findings('app/w.py', src, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [5, 8],
    );
    assert.equal(found[0].message, 'no timeout on requests.get unless every caller passes one through **kwargs');
    assert.equal(found[1].message, 'no timeout on requests.post unless every caller passes one through **options');
    const fixed = await fixAt('app/w.py', src, R, 5);
    assert.match(fixed, /"""Fetch\."""\n {8}kwargs\.setdefault\("timeout", 10\)\n {8}return requests\.get\(url, headers=self\.headers, auth=self\.auth, \*\*kwargs\)\n/);
    assert.deepEqual(await lines('app/w.py', fixed, R), [9]);
    const fixed2 = await fixAt('app/w.py', src, R, 8);
    assert.match(fixed2, /if self\.ready:\n {12}options\.setdefault\("timeout", 10\)\n {12}r = requests\.post/);
    assert.deepEqual(await lines('app/w.py', fixed2, R), [5]);
  });

  it('stays silent when the wrapper or the call already handles the timeout of its **kwargs', async () => {
    const src = [
      'import requests',
      'import functools',
      'def with_default_timeout(fn):',
      '    @functools.wraps(fn)',
      '    def inner(*a, **kw):',
      '        kw.setdefault("timeout", 5)',
      '        return fn(*a, **kw)',
      '    return inner',
      'def a(url, **kwargs):',
      "    kwargs.setdefault('timeout', 5)",
      '    return requests.get(url, **kwargs)',
      'def b(url, **kwargs):',
      "    t = kwargs.get('timeout', 5)",
      '    return requests.get(url, **kwargs) if t else None',
      'def c(url, **kwargs):',
      "    if 'timeout' not in kwargs:",
      "        kwargs['timeout'] = 5",
      '    return requests.get(url, **kwargs)',
      'def d(url, timeout=5, **kwargs):',
      '    return requests.get(url, timeout=timeout, **kwargs)',
      'def e(url, **kwargs):',
      '    kwargs.update(self_defaults())',
      '    return requests.get(url, **kwargs)',
      'def f(url, **kwargs):',
      '    merged = {**DEFAULTS, **kwargs}',
      '    return requests.get(url, **merged)',
      '@with_default_timeout',
      'def g(url, **kwargs):',
      '    return requests.get(url, **kwargs)',
      'def h(url, **kwargs):',
      '    def inner(u):',
      '        return requests.get(u, **kwargs)',
      '    return inner(url)',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/ok.py', src, R), []);
  });

  it('flags timeout=None next to **kwargs (the kwargs cannot carry another) and offers no fix it cannot make correct', async () => {
    const src = [
      'import requests',
      'def a(url, **kwargs):',
      '    return requests.get(url, timeout=None, **kwargs)',
      'def b(url, **kwargs):',
      '    if url: return requests.get(url, **kwargs)',
      'def c(url, **kwargs):',
      '    return requests.get(url, **kwargs) or requests.head(url, **kwargs)',
      'fetch = lambda url, **kw: requests.get(url, **kw)',
      'def d(url, **kw): return requests.get(url, **kw)',
      '',
    ].join('\n');
    const found = await findings('app/n.py', src, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [3, 5, 7, 7, 8, 9],
    );
    assert.equal(found[0].message, 'timeout=None on requests.get');
    assert.match(await fixAt('app/n.py', src, R, 3), /requests\.get\(url, timeout=10, \*\*kwargs\)/);
    // the one-line `if` gets the default before the whole statement, at its indentation
    assert.match(await fixAt('app/n.py', src, R, 5), /def b\(url, \*\*kwargs\):\n {4}kwargs\.setdefault\("timeout", 10\)\n {4}if url: return/);
    // two calls share the statement: a default there would reach both, so each finding has no fix
    assert.deepEqual(
      found.filter((f) => f.line === 7).map((f) => f.fix),
      [undefined, undefined],
    );
    // a lambda, and a def on one line, have no line to put the default on
    assert.equal(found[4].fix, undefined);
    assert.equal(found[5].fix, undefined);
    assert.equal(found[5].message, 'no timeout on requests.get unless every caller passes one through **kw');
  });

  it('does not take an aiohttp session for the requests Session of the same name in another function', async () => {
    // from the bench (langchain-community utilities/zapier.py): flagged once **kwargs pass-throughs were
    const src = [
      'import aiohttp',
      'import requests',
      'def sync_session():',
      '    session = requests.Session()',
      '    return session',
      'async def arequest(method, url, **kwargs):',
      '    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:',
      '        async with session.request(method, url, **kwargs) as r:',
      '            return await r.json()',
      'def srequest(method, url, **kwargs):',
      '    session = sync_session()',
      '    return session.request(method, url, **kwargs)',
      '',
    ].join('\n');
    const found = await findings('app/z.py', src, R);
    assert.deepEqual(
      found.map((f) => [f.line, f.message]),
      [[12, 'no timeout on requests.Session.request unless every caller passes one through **kwargs']],
    );
  });

  it('does not flag self.requests.get, which is not the requests library', async () => {
    const src = 'import requests\nclass C:\n    def f(self, u):\n        return self.requests.get(u)\n';
    assert.deepEqual(await lines('app/c.py', src, R), []);
  });

  it('flags Session methods unless the session mounts an adapter that sets a timeout', async () => {
    const src = [
      'import requests',
      'from requests.adapters import HTTPAdapter',
      'class TimeoutAdapter(HTTPAdapter):',
      '    def send(self, request, **kwargs):',
      '        kwargs.setdefault("timeout", 5)',
      '        return super().send(request, **kwargs)',
      'safe = requests.Session()',
      'safe.mount("https://", TimeoutAdapter())',
      'plain = requests.Session()',
      'def f(u):',
      '    safe.get(u)',
      '    plain.get(u)',
      '    with requests.Session() as s:',
      '        s.post(u)',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/s.py', src, R), [12, 14]);
  });

  it('accepts httpx and aiohttp defaults (finite) and flags httpx timeout=None', async () => {
    const src = [
      'import httpx, aiohttp',
      'def f(u):',
      '    httpx.get(u)',
      '    httpx.get(u, timeout=None)',
      '    c = httpx.Client(timeout=None)',
      'async def g(u):',
      '    async with aiohttp.ClientSession() as s:',
      '        pass',
      '    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as s:',
      '        pass',
      '',
    ].join('\n');
    // aiohttp: see missingTimeoutAiohttp.test.ts
    assert.deepEqual(await lines('app/h.py', src, R), [4, 5]);
  });
});

describe('missing-timeout: Go', () => {
  const src = [
    'package store',
    '',
    'import (',
    '\t"context"',
    '\t"database/sql"',
    '\t"net/http"',
    ')',
    '',
    'type Store struct{ db *sql.DB }',
    '',
    'var client = &http.Client{}',
    'var good = &http.Client{Timeout: 5 * time.Second}',
    'var unused = &http.Client{}',
    '',
    'func (s *Store) Load(ctx context.Context, u string) error {',
    '\trows, err := s.db.Query("select 1")',
    '\t_ = rows',
    '\t_, _ = http.Get(u)',
    '\treq, _ := http.NewRequest("GET", u, nil)',
    '\tclient.Do(req)',
    '\tgood.Do(req)',
    '\treq2, _ := http.NewRequest("GET", u, nil)',
    '\treq2 = req2.WithContext(ctx)',
    '\t_, _ = s.db.QueryContext(ctx, "select 1")',
    '\treturn err',
    '}',
    '',
  ].join('\n');

  it('flags http.Get, a client without Timeout sending a request without context, and db.Query (not the NewRequest itself)', async () => {
    assert.deepEqual(await lines('svc/store.go', src, R), [11, 16, 18]);
  });

  it('fixes db.Query with a context with timeout derived from the function context', async () => {
    const fixed = await fixAt('svc/store.go', src, R, 16);
    assert.match(fixed, /ctx, cancel := context\.WithTimeout\(ctx, 10 \* time\.Second\)\n\tdefer cancel\(\)\n\trows, err := s\.db\.QueryContext\(ctx, "select 1"\)/);
    assert.match(fixed, /"time"/);
    const client = await fixAt('svc/store.go', src, R, 11);
    assert.match(client, /var client = &http\.Client\{Timeout: 10 \* time\.Second\}/);
  });
});

describe('missing-timeout: Java', () => {
  const src = [
    'import java.net.http.HttpClient;',
    'import java.net.http.HttpRequest;',
    'import java.sql.*;',
    'class Svc {',
    '  HttpClient a = HttpClient.newHttpClient();',
    '  HttpClient b = HttpClient.newBuilder().build();',
    '  HttpClient c = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(2)).build();',
    '  void m(Connection conn, URI u) throws Exception {',
    '    HttpRequest r = HttpRequest.newBuilder(u).GET().build();',
    '    HttpRequest r2 = HttpRequest.newBuilder(u).timeout(java.time.Duration.ofSeconds(3)).build();',
    '    PreparedStatement ps = conn.prepareStatement("select 1");',
    '    try (Statement st = conn.createStatement()) {',
    '      st.setQueryTimeout(5);',
    '    }',
    '    RestTemplate t = new RestTemplate();',
    '    RestTemplate t2 = new RestTemplate(factory);',
    '  }',
    '}',
  ].join('\n');

  it('flags HttpClient without connectTimeout, HttpRequest without timeout, JDBC without query timeout, bare RestTemplate', async () => {
    assert.deepEqual(await lines('src/Svc.java', src, R), [5, 6, 9, 11, 15]);
  });

  it('fixes with builder timeouts and a Duration import, and setQueryTimeout', async () => {
    const fixed = await fixAt('src/Svc.java', src, R, 6);
    assert.match(fixed, /HttpClient\.newBuilder\(\)\.connectTimeout\(Duration\.ofMillis\(10000\)\)\.build\(\)/);
    assert.match(fixed, /import java\.time\.Duration;/);
    const jdbc = await fixAt('src/Svc.java', src, R, 11);
    assert.match(jdbc, /prepareStatement\("select 1"\);\n {4}ps\.setQueryTimeout\(10\);/);
  });

  it('reports the enclosing method', async () => {
    const f = (await findings('src/Svc.java', src, R)).find((x) => x.line === 9);
    assert.equal(f?.function, 'Svc.m');
  });
});
