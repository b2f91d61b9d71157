import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { type AllowMethod, parseAllowMethod, replayDecision } from '../../../src/core/shadow/methodPolicy';
import { createSanitizer } from '../../../src/core/shadow/sanitizer';
import type { ShadowRequest } from '../../../src/core/shadow/shadowRequest';
import type { CapturedRequest } from './captureChromiumFixture';

const captured = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/shadow/chromium-requests.json'), 'utf8')) as CapturedRequest[];

function fromChromium(target: string): ShadowRequest {
  const c = captured.find((x) => x.target === target && x.protocol === 'http/1.1')!;
  return { id: `chromium:${target}`, origin: 'har', method: c.method, target: c.target, route: '', headers: c.headers, ...(c.body ? { body: c.body } : {}), recorded: {} };
}

function rules(...specs: string[]): AllowMethod[] {
  return specs.map((s) => {
    const r = parseAllowMethod(s);
    assert.ok(r.ok, s);
    return r.rule;
  });
}

test('--allow-method specs parse to method, route and prefix', () => {
  assert.deepEqual(parseAllowMethod('POST:/api/quotes'), { ok: true, rule: { method: 'POST', route: '/api/quotes', prefix: false, spec: 'POST:/api/quotes' } });
  assert.deepEqual(parseAllowMethod(' delete:/api/carts/* '), { ok: true, rule: { method: 'DELETE', route: '/api/carts/', prefix: true, spec: 'DELETE:/api/carts/*' } });
  // A route template's own colons stay in the route.
  assert.deepEqual(parseAllowMethod('PATCH:/orders/:id'), { ok: true, rule: { method: 'PATCH', route: '/orders/:id', prefix: false, spec: 'PATCH:/orders/:id' } });
});

test('bad specs get one line that names the spec and the expected form', () => {
  const cases: [string, string][] = [
    ['/api/quotes', 'no method before ":"'],
    [':/api/quotes', 'no method before ":"'],
    ['POST:api/quotes', 'the route must start with "/"'],
    ['POST:', 'the route must start with "/"'],
    ['POST:/api/*/items', '"*" may only end the route'],
    ['PO ST:/x', '"PO ST" is not an HTTP method'],
    ['*:/x', '"*" is not an HTTP method'],
    ['POST:/a b', 'the route has a space in it'],
  ];
  for (const [spec, why] of cases) {
    const r = parseAllowMethod(spec);
    assert.equal(r.ok, false, spec);
    if (!r.ok) {
      assert.equal(r.error, `--allow-method "${spec.trim()}": ${why} (expected METHOD:ROUTE, e.g. POST:/api/quotes)`);
      assert.ok(!r.error.includes('\n'));
    }
  }
  const multi = parseAllowMethod('POST:/x\n/y');
  assert.ok(!multi.ok && !multi.error.includes('\n'));
});

test('GET, HEAD and OPTIONS always replay; other methods only when a rule allows them', () => {
  const get = fromChromium(captured[1].target);
  assert.equal(get.method, 'GET');
  assert.equal(replayDecision(get, []), undefined);
  assert.equal(replayDecision({ ...get, method: 'head' }, []), undefined);
  assert.equal(replayDecision({ ...get, method: 'OPTIONS' }, []), undefined);

  const post = fromChromium('/api/quotes');
  assert.deepEqual(replayDecision(post, []), { id: post.id, reason: 'method-not-allowed', detail: 'POST /api/quotes not opted in (--allow-method POST:/api/quotes)' });
  assert.equal(replayDecision(post, rules('POST:/api/quotes')), undefined);
  assert.equal(replayDecision(post, rules('POST:/api/*')), undefined);
  assert.equal(replayDecision(post, rules('PUT:/api/quotes'))?.reason, 'method-not-allowed', 'the method must match');
  assert.equal(replayDecision(post, rules('POST:/api/quote'))?.reason, 'method-not-allowed', 'exact routes are exact');

  const put = fromChromium('/api/notes/12');
  assert.equal(replayDecision(put, rules('PUT:/api/notes/*')), undefined);
  assert.equal(replayDecision({ ...put, route: '/api/notes/:id' }, rules('PUT:/api/notes/12'))?.reason, 'method-not-allowed', 'the template is matched when known');
  assert.equal(replayDecision({ ...put, route: '/api/notes/:id' }, rules('PUT:/api/notes/:id')), undefined);
});

test('an allowed POST, PUT or PATCH without a captured body is needs-body, unless it recorded Content-Length 0', () => {
  const post = fromChromium('/api/quotes');
  const { body: _dropped, ...noBody } = post;
  const allow = rules('POST:/api/quotes');
  assert.deepEqual(replayDecision(noBody, allow), { id: post.id, reason: 'needs-body', detail: 'POST /api/quotes: no request body was captured' });
  const empty = { ...noBody, headers: noBody.headers.map(([n, v]): [string, string] => [n, n.toLowerCase() === 'content-length' ? '0' : v]) };
  assert.equal(replayDecision(empty, allow), undefined);
  assert.equal(replayDecision({ ...noBody, body: '' }, allow), undefined, 'an empty captured body is a body');
  // DELETE carries no content: nothing to invent.
  assert.equal(replayDecision({ ...noBody, method: 'DELETE', target: '/api/quotes/7' }, rules('DELETE:/api/quotes/*')), undefined);
  assert.equal(replayDecision({ ...noBody, method: 'PATCH' }, rules('PATCH:/api/quotes'))?.reason, 'needs-body');
});

test('the detail shows the path redacted when given the sanitizer, and without the query', () => {
  const s = createSanitizer();
  const r: ShadowRequest = { id: 'gor:9', origin: 'gor', method: 'POST', target: '/users/jane%40example.com/unsubscribe?token=abc', route: '', headers: [], recorded: {} };
  const skipped = replayDecision(r, [], s.text)!;
  assert.match(skipped.detail, /^POST \/users\/REDACTED-[0-9a-f]{8}\/unsubscribe not opted in/);
  assert.ok(!skipped.detail.includes('jane') && !skipped.detail.includes('token=abc'));
});
