import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RouteIndex } from '../../../src/core/mapping/routeIndex';
import { normalizeRoute, scanRoutes } from '../../../src/core/mapping/routeScan';

/** An index holding what the scanner finds in one source file. */
function indexOf(file: string, src: string): RouteIndex {
  const index = new RouteIndex();
  index.setFile(file, scanRoutes(file, src));
  assert.ok(index.size() > 0, `nothing registered in ${file}`);
  return index;
}

const go = (imports: string, body: string): string => `package main\n\nimport ${imports}\n\nfunc main() {\n\t${body}\n}\n`;

// The same handler registered the way each framework spells it.
const SHAPES: [string, RouteIndex][] = [
  ['ServeMux GET /price/{item}', indexOf('mux.go', go('"net/http"', 'mux := http.NewServeMux()\n\tmux.HandleFunc("GET /price/{item}", price)'))],
  ['ServeMux host-qualified', indexOf('host.go', go('"net/http"', 'mux := http.NewServeMux()\n\tmux.HandleFunc("GET shop.example.com/price/{item}", price)'))],
  ['ServeMux without a method', indexOf('any.go', go('"net/http"', 'http.HandleFunc("/price/{item}", price)'))],
  ['chi Get', indexOf('chi.go', go('"github.com/go-chi/chi/v5"', 'r := chi.NewRouter()\n\tr.Get("/price/{item}", price)'))],
  ['chi Route + regex param', indexOf('chiRoute.go', go('"github.com/go-chi/chi/v5"', 'r := chi.NewRouter()\n\tr.Route("/price", func(r chi.Router) {\n\t\tr.Get("/{item:[a-z]+}", price)\n\t})'))],
  ['gin GET :item', indexOf('gin.go', go('"github.com/gin-gonic/gin"', 'r := gin.New()\n\tr.GET("/price/:item", price)'))],
  ['echo group :item', indexOf('echo.go', go('"github.com/labstack/echo/v4"', 'e := echo.New()\n\tg := e.Group("/price")\n\tg.GET("/:item/", price)'))],
  ['Express :item', indexOf('app.js', "const app = express();\napp.get('/price/:item', price);\n")],
  ['Flask <item>', indexOf('app.py', "from flask import Flask\napp = Flask(__name__)\n@app.route('/price/<item>')\ndef price(item):\n    pass\n")],
  ['FastAPI {item}', indexOf('api.py', "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/price/{item}')\ndef price(item: str):\n    pass\n")],
  ['Spring {item}', indexOf('Price.java', '@RestController\nclass Price {\n  @GetMapping("/price/{item}")\n  String price(@PathVariable String item) { return item; }\n}\n')],
];

test('an otelhttp span name `GET /price/{item}` finds the handler however the framework spells the route', () => {
  for (const [shape, index] of SHAPES) {
    for (const name of ['GET /price/{item}', 'GET /price/{item}/', 'get /price/{item}', 'HEAD /price/{item}', 'HTTP /price/{item}']) {
      const hit = index.match('', name);
      assert.equal(hit?.registration.handler, 'price', `${shape} <- ${name}`);
      assert.deepEqual(hit?.ambiguous, [], `${shape} <- ${name}`);
    }
    // What instrumentations put in http.route for the same handler, with the method attribute beside it.
    for (const route of ['/price/{item}', '/price/:item', '/price/<item>', '/price/<int:item>', '/price/{item:[0-9]+}', '/price/{item:int}']) {
      assert.equal(index.match('GET', route)?.registration.handler, 'price', `${shape} <- GET ${route}`);
    }
  }
});

test('a span name does not match a longer or shorter route, another method, or a concrete path', () => {
  for (const [shape, index] of SHAPES) {
    for (const name of ['GET /price/{item}/x', 'GET /price', 'GET /price/{item}/{x}', 'GET /price/apple', 'GET /prices/{item}']) {
      assert.equal(index.match('', name), undefined, `${shape} <- ${name}`);
    }
    if (shape !== 'ServeMux without a method') assert.equal(index.match('', 'POST /price/{item}'), undefined, `${shape} <- POST`);
  }
});

test('wildcards and anchors agree across ServeMux, chi, gin and echo', () => {
  const mux = indexOf('w.go', go('"net/http"', 'mux := http.NewServeMux()\n\tmux.HandleFunc("GET /files/{path...}", files)\n\tmux.HandleFunc("GET /{$}", home)'));
  assert.equal(mux.match('', 'GET /files/{path...}')?.registration.handler, 'files');
  assert.equal(mux.match('', 'GET /{$}')?.registration.handler, 'home');
  assert.equal(mux.match('', 'GET /')?.registration.handler, 'home');
  const gin = indexOf('g.go', go('"github.com/gin-gonic/gin"', 'r := gin.New()\n\tr.GET("/files/*path", files)'));
  assert.equal(gin.match('', 'GET /files/{path...}')?.registration.handler, 'files');
  assert.equal(gin.match('GET', '/files/*path')?.registration.handler, 'files');
  const chi = indexOf('c.go', go('"github.com/go-chi/chi/v5"', 'r := chi.NewRouter()\n\tr.Get("/files/*", files)'));
  assert.equal(chi.match('', 'GET /files/*')?.registration.handler, 'files');
  assert.equal(chi.match('', 'GET /files/{path...}')?.registration.handler, 'files');
});

test('normalizeRoute: equivalent parameter spellings, regexes holding slashes, method-free patterns', () => {
  const same = ['/price/{item}', '/price/:item', '/price/<item>', '/price/<int:item>', '/price/{item:[0-9]+}', '/price/{id:int}', '/price/{item}/', 'price/{item}'];
  for (const r of same) assert.equal(normalizeRoute(r), '/price/{}', r);
  const wild = ['/files/*', '/files/*path', '/files/{path...}', '/files/{*path}', '/files/{**path}', '/files/<path:p>', '/files/{p:path}', '/files/{p:.*}', '/files/{p:[a-z/]+}'];
  for (const r of wild) assert.equal(normalizeRoute(r), '/files/{*}', r);
  assert.equal(normalizeRoute('/c/{rest:[a-z/]+}/x'), '/c/{*}/x');
  assert.equal(normalizeRoute('/v/{n:[0-9]+}/{m:[^/]+}'), '/v/{}/{}');
});
