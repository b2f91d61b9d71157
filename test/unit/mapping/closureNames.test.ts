import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { foldClosureName, isClosureName } from '../../../src/core/mapping/closureNames';
import { FunctionIndex } from '../../../src/core/mapping/functionIndex';
import { scanFunctions } from '../../../src/core/mapping/functionScan';
import { parseStackTrace } from '../../../src/core/mapping/stackTrace';

const STACKS = join(__dirname, '../../fixtures/stacks');

// Names as runtimes printed them: the Go and Java ones are frames of the recorded fixtures in
// test/fixtures/stacks; the Python ones from a Python 3.11.7 traceback (co_name) and co_qualname
// of a closure, a lambda and a list comprehension inside `price`; the V8 ones from Node 20
// (`Object.total` is a method of an object literal, '' an arrow inside `price`).
const CASES: [language: string, runtime: string, source: string, closure: boolean][] = [
  ['go', 'main.main.recoverMiddleware.func1.1', 'recoverMiddleware', true],
  ['go', 'main.main.recoverMiddleware.func1', 'recoverMiddleware', true],
  ['go', 'main.main.SortByFirstStock.func1', 'SortByFirstStock', true],
  ['go', 'main.panicHandler.func1', 'panicHandler', true],
  ['go', 'main.price.func1.2', 'price', true],
  ['go', 'main.price.deferwrap1', 'price', true],
  ['go', 'main.unitPrice', 'unitPrice', false],
  ['go', 'main.(*pool).done', 'pool.done', false],
  ['go', 'example.com/shop/inventory.Where', 'Where', false],
  ['go', 'golang.org/x/sync/errgroup.(*Group).Go.func1', 'Group.Go', true],
  ['go', 'net/http.HandlerFunc.ServeHTTP', 'HandlerFunc.ServeHTTP', false],
  ['go', 'main.glob..func1', '', true],
  ['java', 'com.example.shop.ShopController.lambda$inventory$0', 'ShopController.inventory', true],
  ['java', 'lambda$inventory$0', 'inventory', true],
  ['java', 'com.example.orders.Inventory.lambda$slot$0', 'Inventory.slot', true],
  ['java', 'org.apache.tiny.Server.lambda$serve$0', 'Server.serve', true],
  ['java', 'com.example.orders.Main$Handler.handle', 'Handler.handle', false],
  ['java', 'com.example.shop.ShopController.unitPrice', 'ShopController.unitPrice', false],
  ['java', 'com.example.shop.ShopController$1.run', '', true],
  ['java', 'com.example.shop.ShopController$$Lambda$14/0x0000000800c03000.run', '', true],
  ['java', 'com.example.shop.ShopController.<init>', 'ShopController.ShopController', false],
  ['kotlin', 'com.example.shop.ShopController$inventory$1.invokeSuspend', 'ShopController.inventory', true],
  ['python', 'lookup', 'lookup', false],
  ['python', 'price.<locals>.lookup', 'price', true],
  ['python', 'price.<locals>.<lambda>', 'price', true],
  ['python', '<lambda>', '', true],
  ['python', '<listcomp>', '', true],
  ['python', '<module>', '', false],
  ['python', 'Shop.price.<locals>.lookup', 'Shop.price', true],
  ['nodejs', '', '', true],
  ['nodejs', 'Object.<anonymous>', '', false],
  ['nodejs', 'Object.total', 'total', false],
  ['nodejs', 'price', 'price', false],
  ['nodejs', 'ShopController.inventory', 'ShopController.inventory', false],
  ['webjs', 'renderTotal/<', 'renderTotal', true],
  ['js', 'exports.price', 'price', false],
];

test('foldClosureName: closures fold into their enclosing function, qualifiers go, as the source names it', () => {
  for (const [language, runtime, source, closure] of CASES) {
    assert.equal(foldClosureName(runtime, language), source, `${language} ${runtime}`);
    assert.equal(isClosureName(runtime, language), closure, `${language} ${runtime} is a closure`);
  }
  assert.equal(foldClosureName('main.price.func1', 'ruby'), 'main.price.func1', 'unknown languages are left alone');
  assert.equal(foldClosureName('__proto__', 'constructor'), '__proto__');
});

test('foldClosureName on the recorded recovered-panic stack names the recover closure by its middleware', () => {
  const text = readFileSync(join(STACKS, 'go-recover-otel.txt'), 'utf8');
  // The whole text, not the parsed frames: the parser drops the closure's panic-time frame.
  const names = [...text.matchAll(/^(main\.[^\s(]+)\(/gm)].map((m) => m[1]);
  assert.deepEqual(
    names.map((n) => foldClosureName(n, 'go')),
    ['recoverMiddleware', 'unitPrice', 'price', 'recoverMiddleware'],
  );
  const frames = parseStackTrace(text, 'go').frames.filter((f) => f.inApp);
  assert.deepEqual(
    frames.map((f) => foldClosureName(f.function, 'go')),
    ['unitPrice', 'price', 'recoverMiddleware'],
  );
});

function indexOf(file: string, text: string): FunctionIndex {
  const index = new FunctionIndex();
  index.setFile(file, scanFunctions(file, text));
  return index;
}

test('enclosingNamed: inside a Go func literal, the named function around it (the recorded program)', () => {
  const src = readFileSync(join(STACKS, 'sources/go-recover.go.txt'), 'utf8');
  const index = indexOf('main.go', src);
  // main.go:43 is RecordError in the deferred closure, main.go:49 next.ServeHTTP in the returned handler.
  for (const line of [43, 45, 49]) {
    assert.equal(index.enclosing('main.go', line)?.qualifiedName, 'recoverMiddleware', `line ${line}`);
    assert.equal(index.enclosingNamed('main.go', line)?.qualifiedName, 'recoverMiddleware', `line ${line}`);
  }
  assert.equal(index.enclosingNamed('main.go', 28)?.qualifiedName, 'unitPrice');
  assert.equal(index.enclosingNamed('main.go', 36)?.line, 36);
});

test('enclosingNamed: Python nested defs and lambdas fold into their def; decorated nested handlers stay their own', () => {
  const src = [
    'from flask import Flask',
    '',
    'def create_app():',
    '    app = Flask(__name__)',
    '',
    '    @app.route("/price/<item>")',
    '    def price(item):',
    '        def lookup(x):',
    '            return TABLE[x]',
    '        f = lambda x: lookup(x)',
    '        return str([f(i) for i in [item]])',
    '',
    '    @app.get(',
    '        "/health"',
    '    )',
    '    def health():',
    '        return "ok"',
    '',
    '    return app',
    '',
    'class Shop:',
    '    def total(self):',
    '        return 1',
  ].join('\n');
  const index = indexOf('app.py', src);
  const named = (line: number) => index.enclosingNamed('app.py', line)?.qualifiedName;
  assert.equal(index.enclosing('app.py', 9)?.qualifiedName, 'lookup', 'the index still knows the closure');
  assert.equal(named(9), 'price', 'the closure folds into the handler');
  assert.equal(named(10), 'price', 'a lambda line is the def around it');
  assert.equal(named(7), 'price', 'a decorated def inside an app factory is a handler, not a closure');
  assert.equal(named(17), 'health', 'a decorator spanning lines still counts');
  assert.equal(named(19), 'create_app');
  assert.equal(named(23), 'Shop.total', 'methods are not closures');
});

test('enclosingNamed: Java lambdas and anonymous classes fold into their method', () => {
  const src = [
    'package com.example.shop;',
    '',
    'public class ShopController {',
    '  int inventory(String item) {',
    '    Runnable r = () -> {',
    '      System.out.println(unitPrice(item));',
    '    };',
    '    Runnable a = new Runnable() {',
    '      @Override',
    '      public void run() {',
    '        unitPrice(item);',
    '      }',
    '    };',
    '    return 1;',
    '  }',
    '',
    '  static int unitPrice(String item) {',
    '    throw new IllegalStateException(item);',
    '  }',
    '}',
  ].join('\n');
  const file = 'com/example/shop/ShopController.java';
  const index = indexOf(file, src);
  assert.equal(index.enclosingNamed(file, 6)?.qualifiedName, 'ShopController.inventory', 'a lambda body');
  assert.equal(index.enclosing(file, 11)?.qualifiedName, 'run');
  assert.equal(index.enclosingNamed(file, 11)?.qualifiedName, 'ShopController.inventory', 'an anonymous class method');
  assert.equal(index.enclosingNamed(file, 18)?.qualifiedName, 'ShopController.unitPrice');
});

test('enclosingNamed: JS anonymous functions fold into the named one; named nested functions stay their own', () => {
  const src = [
    'function price(items) {',
    '  return items.map((i) => {',
    '    throw new Error("x" + i);',
    '  });',
    '}',
    'export function routes(app) {',
    '  const inventory = async (req, res) => {',
    '    res.json(await stock());',
    '  };',
    '  app.get("/inventory", inventory);',
    '}',
  ].join('\n');
  const index = indexOf('shop.js', src);
  assert.equal(index.enclosingNamed('shop.js', 3)?.qualifiedName, 'price');
  assert.equal(index.enclosingNamed('shop.js', 8)?.qualifiedName, 'inventory');
});
