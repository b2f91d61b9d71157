import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { scanFunctions } from '../../../src/core/mapping/functionScan';
import { normalizeRoute, scanRoutes } from '../../../src/core/mapping/routeScan';

const FIXTURES = join(__dirname, '../../fixtures/routes');

/** [line, method, route, pattern, handler] per registration, in line order. */
function scanFixture(name: string): { rows: [number, string, string, string, string][]; frameworks: Set<string> } {
  const regs = scanRoutes(name, readFileSync(join(FIXTURES, name), 'utf8'));
  for (const r of regs) assert.equal(r.file, name);
  return { rows: regs.map((r) => [r.line, r.method, r.route, r.pattern, r.handler]), frameworks: new Set(regs.map((r) => r.framework)) };
}

test('normalizeRoute folds every parameter syntax to {} and wildcards to {*}', () => {
  const cases: [string, string][] = [
    ['/users/:id', '/users/{}'],
    ['/users/{id}', '/users/{}'],
    ['/users/<int:id>', '/users/{}'],
    ['/users/<id>', '/users/{}'],
    ['/users/:id?', '/users/{}'],
    ['/orders/:orderId(\\d+)', '/orders/{}'],
    ['/orders/{id:[0-9]{1,6}}', '/orders/{}'],
    ['/flights/:from-:to', '/flights/{}-{}'],
    ['/files/*', '/files/{*}'],
    ['/files/*path', '/files/{*}'],
    ['/assets/*filepath', '/assets/{*}'],
    ['/static/{path...}', '/static/{*}'],
    ['/docs/{*rest}', '/docs/{*}'],
    ['/files/<path:subpath>', '/files/{*}'],
    ['/files/{p:path}', '/files/{*}'],
    ['/api/**', '/api/{*}'],
    ['/items/{$}', '/items'],
    ['/users/', '/users'],
    ['//users//list/', '/users/list'],
    ['/', '/'],
    ['', '/'],
    ['*', '/{*}'],
    ['users/:id', '/users/{}'],
    ['/v1/things:batchGet', '/v1/things:batchGet'],
  ];
  for (const [input, want] of cases) assert.equal(normalizeRoute(input), want, input);
});

test('normalizeRoute is idempotent and makes Express, FastAPI and Flask spellings agree', () => {
  const seg = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
  const part = fc.oneof(
    seg.map((s) => ({ lit: s })),
    seg.map((s) => ({ param: s })),
  );
  fc.assert(
    fc.property(fc.array(part, { maxLength: 6 }), (parts) => {
      const spell = (p: (typeof parts)[number], style: number): string => ('lit' in p ? p.lit : style === 0 ? `:${p.param}` : style === 1 ? `{${p.param}}` : `<int:${p.param}>`);
      const forms = [0, 1, 2].map((style) => '/' + parts.map((p) => spell(p, style)).join('/'));
      const normalized = forms.map(normalizeRoute);
      assert.equal(normalized[1], normalized[0]);
      assert.equal(normalized[2], normalized[0]);
      assert.equal(normalizeRoute(normalized[0]!), normalized[0]);
    }),
  );
});

test('Express: verbs, middleware chains, multi-line calls, route chains; settings reads and clients ignored', () => {
  const { rows, frameworks } = scanFixture('express.js');
  assert.deepEqual(rows, [
    [16, 'GET', '/health', '/health', ''],
    [20, 'GET', '/users', '/users', 'listUsers'],
    [21, 'GET', '/users/:id', '/users/{}', 'getUser'],
    [25, 'POST', '/users', '/users', 'createUser'],
    [28, 'GET', '/orders/:orderId(\\d+)', '/orders/{}', 'loadOrder'],
    [36, 'GET', '/books/:isbn', '/books/{}', ''],
    [37, 'PUT', '/books/:isbn', '/books/{}', 'updateBook'],
    [38, 'DELETE', '/books/:isbn', '/books/{}', 'deleteBook'],
    [48, 'GET', '/files/*', '/files/{*}', ''],
    [49, '*', '/legacy/:page?', '/legacy/{}', ''],
  ]);
  assert.deepEqual([...frameworks], ['express']);
});

test('Fastify: shorthand with options, route() objects with method arrays, handler in options', () => {
  const { rows, frameworks } = scanFixture('fastify.ts');
  assert.deepEqual(rows, [
    [7, 'GET', '/items', '/items', 'listItems'],
    [9, 'GET', '/items/:id', '/items/{}', ''],
    [19, 'POST', '/items/:id/tags', '/items/{}/tags', ''],
    [19, 'PUT', '/items/:id/tags', '/items/{}/tags', ''],
    [28, 'DELETE', '/items/:id', '/items/{}', 'deleteItem'],
    [38, 'POST', '/admin/reindex', '/admin/reindex', ''],
  ]);
  assert.deepEqual([...frameworks], ['fastify']);
});

test('Koa: router prefix from the constructor, named routes, del()', () => {
  const { rows, frameworks } = scanFixture('koa.js');
  assert.deepEqual(rows, [
    [8, 'GET', '/api/v1/', '/api/v1', ''],
    [12, 'GET', '/api/v1/products/:sku', '/api/v1/products/{}', ''],
    [17, 'POST', '/api/v1/products', '/api/v1/products', 'createProduct'],
    [18, 'DELETE', '/api/v1/products/:sku', '/api/v1/products/{}', 'removeProduct'],
  ]);
  assert.deepEqual([...frameworks], ['koa']);
});

test('NestJS: controller prefix joined, handler is the method, line is the method line', () => {
  const { rows, frameworks } = scanFixture('nest.controller.ts');
  assert.deepEqual(rows, [
    [12, 'GET', '/users', '/users', 'findAll'],
    [17, 'GET', '/users/:id', '/users/{}', 'findOne'],
    [24, 'POST', '/users', '/users', 'create'],
    [29, 'DELETE', '/users/:id', '/users/{}', 'remove'],
    [37, 'GET', '/health', '/health', 'check'],
  ]);
  assert.deepEqual([...frameworks], ['nestjs']);
});

test('Flask: methods lists, blueprint url_prefix, converters; requests.get and docstrings ignored', () => {
  const { rows, frameworks } = scanFixture('flask_app.py');
  assert.deepEqual(rows, [
    [16, 'GET', '/', '/', 'index'],
    [21, 'GET', '/orders/<int:order_id>', '/orders/{}', 'order_detail'],
    [21, 'DELETE', '/orders/<int:order_id>', '/orders/{}', 'order_detail'],
    [28, 'POST', '/orders/', '/orders', 'create_order'],
    [37, 'GET', '/files/<path:subpath>', '/files/{*}', 'download'],
  ]);
  assert.deepEqual([...frameworks], ['flask']);
});

test('FastAPI: APIRouter prefix in the same file, multi-line decorators, api_route methods', () => {
  const { rows, frameworks } = scanFixture('fastapi_app.py');
  assert.deepEqual(rows, [
    [17, 'GET', '/health', '/health', 'health'],
    [22, 'GET', '/items/{item_id}', '/items/{}', 'read_item'],
    [34, 'POST', '/items/', '/items', 'create_item'],
    [39, 'PUT', '/items/{item_id}/sync', '/items/{}/sync', 'sync_item'],
    [39, 'PATCH', '/items/{item_id}/sync', '/items/{}/sync', 'sync_item'],
  ]);
  assert.deepEqual([...frameworks], ['fastapi']);
});

test('Spring: class @RequestMapping prefix, verb mappings, RequestMethod lists, regex params', () => {
  const { rows, frameworks } = scanFixture('OrderController.java');
  assert.deepEqual(rows, [
    [22, 'GET', '/api/orders', '/api/orders', 'list'],
    [27, 'GET', '/api/orders/{id}', '/api/orders/{}', 'get'],
    [33, 'POST', '/api/orders', '/api/orders', 'create'],
    [41, 'POST', '/api/orders/{id}/cancel', '/api/orders/{}/cancel', 'cancel'],
    [41, 'PUT', '/api/orders/{id}/cancel', '/api/orders/{}/cancel', 'cancel'],
    [46, 'DELETE', '/api/orders/{id:[0-9]+}', '/api/orders/{}', 'delete'],
    [51, '*', '/api/orders/search', '/api/orders/search', 'search'],
  ]);
  assert.deepEqual([...frameworks], ['spring']);
});

test('Go net/http: 1.22 method patterns, Handle with types and wrappers; client calls ignored', () => {
  const { rows, frameworks } = scanFixture('main.go');
  assert.deepEqual(rows, [
    [25, 'GET', '/items', '/items', 'listItems'],
    [26, 'GET', '/items/{id}', '/items/{}', ''],
    [30, 'POST', '/items/', '/items', 'itemHandler.ServeHTTP'],
    [31, '*', '/static/{path...}', '/static/{*}', 'http.StripPrefix'],
    [32, '*', '/healthz', '/healthz', 'healthz'],
  ]);
  assert.deepEqual([...frameworks], ['net/http']);
});

test('chi: nested Route prefixes, Method(), regex params; method values named by their receiver type', () => {
  const { rows, frameworks } = scanFixture('chi.go');
  assert.deepEqual(rows, [
    [20, 'GET', '/', '/', ''],
    [25, 'GET', '/articles/', '/articles', 'ArticleHandler.List'],
    [27, 'GET', '/articles/{articleID:[0-9]+}/', '/articles/{}', 'ArticleHandler.Get'],
    [28, 'PUT', '/articles/{articleID:[0-9]+}/', '/articles/{}', 'ArticleHandler.Update'],
    [32, 'DELETE', '/cache/*', '/cache/{*}', 'purgeCache'],
  ]);
  assert.deepEqual([...frameworks], ['chi']);
});

test('gin: groups (nested), middleware before the handler, Any', () => {
  const { rows, frameworks } = scanFixture('gin.go');
  assert.deepEqual(rows, [
    [19, 'GET', '/albums', '/albums', 'getAlbums'],
    [20, 'POST', '/albums', '/albums', 'postAlbums'],
    [24, 'GET', '/v1/albums/:id', '/v1/albums/{}', ''],
    [29, 'DELETE', '/v1/admin/albums/:id', '/v1/admin/albums/{}', 'deleteAlbum'],
    [32, '*', '/assets/*filepath', '/assets/{*}', 'serveAssets'],
  ]);
  assert.deepEqual([...frameworks], ['gin']);
});

test('false-positive traps produce no routes', () => {
  const js = [
    'const cache = new Map();',
    "const api = axios.create({ baseURL: '/api' });",
    "const v = cache.get('key');",
    'const w = map.get(k);',
    "app.get('port');",
    "app.get('env', fallback);",
    "const port = app.get('port') || 3000;",
    "const users = await axios.get('/api/users');",
    "await api.post('/login', credentials);",
    "await http.get('/status', onResponse);",
    "await request(app).get('/users').expect(200);",
    "const url = `app.get('/in-template', h)`;",
    "/* app.get('/in-comment', h) */",
    "const re = /app.get\\('\\/in-regex', h\\)/;",
    'router.get(`/dynamic/${id}`, handler);',
    "store.post('/x', payload);",
  ].join('\n');
  assert.deepEqual(scanRoutes('traps.js', js), []);
  const py = [
    'import requests',
    "r = requests.get('http://example.com/api')",
    "requests.post('/relative', json={})",
    "session.get('/x')",
    "@pytest.mark.parametrize('path', ['/a'])",
    'def test_paths(path):',
    '    pass',
    "# @app.route('/commented')",
    "@app.route(f'/dynamic/{prefix}')",
    'def dyn():',
    '    pass',
  ].join('\n');
  assert.deepEqual(scanRoutes('traps.py', py), []);
  const go = [
    'package main',
    'func f(r *http.Request, c *http.Client) {',
    '\tr.Header.Get("Accept")',
    '\tr.URL.Query().Get("page")',
    '\tc.Post("/upload", "application/json", body)',
    '\thttp.Get("http://example.com/")',
    '\t// mux.HandleFunc("/commented", h)',
    '\ts := `mux.HandleFunc("/raw", h)`',
    '}',
  ].join('\n');
  assert.deepEqual(scanRoutes('traps.go', go), []);
  const java = 'class A {\n  // @GetMapping("/x")\n  String s = "@GetMapping(\\"/y\\")";\n  void run() { map.get("/z"); }\n}\n';
  assert.deepEqual(scanRoutes('A.java', java), []);
});

test('unknown extensions scan to nothing; receivers declared as routers count whatever their name', () => {
  assert.deepEqual(scanRoutes('notes.md', "app.get('/x', h)"), []);
  const src = "const r = express.Router();\nr.get('/x', list);\nconst cfg = loadConfig();\ncfg.get('/y', fallback);\n";
  assert.deepEqual(
    scanRoutes('r.ts', src).map((r) => [r.line, r.route, r.handler]),
    [[2, '/x', 'list']],
  );
});

test('handler names are unwrapped from wrappers, bind and arrays; line follows the handler', () => {
  const src = [
    "router.get('/a', asyncHandler(async (req, res) => {",
    '  res.end();',
    '}));',
    "router.get('/b', [auth, ctrl.list]);",
    "router.post('/c', this.create.bind(this));",
    'router.put(',
    "  '/d',",
    '  validate(schema),',
    '  updateThing,',
    ');',
  ].join('\n');
  assert.deepEqual(
    scanRoutes('r.js', src).map((r) => [r.line, r.method, r.route, r.handler]),
    [
      [1, 'GET', '/a', ''],
      [4, 'GET', '/b', 'ctrl.list'],
      [5, 'POST', '/c', 'create'],
      [9, 'PUT', '/d', 'updateThing'],
    ],
  );
});

test('scanners never throw on arbitrary source-like text and report lines inside the file', () => {
  const tokens = [
    'app',
    'router',
    'r',
    '.',
    'get',
    'GET',
    'Get',
    'route',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    "'/x/:id'",
    '"/y/{id}"',
    '`/z`',
    ',',
    ';',
    '\n',
    '  ',
    '=>',
    'func',
    'def ',
    'async ',
    'class ',
    '@app.get',
    '@Get',
    '@GetMapping',
    '//',
    '/*',
    '*/',
    '#',
    '"""',
    "'",
    '"',
    '`',
    '${',
    '/',
    'handler',
    ':',
    '=',
  ];
  const source = fc.array(fc.constantFrom(...tokens), { maxLength: 80 }).map((t) => t.join(''));
  fc.assert(
    fc.property(source, fc.constantFrom('a.ts', 'a.py', 'a.go', 'A.java'), (text, file) => {
      const lines = text.split('\n').length;
      for (const r of scanRoutes(file, text)) {
        assert.ok(r.line >= 1 && r.line <= lines);
        assert.equal(r.pattern, normalizeRoute(r.route));
      }
      for (const d of scanFunctions(file, text)) assert.ok(d.line >= 1 && d.line <= d.endLine && d.endLine <= lines, JSON.stringify(d));
    }),
    { numRuns: 2000 },
  );
});
