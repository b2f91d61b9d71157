import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstInAppFrame, parseStackTrace, stackFramesKey } from '../../../src/core/mapping/stackTrace';
import type { StackFormat } from '../../../src/core/mapping/stackTrace';
import { isInAppFile, normalizeFile } from '../../../src/core/mapping/inAppRules';

const fixture = (name: string): string => readFileSync(join(__dirname, '../../fixtures/stacks', name), 'utf8');

interface Case {
  name: string;
  hint: string;
  format: StackFormat;
  frames: number;
  first: { file: string; line: number; function: string; column?: number };
  /** Functions of the frames before the first in-app one, innermost first: these must be skipped. */
  skipped: string[];
}

const cases: Case[] = [
  { name: 'v8-plain.txt', hint: 'nodejs', format: 'v8', frames: 8, first: { file: '/app/src/orders.js', line: 9, column: 10, function: 'plainStack' }, skipped: [] },
  {
    name: 'v8-node-modules.txt',
    hint: 'nodejs',
    format: 'v8',
    frames: 10,
    first: { file: '/app/src/orders.js', line: 5, column: 10, function: 'loadOrder' },
    skipped: ['', 'validate', 'parseStrict'],
  },
  { name: 'v8-async.txt', hint: 'nodejs', format: 'v8', frames: 3, first: { file: '/app/src/orders.js', line: 19, column: 9, function: 'chargeOrder' }, skipped: [] },
  { name: 'v8-deep.txt', hint: 'nodejs', format: 'v8', frames: 30, first: { file: '/app/main.js', line: 24, column: 23, function: 'recurse' }, skipped: [] },
  { name: 'v8-esm.txt', hint: 'nodejs', format: 'v8', frames: 4, first: { file: '/app/esm/job.mjs', line: 6, column: 18, function: 'Timeout._onTimeout' }, skipped: ['JSON.parse'] },
  { name: 'v8-urls.txt', hint: 'webjs', format: 'v8', frames: 10, first: { file: '/static/js/app.js', line: 3, column: 84, function: '' }, skipped: [] },
  {
    name: 'v8-eval-constructor.txt',
    hint: 'nodejs',
    format: 'v8',
    frames: 10,
    first: { file: '/app/evalctor.js', line: 5, column: 18, function: 'eval' },
    skipped: [],
  },
  {
    name: 'python-chained.txt',
    hint: 'python',
    format: 'python',
    frames: 3,
    first: { file: '/app/shop/orders.py', line: 16, function: 'load_order' },
    skipped: [],
  },
  {
    name: 'python-during-handling.txt',
    hint: 'python',
    format: 'python',
    frames: 3,
    first: { file: '/app/shop/orders.py', line: 23, function: 'load_order_implicit' },
    skipped: [],
  },
  {
    name: 'python-site-packages.txt',
    hint: 'python',
    format: 'python',
    frames: 11,
    first: { file: '/app/plugins/billing.py', line: 4, function: '<module>' },
    skipped: ['require'],
  },
  {
    name: 'java-caused-by.txt',
    hint: 'java',
    format: 'java',
    frames: 2,
    first: { file: 'com/example/orders/Main.java', line: 14, function: 'com.example.orders.Main$Handler.handle' },
    skipped: [],
  },
  {
    name: 'java-jdk-suppressed.txt',
    hint: 'java',
    format: 'java',
    frames: 6,
    first: { file: 'com/example/orders/Inventory.java', line: 20, function: 'com.example.orders.Inventory.lambda$slot$0' },
    skipped: ['java.util.ImmutableCollections$AbstractImmutableList.outOfBounds', 'java.util.ImmutableCollections$List12.get'],
  },
  {
    name: 'java-reflection.txt',
    hint: 'java',
    format: 'java',
    frames: 5,
    first: { file: 'com/example/orders/Reflect.java', line: 17, function: 'com.example.orders.Reflect.main' },
    skipped: [
      'jdk.internal.reflect.NativeMethodAccessorImpl.invoke0',
      'jdk.internal.reflect.NativeMethodAccessorImpl.invoke',
      'jdk.internal.reflect.DelegatingMethodAccessorImpl.invoke',
      'java.lang.reflect.Method.invoke',
    ],
  },
  {
    name: 'go-panic.txt',
    hint: 'go',
    format: 'go',
    frames: 6,
    first: { file: '/app/inventory/inventory.go', line: 16, function: 'main.main.SortByFirstStock.func1' },
    skipped: [],
  },
  {
    name: 'go-debug-stack.txt',
    hint: 'go',
    format: 'go',
    frames: 4,
    first: { file: '/app/inventory/inventory.go', line: 22, function: 'example.com/shop/inventory.Where' },
    skipped: ['runtime/debug.Stack'],
  },
  {
    name: 'go-goroutine-modcache.txt',
    hint: 'go',
    format: 'go',
    frames: 5,
    first: { file: '/app/main.go', line: 13, function: 'main.(*pool).done' },
    skipped: ['golang.org/x/sync/semaphore.(*Weighted).Release'],
  },
  { name: 'go-traceback-all.txt', hint: 'go', format: 'go', frames: 2, first: { file: '/app/main.go', line: 10, function: 'main.divide' }, skipped: [] },
  // Recovered panics: the recording call, the deferred recover closure and panic( come first.
  { name: 'go-recover-otel.txt', hint: 'go', format: 'go', frames: 9, first: { file: '/app/main.go', line: 28, function: 'main.unitPrice' }, skipped: [] },
  { name: 'go-recover-debug-stack.txt', hint: 'go', format: 'go', frames: 9, first: { file: '/app/main.go', line: 28, function: 'main.unitPrice' }, skipped: [] },
  {
    name: 'java-wrapped-cause.txt',
    hint: 'java',
    format: 'java',
    frames: 4,
    first: { file: 'com/example/shop/ShopController.java', line: 8, function: 'com.example.shop.ShopController.unitPrice' },
    skipped: [],
  },
  {
    name: 'gecko-firefox.txt',
    hint: 'webjs',
    format: 'gecko',
    frames: 7,
    first: { file: '/static/js/app.js', line: 12, column: 22, function: 'formatPrice' },
    skipped: ['wrapHandler'],
  },
  {
    name: 'gecko-safari.txt',
    hint: 'webjs',
    format: 'gecko',
    frames: 6,
    first: { file: '/static/js/app.js', line: 12, column: 22, function: 'formatPrice' },
    skipped: ['assertNumber'],
  },
];

for (const c of cases) {
  for (const hint of [c.hint, '']) {
    test(`${c.name} (hint '${hint}'): first in-app frame and skipped dependency frames`, () => {
      const { format, frames } = parseStackTrace(fixture(c.name), hint);
      assert.equal(format, c.format);
      assert.equal(frames.length, c.frames);
      const first = firstInAppFrame(frames);
      assert.ok(first, 'an in-app frame');
      assert.equal(first.file, c.first.file);
      assert.equal(first.line, c.first.line);
      assert.equal(first.function, c.first.function);
      assert.equal(first.column, c.first.column ?? 0);
      const firstIndex = frames.indexOf(first);
      assert.deepEqual(
        frames.slice(0, firstIndex).map((f) => f.function),
        c.skipped,
      );
      assert.ok(frames.slice(0, firstIndex).every((f) => !f.inApp));
    });
  }
}

test('V8: builtins, node_modules and <anonymous> frames are not in-app; outer app frames are', () => {
  const { frames } = parseStackTrace(fixture('v8-node-modules.txt'), 'nodejs');
  const byFn = (fn: string) => frames.find((f) => f.function === fn);
  assert.equal(byFn('validate')?.file, '/app/node_modules/fancy-lib/index.js');
  assert.equal(byFn('Module._compile')?.file, 'node:internal/modules/cjs/loader');
  assert.equal(byFn('Module._compile')?.inApp, false);
  assert.equal(byFn('OrderHandler.handle')?.inApp, true);
  assert.deepEqual(
    frames.filter((f) => f.inApp).map((f) => f.function),
    ['loadOrder', 'OrderHandler.handle', 'Object.<anonymous>'],
  );
  const esm = parseStackTrace(fixture('v8-esm.txt'), 'nodejs').frames;
  assert.deepEqual(esm[0], { file: '<anonymous>', line: 0, column: 0, function: 'JSON.parse', inApp: false });
});

test('V8: async frames lose the "async " prefix and keep their location', () => {
  const { frames } = parseStackTrace(fixture('v8-async.txt'), 'nodejs');
  assert.deepEqual(
    frames.map((f) => [f.function, f.file, f.line, f.column]),
    [
      ['chargeOrder', '/app/src/orders.js', 19, 9],
      ['fetchOrder', '/app/src/orders.js', 14, 10],
      ['', '/app/main.js', 17, 5],
    ],
  );
});

test('V8: eval frames point at the eval call site; "new " and "[as x]" are dropped', () => {
  const { frames } = parseStackTrace(fixture('v8-eval-constructor.txt'), 'nodejs');
  assert.deepEqual(frames[3], { file: '/app/evalctor.js', line: 5, column: 18, function: 'Cart', inApp: true });
  assert.equal(frames[9].function, 'Function.executeUserEntryPoint');
  assert.equal(frames[9].inApp, false);
});

test('V8: "at async Promise.all (index 0)" is a frame without a source file', () => {
  const { frames } = parseStackTrace(fixture('v8-promise-all.txt'), 'nodejs');
  assert.deepEqual(frames, [
    { file: '/app/promiseall.js', line: 5, column: 9, function: 'fetchPrice', inApp: true },
    { file: 'index 0', line: 0, column: 0, function: 'Promise.all', inApp: false },
  ]);
});

test('Java: class-loader and module prefixes are dropped; hidden lambda classes map to the outer file', () => {
  const { format, frames } = parseStackTrace(fixture('java-element-prefixes.txt'), '');
  assert.equal(format, 'java');
  assert.deepEqual(
    frames.map((f) => [f.function, f.file, f.line]),
    [
      ['com.example.orders.OrderService.reserve', 'com/example/orders/OrderService.java', 12],
      ['com.example.orders.OrderService.reserve', 'com/example/orders/OrderService.java', 12],
      ['com.example.orders.OrderService$$Lambda$14/0x0000000801001200.get', 'com/example/orders/OrderService.java', 0],
    ],
  );
  assert.ok(frames.every((f) => f.inApp));
});

test('V8 with URLs: the path is kept, the vendor chunk is skipped, vm builtins are not in-app', () => {
  const { frames } = parseStackTrace(fixture('v8-urls.txt'), 'webjs');
  const vendor = frames.find((f) => f.function === 'vendorRender');
  assert.equal(vendor?.file, '/static/js/vendor.chunk.js');
  assert.equal(vendor?.inApp, false);
  assert.equal(frames.find((f) => f.function === 'renderCart')?.file, '/static/js/app.js');
  assert.equal(frames.find((f) => f.function === 'Script.runInThisContext')?.inApp, false);
});

test('Python: innermost first; the last traceback block (the raised exception) is the one parsed', () => {
  for (const name of ['python-chained.txt', 'python-during-handling.txt']) {
    const { frames } = parseStackTrace(fixture(name), 'python');
    assert.equal(frames.at(-1)?.function, '<module>', name);
    // The cause's frames (json's decoder, parse_order) belong to the earlier block.
    assert.ok(!frames.some((f) => f.file.includes('json') || f.function === 'parse_order'), name);
  }
});

test('Python: stdlib (pyenv lib/python3.x), frozen importlib and site-packages are not in-app', () => {
  const { frames } = parseStackTrace(fixture('python-site-packages.txt'), 'python');
  const notInApp = frames.filter((f) => !f.inApp).map((f) => f.file);
  assert.deepEqual(notInApp, [
    '/app/venv/lib/python3.11/site-packages/tinyvalidate/__init__.py',
    '<frozen importlib._bootstrap>',
    '<frozen importlib._bootstrap_external>',
    '<frozen importlib._bootstrap>',
    '<frozen importlib._bootstrap>',
    '<frozen importlib._bootstrap>',
    '<frozen importlib._bootstrap>',
    '/root/.pyenv/versions/3.11.7/lib/python3.11/importlib/__init__.py',
  ]);
  assert.deepEqual(
    frames.slice(-2).map((f) => [f.function, f.line]),
    [
      ['load_plugin', 6],
      ['<module>', 10],
    ],
  );
});

test('Java: only the top block is parsed; Caused by, Suppressed and "... N more" are not frames', () => {
  const causedBy = parseStackTrace(fixture('java-caused-by.txt'), 'java').frames;
  assert.deepEqual(
    causedBy.map((f) => f.function),
    ['com.example.orders.Main$Handler.handle', 'com.example.orders.Main.main'],
  );
  const suppressed = parseStackTrace(fixture('java-jdk-suppressed.txt'), 'java').frames;
  assert.ok(!suppressed.some((f) => f.function.includes('Lease.close')));
  assert.equal(suppressed.at(-1)?.function, 'com.example.orders.Inventory.main');
});

test('Java: JDK modules and library packages are skipped; file guesses follow the package path', () => {
  const { frames } = parseStackTrace(fixture('java-jdk-suppressed.txt'), 'java');
  const retry = frames.find((f) => f.function === 'org.apache.commons.tiny.Retry.once');
  assert.deepEqual(retry, { file: 'org/apache/commons/tiny/Retry.java', line: 9, column: 0, function: 'org.apache.commons.tiny.Retry.once', inApp: false });
  assert.equal(frames[0].file, 'java/util/ImmutableCollections.java');
  const native = parseStackTrace(fixture('java-reflection.txt'), 'java').frames[0];
  assert.deepEqual(native, {
    file: 'jdk/internal/reflect/NativeMethodAccessorImpl.java',
    line: 0,
    column: 0,
    function: 'jdk.internal.reflect.NativeMethodAccessorImpl.invoke0',
    inApp: false,
  });
});

test('Go: arguments and +0x offsets are stripped; created-by is the outermost frame', () => {
  const { frames } = parseStackTrace(fixture('go-goroutine-modcache.txt'), 'go');
  assert.deepEqual(
    frames.map((f) => [f.function, f.line, f.inApp]),
    [
      ['golang.org/x/sync/semaphore.(*Weighted).Release', 127, false],
      ['main.(*pool).done', 13, true],
      ['main.main.func1', 20, true],
      ['golang.org/x/sync/errgroup.(*Group).Go.func1', 78, false],
      ['golang.org/x/sync/errgroup.(*Group).Go', 75, false],
    ],
  );
  const panic = parseStackTrace(fixture('go-panic.txt'), 'go').frames;
  assert.deepEqual(
    panic.filter((f) => !f.inApp).map((f) => f.file),
    ['/usr/local/go/src/sort/zsortfunc.go', '/usr/local/go/src/sort/zsortfunc.go', '/usr/local/go/src/sort/slice.go'],
  );
});

test('Go: a recovered panic lands on the line that panicked, not on the deferred recover closure', () => {
  for (const name of ['go-recover-otel.txt', 'go-recover-debug-stack.txt']) {
    const { frames } = parseStackTrace(fixture(name), 'go');
    assert.deepEqual(
      frames.slice(0, 2).map((f) => [f.function, f.line, f.inApp]),
      [
        ['main.unitPrice', 28, true],
        ['main.price', 32, true],
      ],
      name,
    );
    assert.ok(!frames.some((f) => f.function === 'panic' || f.function.startsWith('go.opentelemetry.io/') || f.function === 'runtime/debug.Stack'), name);
    // The middleware's own frame outside the panic stays: it is where the handler was called.
    assert.ok(
      frames.some((f) => f.function === 'main.main.recoverMiddleware.func1' && f.line === 49),
      name,
    );
  }
  // A stack without a panic frame is kept whole.
  assert.equal(parseStackTrace(fixture('go-debug-stack.txt'), 'go').frames[0].function, 'runtime/debug.Stack');
});

test('Java: a wrapper thrown and logged entirely in framework code falls back to its nearest cause with app frames', () => {
  const { frames } = parseStackTrace(fixture('java-wrapped-cause.txt'), 'java');
  assert.deepEqual(
    frames.map((f) => f.function),
    ['com.example.shop.ShopController.unitPrice', 'com.example.shop.ShopController.lambda$inventory$0', 'com.example.shop.ShopController.inventory', 'org.apache.tiny.Server.service'],
  );
  // A wrapper with app frames of its own keeps them (java-caused-by.txt: Main$Handler.handle, not the root cause).
  assert.equal(parseStackTrace(fixture('java-caused-by.txt'), 'java').frames[0].function, 'com.example.orders.Main$Handler.handle');
});

test('Python: "raise ... from" keeps the raised exception\'s frames; a cause is used only when those have no app frame', () => {
  const chained = parseStackTrace(fixture('python-chained.txt'), 'python').frames;
  assert.equal(firstInAppFrame(chained)?.line, 16);
  const text = [
    'Traceback (most recent call last):',
    '  File "/app/shop/prices.py", line 7, in unit_price',
    '    return TABLE[item]',
    "KeyError: 'pear'",
    '',
    'The above exception was the direct cause of the following exception:',
    '',
    'Traceback (most recent call last):',
    '  File "/usr/lib/python3.11/concurrent/futures/thread.py", line 58, in run',
    '    result = self.fn(*self.args, **self.kwargs)',
    'LookupError: price lookup failed',
  ].join('\n');
  assert.deepEqual(
    parseStackTrace(text, 'python').frames.map((f) => [f.function, f.line]),
    [['unit_price', 7]],
  );
});

test('Go: only the first goroutine (the one that panicked) is parsed', () => {
  const { frames } = parseStackTrace(fixture('go-traceback-all.txt'), 'go');
  assert.deepEqual(
    frames.map((f) => f.function),
    ['main.divide', 'main.main'],
  );
});

test('Gecko: async*, "/<" and eval decorations are removed; extension and native frames skipped', () => {
  const ff = parseStackTrace(fixture('gecko-firefox.txt'), 'webjs').frames;
  assert.deepEqual(
    ff.map((f) => f.function),
    ['wrapHandler', 'formatPrice', 'renderTotal', 'renderTotal', 'onCheckout', '', ''],
  );
  assert.equal(ff[0].file, 'moz-extension://2f9c3f3e-7d1b-4d7e-9a51-6f5e0c2b8f10/content-script.js');
  assert.deepEqual([ff[5].file, ff[5].line, ff[5].column], ['/static/js/app.js', 90, 0]);
  const safari = parseStackTrace(fixture('gecko-safari.txt'), 'webjs').frames;
  assert.deepEqual(safari[2], { file: '[native code]', line: 0, column: 0, function: 'map', inApp: false });
  assert.equal(safari.at(-1)?.function, 'global code');
});

test('a wrong language hint falls back to detection from the text', () => {
  assert.equal(parseStackTrace(fixture('python-chained.txt'), 'nodejs').format, 'python');
  assert.equal(parseStackTrace(fixture('java-caused-by.txt'), 'nodejs').format, 'java');
  assert.equal(parseStackTrace(fixture('v8-plain.txt'), 'go').format, 'v8');
});

test('text that is no stack trace gives no format and no frames', () => {
  for (const text of ['', 'connection reset by peer', 'Error: boom\n\nno frames here']) {
    assert.deepEqual(parseStackTrace(text, 'nodejs'), { format: null, frames: [] });
  }
  assert.equal(firstInAppFrame([]), undefined);
});

test('CRLF line endings parse like LF', () => {
  const crlf = fixture('go-panic.txt').replace(/\n/g, '\r\n');
  const { frames } = parseStackTrace(crlf, 'go');
  assert.equal(frames.length, 6);
  assert.equal(firstInAppFrame(frames)?.function, 'main.main.SortByFirstStock.func1');
});

test('normalizeFile: URLs keep their path, file URLs become paths, other schemes stay whole', () => {
  assert.equal(normalizeFile('http://localhost:3000/static/js/app.js?v=3#x'), '/static/js/app.js');
  assert.equal(normalizeFile('https://shop.example.com'), '/');
  assert.equal(normalizeFile('file:///app/esm/job.mjs'), '/app/esm/job.mjs');
  assert.equal(normalizeFile('file:///C:/app/x.js'), 'C:/app/x.js');
  assert.equal(normalizeFile('file:///app/my%20dir/x.js'), '/app/my dir/x.js');
  assert.equal(normalizeFile('chrome-extension://abc/content.js'), 'chrome-extension://abc/content.js');
  assert.equal(normalizeFile('/app/src/x.js'), '/app/src/x.js');
});

test('in-app rules: vendor chunks but not app files named vendor*, GOPATH repos stay in-app', () => {
  assert.equal(isInAppFile('v8', '/static/js/vendors~main.chunk.js'), false);
  assert.equal(isInAppFile('v8', '/static/js/vendor.3f2a9b1c.js'), false);
  assert.equal(isInAppFile('v8', '/app/src/vendors.service.js'), true);
  assert.equal(isInAppFile('v8', 'chrome-extension://abc/content.js'), false);
  assert.equal(isInAppFile('go', '/home/me/go/src/github.com/me/app/main.go'), true);
  assert.equal(isInAppFile('go', '/usr/lib/go-1.22/src/net/http/server.go'), false);
  assert.equal(isInAppFile('go', 'runtime/panic.go'), false);
  assert.equal(isInAppFile('python', '/usr/lib/python3.11/json/decoder.py'), false);
  assert.equal(isInAppFile('python', '/usr/lib/python3/dist-packages/requests/api.py'), false);
  assert.equal(isInAppFile('java', 'io/netty/channel/AbstractChannelHandlerContext.java'), false);
  assert.equal(isInAppFile('java', 'com/example/vendor/VendorService.java'), true);
  assert.equal(isInAppFile('v8', ''), false);
});

test('the frames key drops only an exact one-line `Type: message` header or Python footer', () => {
  const v8 = 'TypeError: order 4711 failed\n    at handle (/app/src/orders.js:12:5)\n    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)';
  assert.equal(stackFramesKey(v8, 'TypeError', 'order 4711 failed'), '\n    at handle (/app/src/orders.js:12:5)\n    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)');
  // Another message, the same frames: the same key.
  assert.equal(stackFramesKey(v8.replace('4711', '4712'), 'TypeError', 'order 4712 failed'), stackFramesKey(v8, 'TypeError', 'order 4711 failed'));
  const java = 'java.lang.IllegalStateException: stock 9 < 10\n\tat com.shop.Inventory.take(Inventory.java:41)';
  assert.equal(stackFramesKey(java, 'java.lang.IllegalStateException', 'stock 9 < 10'), '\n\tat com.shop.Inventory.take(Inventory.java:41)');
  const python = 'Traceback (most recent call last):\n  File "/app/orders.py", line 7, in handle\n    raise ValueError(f"order {n}")\nValueError: order 17\n';
  assert.equal(stackFramesKey(python, 'ValueError', 'order 17'), 'Traceback (most recent call last):\n  File "/app/orders.py", line 7, in handle\n    raise ValueError(f"order {n}")\n');
  // Anything else is its own key: a message over several lines, a header that differs, no type.
  const multi = 'Error: first\n    at fake (/app/src/x.js:1:1)\n    at handle (/app/src/orders.js:12:5)';
  assert.equal(stackFramesKey(multi, 'Error', 'first\n    at fake (/app/src/x.js:1:1)'), multi);
  assert.equal(stackFramesKey(v8, 'TypeError', 'order 4711'), v8);
  assert.equal(stackFramesKey(v8, 'RangeError', 'order 4711 failed'), v8);
  assert.equal(stackFramesKey(v8, '', ''), v8);
  assert.equal(stackFramesKey('TypeError: x', 'TypeError', 'x'), 'TypeError: x');
});
