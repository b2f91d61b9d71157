import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RouteIndex } from '../../../src/core/mapping/routeIndex';
import { normalizeRoute, scanRoutes } from '../../../src/core/mapping/routeScan';
import type { RouteRegistration } from '../../../src/core/mapping/routeScan';

const FIXTURES = join(__dirname, '../../fixtures/routes');

function reg(file: string, method: string, route: string, line = 1, handler = ''): RouteRegistration {
  return { method, route, pattern: normalizeRoute(route), file, line, handler, framework: 'test' };
}

function fixtureIndex(): RouteIndex {
  const index = new RouteIndex();
  // Files only: the real-project fixtures in subfolders have their own tests (routeFixturesGo.test.ts).
  for (const f of readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => d.name))
    index.setFile(f, scanRoutes(f, readFileSync(join(FIXTURES, f), 'utf8')));
  return index;
}

const where = (r: RouteRegistration | undefined): string => (r ? `${r.file}:${r.line}:${r.handler}` : 'none');

test('http.route values as instrumentations report them find the registration in any framework', () => {
  const index = fixtureIndex();
  const cases: [string, string, string][] = [
    ['PUT', '/books/:isbn', 'express.js:37:updateBook'], // @opentelemetry/instrumentation-express
    ['DELETE', '/orders/<int:order_id>', 'flask_app.py:21:order_detail'], // opentelemetry-instrumentation-flask
    ['PATCH', '/items/{item_id}/sync', 'fastapi_app.py:39:sync_item'], // opentelemetry-instrumentation-fastapi
    ['GET', '/api/orders/{id}', 'OrderController.java:27:get'], // Spring Web MVC
    ['DELETE', '/api/orders/{id}', 'OrderController.java:46:delete'],
    ['GET', '/v1/albums/:id', 'gin.go:24:'], // otelgin
    ['PUT', '/articles/{articleID}', 'chi.go:28:ArticleHandler.Update'],
    ['GET', '/api/v1/products/:sku', 'koa.js:12:'],
    ['POST', '/admin/reindex', 'fastify.ts:38:'],
  ];
  for (const [method, route, want] of cases) {
    const hit = index.match(method, route);
    assert.equal(where(hit?.registration), want, `${method} ${route}`);
    assert.deepEqual(hit?.ambiguous, [], `${method} ${route}`);
  }
});

test('several files registering the same method and pattern: first by file order, the rest ambiguous', () => {
  const index = fixtureIndex();
  // fastify.ts (/items/:id), fastapi_app.py (/items/{item_id}) and main.go (GET /items/{id}) all serve GET /items/{}.
  const hit = index.match('GET', '/items/{id}');
  assert.equal(where(hit?.registration), 'fastapi_app.py:22:read_item');
  assert.deepEqual(hit?.ambiguous.map(where), ['fastify.ts:9:', 'main.go:26:']);
  // express.js and nest.controller.ts both serve GET /users/:id.
  const users = index.match('GET', '/users/:id');
  assert.equal(where(users?.registration), 'express.js:21:getUser');
  assert.deepEqual(users?.ambiguous.map(where), ['nest.controller.ts:17:findOne']);
});

test('the order does not depend on the order files were added', () => {
  const a = new RouteIndex();
  const b = new RouteIndex();
  const regs = [reg('src/b.ts', 'GET', '/x/:id', 9), reg('src/a.ts', 'GET', '/x/{id}', 3), reg('src/a.ts', 'GET', '/x/<id>', 1)];
  for (const r of regs)
    a.setFile(
      r.file,
      regs.filter((x) => x.file === r.file),
    );
  for (const r of [...regs].reverse())
    b.setFile(
      r.file,
      regs.filter((x) => x.file === r.file),
    );
  for (const index of [a, b]) {
    const hit = index.match('GET', '/x/:any');
    assert.equal(where(hit?.registration), 'src/a.ts:1:');
    assert.deepEqual(hit?.ambiguous.map(where), ['src/a.ts:3:', 'src/b.ts:9:']);
  }
});

test('exact method first, then any-method registrations, HEAD falls back to GET', () => {
  const index = new RouteIndex();
  index.setFile('a.js', [reg('a.js', '*', '/items/:id', 1, 'any'), reg('a.js', 'GET', '/items/:id', 2, 'get')]);
  assert.equal(index.match('GET', '/items/{id}')?.registration.handler, 'get');
  assert.equal(index.match('post', '/items/{id}')?.registration.handler, 'any');
  assert.equal(index.match('HEAD', '/items/<id>')?.registration.handler, 'any');
  // http.route is a template: a concrete URL path does not match a parameterized registration.
  assert.equal(index.match('GET', '/items/7'), undefined);
  index.setFile('b.js', [reg('b.js', 'GET', '/only-get', 1, 'g')]);
  assert.equal(index.match('HEAD', '/only-get')?.registration.handler, 'g');
  assert.equal(index.match('POST', '/only-get'), undefined);
  assert.equal(index.match('GET', '/nowhere'), undefined);
  assert.equal(index.match('GET', ''), undefined);
});

test('method-prefixed routes (span-name style) and an unknown method', () => {
  const index = new RouteIndex();
  index.setFile('main.go', [reg('main.go', 'GET', '/items/{id}', 5, 'getItem'), reg('main.go', 'DELETE', '/items/{id}', 9, 'delItem')]);
  assert.equal(index.match('', 'GET /items/{id}')?.registration.handler, 'getItem');
  assert.equal(index.match('', 'DELETE /items/:id')?.registration.handler, 'delItem');
  // The span's own method attribute wins over the text prefix.
  assert.equal(index.match('DELETE', 'GET /items/{id}')?.registration.handler, 'delItem');
  // No method at all: every registration of the pattern is a candidate, so the caller sees the ambiguity.
  const any = index.match('', '/items/{id}');
  assert.equal(any?.registration.handler, 'getItem');
  assert.deepEqual(
    any?.ambiguous.map((r) => r.handler),
    ['delItem'],
  );
});

test('setFile replaces a file, removeFile forgets it, size counts registrations', () => {
  const index = new RouteIndex();
  assert.equal(index.size(), 0);
  index.setFile('a.py', [reg('a.py', 'GET', '/a'), reg('a.py', 'POST', '/a')]);
  index.setFile('b.py', [reg('b.py', 'GET', '/a', 4)]);
  assert.equal(index.size(), 3);
  assert.equal(index.match('GET', '/a')?.ambiguous.length, 1);
  index.setFile('a.py', [reg('a.py', 'PUT', '/a')]);
  assert.equal(index.size(), 2);
  assert.equal(where(index.match('GET', '/a')?.registration), 'b.py:4:');
  assert.deepEqual(index.match('GET', '/a')?.ambiguous, []);
  index.removeFile('b.py');
  index.removeFile('never-added.py');
  assert.equal(index.size(), 1);
  assert.equal(index.match('GET', '/a'), undefined);
  index.setFile('a.py', []);
  assert.equal(index.size(), 0);
  assert.equal(index.match('PUT', '/a'), undefined);
});
