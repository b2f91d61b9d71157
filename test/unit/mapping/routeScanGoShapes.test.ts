import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { normalizeRoute, scanRoutes } from '../../../src/core/mapping/routeScan';

/** [line, method, route, handler, framework] per registration. */
function rows(src: string): [number, string, string, string, string][] {
  return scanRoutes('main.go', src).map((r) => [r.line, r.method, r.route, r.handler, r.framework]);
}

test('ServeMux: method in the pattern, host-qualified, {path...} and {$}, http.HandleFunc and mux.Handle', () => {
  const src = [
    'package main', // 1
    '',
    'import "net/http"',
    '',
    'func main() {', // 5
    '\tmux := http.NewServeMux()',
    '\tmux.HandleFunc("GET /price/{item}", price)',
    '\thttp.HandleFunc("POST /order", order)',
    '\tmux.Handle("POST /x", pricing.Handler)',
    '\tmux.Handle("GET example.com/x", exampleHandler)', // 10
    '\tmux.Handle("GET /files/{path...}", http.StripPrefix("/files/", files))',
    '\tmux.HandleFunc("GET /{$}", index)',
    '\tmux.HandleFunc("Get /lower", lower)',
    '\tmux.HandleFunc("/any", anyMethod)',
    '}', // 15
  ].join('\n');
  assert.deepEqual(rows(src), [
    [7, 'GET', '/price/{item}', 'price', 'net/http'],
    [8, 'POST', '/order', 'order', 'net/http'],
    [9, 'POST', '/x', 'pricing.Handler', 'net/http'],
    [10, 'GET', '/x', 'exampleHandler', 'net/http'],
    [11, 'GET', '/files/{path...}', 'files', 'net/http'],
    [12, 'GET', '/{$}', 'index', 'net/http'],
    [13, 'GET', '/lower', 'lower', 'net/http'],
    [14, '*', '/any', 'anyMethod', 'net/http'],
  ]);
});

test('Go handlers: method values by receiver type, factories, middleware, wrappers, func literals', () => {
  const src = [
    'package main', // 1
    '',
    'import "net/http"',
    '',
    'type Handler struct{}', // 5
    '',
    'func (h *Handler) price(w http.ResponseWriter, r *http.Request) {}',
    '',
    'func panicHandler() http.Handler {',
    '\treturn http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic("x") })', // 10
    '}',
    '',
    'func (s *Server) routes(mux *http.ServeMux, h *Handler) {',
    '\tmux.HandleFunc("GET /price/{item}", h.price)',
    '\tmux.Handle("GET /panic", panicHandler())', // 15
    '\tmux.Handle("POST /login", handleLogin(s.store, s.log))',
    '\tmux.Handle("GET /admin", requireAdmin(',
    '\t\thandleAdmin(s.store),',
    '\t))',
    '\tmux.HandleFunc("GET /links", s.requireKey(s.listLinks))', // 20
    '\tmux.Handle("GET /traced", otelhttp.WithRouteTag("/traced", http.HandlerFunc(s.traced)))',
    '\tmux.Handle("GET /wrapped", otelhttp.NewHandler(http.HandlerFunc(wrapped), "wrapped"))',
    '\tmux.HandleFunc("GET /media/{name...}", hostOnly(func(w http.ResponseWriter, r *http.Request) {',
    '\t\tw.WriteHeader(200)',
    '\t}))', // 25
    '\tmux.Handle("GET /curried", withAuth(cfg)(s.curried))',
    '\tmux.Handle("GET /static/", http.FileServer(http.Dir("static")))',
    '}',
  ].join('\n');
  assert.deepEqual(
    rows(src).map(([line, method, route, handler]) => [line, method, route, handler]),
    [
      [14, 'GET', '/price/{item}', 'Handler.price'],
      [15, 'GET', '/panic', 'panicHandler'],
      [16, 'POST', '/login', 'handleLogin'],
      [18, 'GET', '/admin', 'handleAdmin'],
      [20, 'GET', '/links', 'Server.listLinks'],
      [21, 'GET', '/traced', 'Server.traced'],
      [22, 'GET', '/wrapped', 'wrapped'],
      [23, 'GET', '/media/{name...}', ''],
      [26, 'GET', '/curried', 'Server.curried'],
      [27, 'GET', '/static/', 'http.FileServer'],
    ],
  );
});

test('chi: With(mw).Get, Route prefixes, Method with http.Method constants, Handle patterns, Group without a path', () => {
  const src = [
    'package main', // 1
    '',
    'import "github.com/go-chi/chi/v5"',
    '',
    'func router() http.Handler {', // 5
    '\tr := chi.NewRouter()',
    '\tr.With(mw).Get("/price/{item}", price)',
    '\tr.With(mw, audit).Post("/price", createPrice)',
    '\tr.Route("/api", func(r chi.Router) {',
    '\t\tr.Get("/items/{id:[0-9]+}", getItem)', // 10
    '\t\tr.Method(http.MethodDelete, "/items/{id}", http.HandlerFunc(deleteItem))',
    '\t\tr.Group(func(r chi.Router) {',
    '\t\t\tr.Use(auth)',
    '\t\t\tr.Put("/items/{id}", putItem)',
    '\t\t})', // 15
    '\t\tr.Handle("PATCH /items/{id}", patchItem)',
    '\t})',
    '\tr.Mount("/admin", adminRouter())',
    '\treturn r',
    '}', // 20
    '',
    'func adminRouter() chi.Router {',
    '\tr := chi.NewRouter()',
    '\tr.Get("/stats", stats)',
    '\treturn r', // 25
    '}',
  ].join('\n');
  assert.deepEqual(rows(src), [
    [7, 'GET', '/price/{item}', 'price', 'chi'],
    [8, 'POST', '/price', 'createPrice', 'chi'],
    [10, 'GET', '/api/items/{id:[0-9]+}', 'getItem', 'chi'],
    [11, 'DELETE', '/api/items/{id}', 'deleteItem', 'chi'],
    [14, 'PUT', '/api/items/{id}', 'putItem', 'chi'],
    [16, 'PATCH', '/api/items/{id}', 'patchItem', 'chi'],
    [24, 'GET', '/admin/stats', 'stats', 'chi'],
  ]);
});

test('gin: groups (chained and assigned), Handle with a method constant, Match; echo: Group, Match, Add, handler before middleware', () => {
  const gin = [
    'package main', // 1
    'import "github.com/gin-gonic/gin"',
    'func main() {',
    '\tr := gin.New()',
    '\tr.GET("/price/:item", price)', // 5
    '\tapi := r.Group("/api")',
    '\tv2 := api.Group("v2", auth)',
    '\tv2.POST("users", audit, createUser)',
    '\tr.Handle(http.MethodPost, "/handle", handle)',
    '\tr.Match([]string{"GET", http.MethodHead}, "/match", match)', // 10
    '\tr.Group("/x").GET("/y", y)',
    '}',
  ].join('\n');
  assert.deepEqual(rows(gin), [
    [5, 'GET', '/price/:item', 'price', 'gin'],
    [8, 'POST', '/api/v2/users', 'createUser', 'gin'],
    [9, 'POST', '/handle', 'handle', 'gin'],
    [10, 'GET', '/match', 'match', 'gin'],
    [10, 'HEAD', '/match', 'match', 'gin'],
    [11, 'GET', '/x/y', 'y', 'gin'],
  ]);
  const echo = [
    'package main', // 1
    'import "github.com/labstack/echo/v4"',
    'func main() {',
    '\te := echo.New()',
    '\te.GET("/price/:item", price, logMw)', // 5
    '\tg := e.Group("/api", authMw)',
    '\tg.DELETE("/users/:id", deleteUser)',
    '\te.Match([]string{"PUT", "PATCH"}, "/m", m)',
    '\te.Add(http.MethodGet, "/add", add)',
    '\te.Any("/any", anyHandler)', // 10
    '}',
  ].join('\n');
  assert.deepEqual(rows(echo), [
    [5, 'GET', '/price/:item', 'price', 'echo'],
    [7, 'DELETE', '/api/users/:id', 'deleteUser', 'echo'],
    [8, 'PUT', '/m', 'm', 'echo'],
    [8, 'PATCH', '/m', 'm', 'echo'],
    [9, 'GET', '/add', 'add', 'echo'],
    [10, '*', '/any', 'anyHandler', 'echo'],
  ]);
});

test('a ServeMux and a chi router in one file keep their own framework; group variables stay in their function', () => {
  const src = [
    'package main', // 1
    'import (',
    '\t"net/http"',
    '\t"github.com/go-chi/chi/v5"',
    ')', // 5
    'func a(mux *http.ServeMux) {',
    '\tmux.HandleFunc("GET /health", health)',
    '}',
    'func b() {',
    '\tr := chi.NewRouter()', // 10
    '\tr.Get("/health", health)',
    '}',
  ].join('\n');
  assert.deepEqual(
    rows(src).map((r) => [r[0], r[4]]),
    [
      [7, 'net/http'],
      [11, 'chi'],
    ],
  );
  const gin = [
    'package main', // 1
    'import "github.com/gin-gonic/gin"',
    'func a(e *gin.Engine) {',
    '\tr := e.Group("/v1")',
    '\tr.GET("/a", a1)', // 5
    '}',
    'func b(r *gin.Engine) {',
    '\tr.GET("/b", b1)',
    '}',
  ].join('\n');
  assert.deepEqual(
    rows(gin).map((r) => [r[0], r[2]]),
    [
      [5, '/v1/a'],
      [8, '/b'],
    ],
  );
});

test('Go calls that are not registrations produce nothing', () => {
  const src = [
    'package main',
    'import "github.com/gin-gonic/gin"',
    'func f(c *gin.Context, q url.Values, h http.Header) {',
    '\tc.Get("user")',
    '\tq.Add("page", "2")',
    '\th.Add("Accept", accept)',
    '\tok, _ := regexp.Match("a+", data)',
    '\tcache.Get("key", &value)',
    '\tclient.Post(url, "application/json", body)',
    '\tdb.Group("not a path", x)',
    '}',
  ].join('\n');
  assert.deepEqual(rows(src), []);
});

test('gorilla/mux: Methods() with constants, PathPrefix subrouters, catch-all regex params', () => {
  const src = [
    'package main', // 1
    'import "github.com/gorilla/mux"',
    'func main() {',
    '\tr := mux.NewRouter()',
    '\tr.HandleFunc("/articles/{id:[0-9]+}", getArticle).Methods("GET")', // 5
    '\tapi := r.PathPrefix("/api").Subrouter()',
    '\tapi.HandleFunc("/users", listUsers).Methods(http.MethodGet, http.MethodHead)',
    '\tapi.Handle("/files/{path:.*}", files)',
    '}',
  ].join('\n');
  assert.deepEqual(
    scanRoutes('main.go', src).map((r) => [r.line, r.method, r.pattern, r.handler, r.framework]),
    [
      [5, 'GET', '/articles/{}', 'getArticle', 'gorilla/mux'],
      [7, 'GET', '/api/users', 'listUsers', 'gorilla/mux'],
      [7, 'HEAD', '/api/users', 'listUsers', 'gorilla/mux'],
      [8, '*', '/api/files/{*}', 'files', 'gorilla/mux'],
    ],
  );
});

test('prefixes: a router variable mounted under a path, a group variable reassigned', () => {
  const chi = [
    'package main', // 1
    'import "github.com/go-chi/chi/v5"',
    'func main() {',
    '	r := chi.NewRouter()',
    '	api := chi.NewRouter()', // 5
    '	api.Get("/items", listItems)',
    '	r.Mount("/api/v1", api)',
    '}',
  ].join('\n');
  assert.deepEqual(
    scanRoutes('main.go', chi).map((r) => [r.line, r.route]),
    [[6, '/api/v1/items']],
  );
  const gin = [
    'package main', // 1
    'import "github.com/gin-gonic/gin"',
    'func main() {',
    '\tr := gin.New()',
    '\tg := r.Group("/a")', // 5
    '\tg.GET("/x", ax)',
    '\tg = r.Group("/b")',
    '\tg.GET("/x", bx)',
    '}',
  ].join('\n');
  assert.deepEqual(
    scanRoutes('main.go', gin).map((r) => [r.line, r.route, r.handler]),
    [
      [6, '/a/x', 'ax'],
      [8, '/b/x', 'bx'],
    ],
  );
});

test('the Go scanner never throws on router-shaped token soup and keeps lines inside the file', () => {
  const tokens = [
    'r',
    'mux',
    'g',
    'http',
    '.',
    'Get',
    'GET',
    'Handle',
    'HandleFunc',
    'Route',
    'Group',
    'Mount',
    'With',
    'Match',
    'Add',
    'Method',
    'PathPrefix',
    'Subrouter',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    '"/x/{id}"',
    '"GET /y"',
    '""',
    '"v1"',
    ',',
    '\n',
    ' ',
    ':=',
    '=',
    'func',
    'func (h *H) f',
    'http.MethodGet',
    '[]string{"GET"}',
    'h.f',
    '&T{}',
    'import "github.com/go-chi/chi/v5"',
    'import "github.com/gin-gonic/gin"',
    'import "github.com/labstack/echo/v4"',
    '//',
    '`',
    '"',
  ];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...tokens), { maxLength: 120 }).map((t) => t.join('')),
      (text) => {
        const lines = text.split('\n').length;
        for (const r of scanRoutes('a.go', text)) {
          assert.ok(r.line >= 1 && r.line <= lines, JSON.stringify(r));
          assert.equal(r.pattern, normalizeRoute(r.route));
        }
      },
    ),
    { numRuns: 2000 },
  );
});
