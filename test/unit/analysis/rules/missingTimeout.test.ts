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
      "  await fetchFn(u, { timeout: 3000 });",
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
    assert.deepEqual(await lines('app/a.py', src, R), [5, 7, 9]);
    assert.match(await fixAt('app/a.py', src, R, 5), /r\.get\(u, timeout=10\)/);
    assert.match(await fixAt('app/a.py', src, R, 7), /timeout=10\)/);
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

  it('accepts httpx defaults (finite) and flags timeout=None; flags aiohttp without ClientTimeout', async () => {
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
    assert.deepEqual(await lines('app/h.py', src, R), [4, 5, 7]);
    assert.match(await fixAt('app/h.py', src, R, 7), /ClientSession\(timeout=aiohttp\.ClientTimeout\(total=10\)\)/);
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

  it('flags http.Get, NewRequest without context, a used client without Timeout and db.Query', async () => {
    assert.deepEqual(await lines('svc/store.go', src, R), [11, 16, 18, 19]);
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
    assert.match(jdbc, /prepareStatement\("select 1"\);\n    ps\.setQueryTimeout\(10\);/);
  });

  it('reports the enclosing method', async () => {
    const f = (await findings('src/Svc.java', src, R)).find((x) => x.line === 9);
    assert.equal(f?.function, 'Svc.m');
  });
});
