import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { scanRoutes } from '../../../src/core/mapping/routeScan';

// Route files copied verbatim from real projects (origins and licenses in go-real/README.md).
const REAL = join(__dirname, '../../fixtures/routes/go-real');

/** [line, method, pattern, handler] per registration, and the frameworks seen. */
function scan(name: string): { rows: [number, string, string, string][]; frameworks: string[] } {
  const regs = scanRoutes(name, readFileSync(join(REAL, name), 'utf8'));
  return { rows: regs.map((r) => [r.line, r.method, r.pattern, r.handler]), frameworks: [...new Set(regs.map((r) => r.framework))] };
}

test('chi _examples/rest: Route nesting, With(mw).Get, a sub-router function mounted under /admin', () => {
  const { rows, frameworks } = scan('chi_rest_main.go');
  assert.deepEqual(rows, [
    [66, 'GET', '/', ''],
    [70, 'GET', '/ping', ''],
    [74, 'GET', '/panic', ''],
    [80, 'GET', '/articles', 'ListArticles'], // r.With(paginate).Get("/", ListArticles)
    [81, 'POST', '/articles', 'CreateArticle'],
    [82, 'GET', '/articles/search', 'SearchArticles'],
    [86, 'GET', '/articles/{}', 'GetArticle'],
    [87, 'PUT', '/articles/{}', 'UpdateArticle'],
    [88, 'DELETE', '/articles/{}', 'DeleteArticle'],
    [92, 'GET', '/articles/{}', 'GetArticle'], // r.With(ArticleCtx).Get("/{articleSlug:[a-z-]+}", GetArticle)
    [222, 'GET', '/admin', ''], // adminRouter(), mounted with r.Mount("/admin", adminRouter())
    [225, 'GET', '/admin/accounts', ''],
    [228, 'GET', '/admin/users/{}', ''],
  ]);
  assert.deepEqual(frameworks, ['chi']);
});

test('gin examples: groups with relative paths and middleware, inline handlers', () => {
  assert.deepEqual(scan('gin_versioning_main.go').rows, [
    [15, 'GET', '/v1/users', ''],
    [22, 'POST', '/v1/users/add', 'AddV1User'], // authV1 := apiV1.Group("/", AuthMiddleWare()); authV1.POST("users/add", ...)
    [27, 'GET', '/v2/users', ''],
    [34, 'POST', '/v2/users/add', 'AddV2User'],
  ]);
  const basic = scan('gin_basic_main.go');
  assert.deepEqual(basic.rows, [
    [17, 'GET', '/ping', ''],
    [22, 'GET', '/user/{}', ''],
    [53, 'POST', '/admin', ''], // r.Group("/", gin.BasicAuth(...)).POST("admin", ...)
  ]);
  assert.deepEqual(basic.frameworks, ['gin']);
});

test('echo cookbook: verbs, a group with an empty path, a method value named by its type', () => {
  assert.deepEqual(scan('echo_crud_server.go').rows, [
    [85, 'GET', '/users', 'getAllUsers'],
    [86, 'POST', '/users', 'createUser'],
    [87, 'GET', '/users/{}', 'getUser'],
    [88, 'PUT', '/users/{}', 'updateUser'],
    [89, 'DELETE', '/users/{}', 'deleteUser'],
  ]);
  assert.deepEqual(scan('echo_jwt_server.go').rows, [
    [76, 'POST', '/login', 'login'],
    [79, 'GET', '/', 'accessible'],
    [92, 'GET', '/restricted', 'restricted'], // r := e.Group("/restricted"); r.GET("", restricted)
  ]);
  const mw = scan('echo_middleware_server.go');
  assert.deepEqual(mw.rows, [
    [81, 'GET', '/stats', 'Stats.Handle'], // s := NewStats(); e.GET("/stats", s.Handle)
    [87, 'GET', '/', ''],
  ]);
  assert.deepEqual(mw.frameworks, ['echo']);
});

test('Go 1.22 ServeMux (stdlib-newmux): method patterns, method values resolved through the constructor', () => {
  const { rows, frameworks } = scan('servemux_newmux.go');
  assert.deepEqual(rows, [
    [160, 'POST', '/task', 'taskServer.createTaskHandler'], // server := NewTaskServer() returns *taskServer
    [161, 'GET', '/task', 'taskServer.getAllTasksHandler'],
    [162, 'DELETE', '/task', 'taskServer.deleteAllTasksHandler'],
    [163, 'GET', '/task/{}', 'taskServer.getTaskHandler'],
    [164, 'DELETE', '/task/{}', 'taskServer.deleteTaskHandler'],
    [165, 'GET', '/tag/{}', 'taskServer.tagHandler'],
    [166, 'GET', '/due/{}/{}/{}', 'taskServer.dueHandler'],
  ]);
  assert.deepEqual(frameworks, ['net/http']);
});
