import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { resource, span } from '../../support/records';

// Inline handlers have no name of their own: rows and the lines that throw inside them are named
// after their route, never "(top level)" nor the function the registration sits in.
const root = mkdtempSync(path.join(os.tmpdir(), 'rl-inline-'));
let mapper: CodeMapper;
const SERVER = [
  "const express = require('express');",
  'const app = express();',
  "app.get('/slow', async (req, res) => {",
  '  await new Promise((r) => setTimeout(r, 150));',
  "  throw new Error('too slow');",
  '});',
  'function routes(router) {',
  "  router.post('/orders', (req, res) => {",
  "    throw new TypeError('no customer');",
  '  });',
  '}',
  'app.listen(3000);',
  '',
].join('\n');

before(async () => {
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src/server.js'), SERVER);
  mapper = new CodeMapper((await WorkspaceIndex.build(root)).index);
});
after(() => rmSync(root, { recursive: true, force: true }));

const exception = (line: number) => ({ type: 'Error', message: 'x', stacktrace: `Error: x\n    at /app/src/server.js:${line}:11\n    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)`, timeMs: 0 });

test('a server span of an inline handler is a row named after its route', async () => {
  const r = await mapper.resolve(span({ kind: 2, name: 'GET /slow', httpRoute: '/slow', httpMethod: 'GET' }));
  assert.deepEqual([r.location?.function, r.location?.line], ['GET /slow handler', 3]);
});

test('a line that throws inside an inline handler is named after the handler, at the top level or inside a function', async () => {
  const top = await mapper.mapException(resource(), exception(5), null, null);
  assert.deepEqual([top.location?.function, top.location?.line], ['GET /slow handler', 5]);
  const nested = await mapper.mapException(resource(), exception(9), null, null);
  assert.deepEqual([nested.location?.function, nested.location?.line], ['POST /orders handler', 9]);
  const outside = await mapper.mapException(resource(), exception(12), null, null);
  assert.equal(outside.location?.function, '(top level)');
});

test('a named handler defined in another file is found there when its name is one function', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rl-handler-file-'));
  try {
    writeFileSync(path.join(dir, 'main.go'), 'package main\n\nfunc routes(mux *http.ServeMux) {\n\tmux.HandleFunc("GET /price/{item}", price)\n}\n');
    writeFileSync(path.join(dir, 'handlers.go'), 'package main\n\n// price answers one price.\nfunc price(w http.ResponseWriter, r *http.Request) {\n\tw.WriteHeader(200)\n}\n');
    const other = new CodeMapper((await WorkspaceIndex.build(dir)).index);
    const r = await other.resolve(span({ kind: 2, name: 'GET /price/{item}' }));
    assert.deepEqual([r.location?.file, r.location?.line, r.location?.function], ['handlers.go', 4, 'price']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
