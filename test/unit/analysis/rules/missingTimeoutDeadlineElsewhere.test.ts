// missing-timeout false positives of issue 11 §1: the deadline exists, just not as an argument of the call.
// Snippets are modelled on real services (axios API modules, requests adapters, Spring RestTemplate configs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings, lines } from './support';

const R = 'missing-timeout';

describe('missing-timeout: a deadline elsewhere (TypeScript/JavaScript)', () => {
  it('an axios instance whose request interceptor sets the timeout (inline or a function of the module)', async () => {
    const src = [
      "import axios, { type InternalAxiosRequestConfig } from 'axios';",
      "const api = axios.create({ baseURL: process.env.API_URL, headers: { 'Content-Type': 'application/json' } });",
      'api.interceptors.request.use((config) => {',
      '  config.timeout = config.timeout || 8000;',
      '  return config;',
      '});',
      "const billing = axios.create({ baseURL: '/billing' });",
      'function withDefaults(config: InternalAxiosRequestConfig) {',
      '  return { ...config, timeout: config.timeout ?? 5000 };',
      '}',
      'billing.interceptors.request.use(withDefaults);',
      "const legacy = axios.create({ baseURL: '/legacy' });",
      "legacy.interceptors.request.use((config) => { config.headers.set('X-Trace', '1'); return config; });",
      'export const listOrders = (userId: string) => api.get(`/users/${userId}/orders`);',
      "export const charge = (body: unknown) => billing.post('/charges', body);",
      "export const ping = () => legacy.get('/ping');",
    ].join('\n');
    // the interceptor of `legacy` sets a header, not a timeout: still a finding
    assert.deepEqual(await lines('src/api/client.ts', src, R), [16]);
  });

  it('a request raced against a timer or handed to a timeout wrapper', async () => {
    const src = [
      "import pTimeout from 'p-timeout';",
      'const sleep = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms));',
      'export async function health(url: string) {',
      '  const res = await Promise.race([fetch(`${url}/health`), sleep(2000)]);',
      '  return res.ok;',
      '}',
      'export async function profile(url: string) {',
      '  return withTimeout(fetch(url).then((r) => r.json()), 3000);',
      '}',
      'export async function avatar(url: string) {',
      '  return pTimeout(fetch(url), { milliseconds: 3000 });',
      '}',
      'export async function both(a: string, b: string) {',
      '  return Promise.all([fetch(a), fetch(b)]);',
      '}',
    ].join('\n');
    // Promise.all has no timer: both fetches there stay findings
    assert.deepEqual(await lines('src/probe.ts', src, R), [14, 14]);
  });

  it('a Request built with a signal, and options given their signal after the literal', async () => {
    const src = [
      'export async function send(url: string, body: string) {',
      "  const request = new Request(url, { method: 'POST', body, signal: AbortSignal.timeout(5000) });",
      '  const a = await fetch(request);',
      "  const init: RequestInit = { method: 'PUT', body };",
      '  const controller = new AbortController();',
      '  const timer = setTimeout(() => controller.abort(), 5000);',
      '  init.signal = controller.signal;',
      '  const b = await fetch(url, init).finally(() => clearTimeout(timer));',
      '  const c = await fetch(new Request(url));',
      '  return [a, b, c];',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/send.ts', src, R), [9]);
  });

  it('keeps the true positives: a bare fetch in a request handler, an axios call with no timeout anywhere', async () => {
    const src = [
      "import axios from 'axios';",
      "import express from 'express';",
      'const app = express();',
      "app.get('/orders/:id', async (req, res) => {",
      '  const r = await fetch(`${process.env.ORDERS}/orders/${req.params.id}`);',
      '  const user = await axios.get(`${process.env.USERS}/users/${req.query.user}`);',
      '  res.json({ order: await r.json(), user: user.data });',
      '});',
    ].join('\n');
    const found = await findings('src/server.ts', src, R);
    assert.deepEqual(
      found.map((f) => [f.line, f.message]),
      [
        [5, 'no timeout on fetch (no AbortSignal)'],
        [6, 'no timeout on axios.get'],
      ],
    );
  });
});

describe('missing-timeout: a deadline elsewhere (Python)', () => {
  it('a Session with a timeout adapter mounted through a variable, or an adapter class named for it', async () => {
    const src = [
      'import requests',
      'from requests.adapters import HTTPAdapter',
      'from urllib3.util.retry import Retry',
      'from .http import TimeoutHTTPAdapter',
      '',
      'def build_session(timeout: float) -> requests.Session:',
      '    session = requests.Session()',
      '    adapter = TimeoutHTTPAdapter(timeout=timeout, max_retries=Retry(total=3, backoff_factor=0.5))',
      '    session.mount("https://", adapter)',
      '    session.mount("http://", adapter)',
      '    return session',
      '',
      'def fetch_rates(base: str):',
      '    s = requests.Session()',
      '    s.mount("https://", TimeoutHTTPAdapter())',
      '    return s.get(f"https://rates.example/{base}").json()',
      '',
      'def fetch_user(uid: str):',
      '    session = requests.Session()',
      '    retry = HTTPAdapter(max_retries=Retry(total=3))',
      '    session.mount("https://", retry)',
      '    return session.get(f"https://users.example/{uid}").json()',
      '',
    ].join('\n');
    // retries are not a timeout: the last session is still a finding
    assert.deepEqual(await lines('app/clients.py', src, R), [22]);
  });

  it('a parameter named like a session of another function is not that session (httpx.Client(timeout=...) passed in)', async () => {
    const src = [
      'import httpx',
      'import requests',
      '',
      'def legacy_report(url):',
      '    session = requests.Session()',
      '    return session.get(url)',
      '',
      'def fetch_page(session: httpx.Client, url: str) -> str:',
      '    return session.get(url).text',
      '',
      'def crawl(urls):',
      '    with httpx.Client(timeout=10.0) as session:',
      '        return [fetch_page(session, u) for u in urls]',
      '',
      'def report(client, url):',
      '    client = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))',
      '    return client.post(url, json={})',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/crawl.py', src, R), [6]);
  });

  it('a parameter whose default is httpx.Timeout(None) leaves the deadline to the callers; the same value passed to a client is a finding', async () => {
    const src = [
      'import httpx',
      'def embed(url, data, timeout: float | httpx.Timeout | None = httpx.Timeout(None)):',
      '    return httpx.post(url, json=data, timeout=timeout)',
      'def client():',
      '    return httpx.Client(timeout=httpx.Timeout(None))',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/embed.py', src, R), [5]);
  });

  it('no deadline is needed by a client whose transport answers in-process (httpx.ASGITransport, directly or through a module name)', async () => {
    const src = [
      'from typing import Final',
      'import httpx',
      '_TRANSPORT: Final = httpx.ASGITransport(app=dispatch)',
      'def local_client():',
      '    return get_async_client(params={"transport": _TRANSPORT, "timeout": httpx.Timeout(None)})',
      'def test_client(app):',
      '    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=httpx.Timeout(None))',
      'def remote_client():',
      '    return get_async_client(params={"transport": httpx.AsyncHTTPTransport(retries=2), "timeout": httpx.Timeout(None)})',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/asgi.py', src, R), [9]);
  });

  it('keeps requests.get(url) without a timeout', async () => {
    assert.deepEqual(await lines('app/a.py', 'import requests\ndef f(u):\n    return requests.get(u).json()\n', R), [3]);
  });
});

describe('missing-timeout: a deadline elsewhere (Java)', () => {
  it('an HttpClient without connectTimeout whose every request has a timeout, and a request sent with a future deadline', async () => {
    const src = [
      'import java.net.URI;',
      'import java.net.http.HttpClient;',
      'import java.net.http.HttpRequest;',
      'import java.net.http.HttpResponse;',
      'import java.time.Duration;',
      'import java.util.concurrent.CompletableFuture;',
      'import java.util.concurrent.TimeUnit;',
      'public class InventoryClient {',
      '  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();',
      '  public String stock(String sku) throws Exception {',
      '    HttpRequest req = HttpRequest.newBuilder(URI.create(BASE + sku)).timeout(Duration.ofSeconds(3)).GET().build();',
      '    return http.send(req, HttpResponse.BodyHandlers.ofString()).body();',
      '  }',
      '  public CompletableFuture<String> stockAsync(String sku) {',
      '    HttpRequest req = HttpRequest.newBuilder(URI.create(BASE + sku)).timeout(Duration.ofSeconds(3)).build();',
      '    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body).orTimeout(4, TimeUnit.SECONDS);',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/main/java/shop/InventoryClient.java', src, R), []);
    // one request without a timeout: the client is a finding again, and so is the request
    const one = src.replace('.timeout(Duration.ofSeconds(3)).GET()', '.GET()');
    assert.deepEqual(await lines('src/main/java/shop/InventoryClient.java', one, R), [9, 11]);
    // an async request without timeout is fine when its future has one
    const asyncOnly = src.replace('URI.create(BASE + sku)).timeout(Duration.ofSeconds(3)).build()', 'URI.create(BASE + sku)).build()');
    assert.deepEqual(await lines('src/main/java/shop/InventoryClient.java', asyncOnly, R), [9]);
  });

  it('a RestTemplate given a request factory afterwards or through its builder', async () => {
    const src = [
      'import org.springframework.boot.web.client.RestTemplateBuilder;',
      'import org.springframework.http.client.SimpleClientHttpRequestFactory;',
      'import org.springframework.web.client.RestTemplate;',
      '@Configuration',
      'public class HttpConfig {',
      '  @Bean',
      '  public RestTemplate paymentsTemplate() {',
      '    SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();',
      '    factory.setConnectTimeout(2000);',
      '    factory.setReadTimeout(5000);',
      '    RestTemplate template = new RestTemplate();',
      '    template.setRequestFactory(factory);',
      '    return template;',
      '  }',
      '  @Bean',
      '  public RestTemplate catalogTemplate(RestTemplateBuilder builder, ClientHttpRequestFactory pooled) {',
      '    return builder.rootUri("https://catalog").requestFactory(() -> pooled).build();',
      '  }',
      '  @Bean',
      '  public RestTemplate reportsTemplate(RestTemplateBuilder builder) {',
      '    return builder.requestFactory(SimpleClientHttpRequestFactory::new).build();',
      '  }',
      '  @Bean',
      '  public RestTemplate plain() {',
      '    return new RestTemplate();',
      '  }',
      '}',
    ].join('\n');
    // a bare factory constructor has no timeouts, and a plain RestTemplate none either
    assert.deepEqual(await lines('src/main/java/shop/HttpConfig.java', src, R), [21, 25]);
  });
});
