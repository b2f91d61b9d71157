import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FunctionIndex } from '../../../src/core/mapping/functionIndex';
import { scanFunctions } from '../../../src/core/mapping/functionScan';
import { languageOf, sourceSkeleton } from '../../../src/core/mapping/sourceLexer';
import type { FunctionDef } from '../../../src/core/mapping/functionScan';

const FIXTURES = join(__dirname, '../../fixtures/routes');

/** 1-based line of the only line containing `marker`. */
function lineOf(src: string, marker: string): number {
  const lines = src.split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(marker) ? [i + 1] : []));
  assert.equal(hits.length, 1, `marker ${marker}`);
  return hits[0]!;
}

const rows = (defs: FunctionDef[]): [string, number, number][] => defs.map((d) => [d.qualifiedName, d.line, d.endLine]);

test('sourceSkeleton keeps offsets and lines, blanks comments and literal contents', () => {
  const js = "const a = '}{'; // { comment\nconst re = /[{]\\//g; const t = `x${ {b: '}'}.b }y`;\n/* { */ f({});";
  const sk = sourceSkeleton(js, 'js');
  assert.equal(sk.length, js.length);
  assert.deepEqual(
    sk.split('\n').map((l) => l.length),
    js.split('\n').map((l) => l.length),
  );
  assert.equal(sk.split('\n')[0], "const a = '  ';             ");
  // Only the real braces survive: the template expression's object literal and the call's.
  assert.equal([...sk].filter((c) => c === '{').length, 3);
  assert.equal([...sk].filter((c) => c === '}').length, 3);
  const py = 'def f():\n    """doc with def g():\n    {"""\n    s = "#"  # comment\n';
  const psk = sourceSkeleton(py, 'python');
  assert.doesNotMatch(psk, /def g|\{|comment/);
  assert.match(psk, /s = " "/);
  const go = "x := `raw\n{`\nr := '{'\n";
  assert.doesNotMatch(sourceSkeleton(go, 'go'), /\{/);
  assert.equal(languageOf('a/b.test.tsx'), 'js');
  assert.equal(languageOf('main.go'), 'go');
  assert.equal(languageOf('README.md'), undefined);
});

test('TS/JS: declarations, arrow and function expressions, class members, object-literal methods', () => {
  const src = `import { x } from './x';

export async function loadUser(id: string): Promise<{ id: string }> { // loadUser
  const cached = cache.get(id);
  if (cached) {
    return cached;
  }
  return { id };
} // end loadUser

export const double = (n: number): number => n * 2; // double

const handler: RequestHandler<Params> = async (req, res) => { // handler
  res.json({ ok: '}' });
}; // end handler

let legacy = function named(a, b) { // legacy
  return a + b;
}; // end legacy

function* ids() { yield 1; } // ids

export class OrderService extends Base<{ a: 1 }> { // OrderService
  private readonly repo: Repo;
  static instance?: OrderService;

  constructor(repo: Repo) { // ctor
    super();
    this.repo = repo;
  } // end ctor

  async create(order: Order): Promise<Order> { // create
    for (const item of order.items) {
      if (!item.sku) throw new Error('no sku');
    }
    return this.repo.save(order);
  } // end create

  static of<T>(value: T): OrderService { // of
    return new OrderService(value as never);
  } // end of

  get total(): number { return this.repo.count(); } // total

  onEvent = async (e: Event) => { // onEvent
    this.log(e);
  }; // end onEvent

  #secret() { return 1; } // secret

  abstractLike(): void;
}

const api = {
  list(req, res) { // list
    res.send([]);
  }, // end list
  remove: async function (req, res) { // remove
    res.sendStatus(204);
  }, // end remove
  update: (req, res) => { // update
    res.end();
  }, // end update
};

interface Repo {
  save(o: Order): Promise<Order>;
  onSaved: (o: Order) => void;
}

function outer(cb = () => 1, opts: { retry: (n: number) => boolean }) { // outer
  function inner() { return cb(); } // inner
  return inner;
} // end outer
`;
  const L = (m: string) => lineOf(src, m);
  assert.deepEqual(rows(scanFunctions('svc.ts', src)), [
    ['loadUser', L('// loadUser'), L('// end loadUser')],
    ['double', L('// double'), L('// double')],
    ['handler', L('// handler'), L('// end handler')],
    ['legacy', L('// legacy'), L('// end legacy')],
    ['ids', L('// ids'), L('// ids')],
    ['OrderService.constructor', L('// ctor'), L('// end ctor')],
    ['OrderService.create', L('// create'), L('// end create')],
    ['OrderService.of', L('// of'), L('// end of')],
    ['OrderService.total', L('// total'), L('// total')],
    ['OrderService.onEvent', L('// onEvent'), L('// end onEvent')],
    ['OrderService.#secret', L('// secret'), L('// secret')],
    ['list', L('// list'), L('// end list')],
    ['remove', L('// remove'), L('// end remove')],
    ['update', L('// update'), L('// end update')],
    ['outer', L('// outer'), L('// end outer')],
    ['inner', L('// inner'), L('// inner')],
  ]);
});

test('Python: def/async def, classes (nested), multi-line signatures, docstrings at column 0', () => {
  const src = `import os


def top(a,
        b):  # top
    x = [
1, 2]
    return x  # end top


class OrderService:  # class
    """Docstring.
Text at column zero.
"""

    @staticmethod
    def create(order):  # create
        if not order:
            raise ValueError("empty")

        return order  # end create

    async def fetch(self, id):  # fetch
        async def helper():  # helper
            return id  # end helper
        return await helper()  # end fetch

    class Meta:
        def table(self): return "orders"  # table


def last():  # last
    pass
# trailing comment at column 0
`;
  const L = (m: string) => lineOf(src, m);
  assert.deepEqual(rows(scanFunctions('orders.py', src)), [
    ['top', L('def top('), L('# end top')],
    ['OrderService.create', L('# create'), L('# end create')],
    ['OrderService.fetch', L('# fetch'), L('# end fetch')],
    ['helper', L('# helper'), L('# end helper')],
    ['OrderService.Meta.table', L('# table'), L('# table')],
    ['last', L('# last'), L('# last') + 1],
  ]);
});

test('Go: functions, pointer and value receivers, generics, interface{} results, bodiless decls', () => {
  const src = `package orders

type Service struct{}

func New() *Service { return &Service{} } // New

func (s *Service) Create(ctx context.Context, o Order) (Order, error) { // Create
	if o.ID == "" {
		return Order{}, errors.New("}")
	}
	return o, nil
} // end Create

func (s Service) Describe() map[string]interface{} { // Describe
	return map[string]interface{}{"name": "svc"}
} // end Describe

func Map[T any, U any](xs []T, f func(T) U) []U { // Map
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
} // end Map

func (c *Cache[K, V]) Get(k K) V { return c.m[k] } // Get

func asmStub(x int) int
`;
  const L = (m: string) => lineOf(src, m);
  assert.deepEqual(rows(scanFunctions('orders.go', src)), [
    ['New', L('// New'), L('// New')],
    ['Service.Create', L('// Create'), L('// end Create')],
    ['Service.Describe', L('// Describe'), L('// end Describe')],
    ['Map', L('// Map'), L('// end Map')],
    ['Cache.Get', L('// Get'), L('// Get')],
  ]);
});

test('Java: methods and constructors, nested classes, control keywords, anonymous classes, abstract methods', () => {
  const src = `package com.example;

public class OrderService {
    private final Repo repo;

    public OrderService(Repo repo) { // ctor
        this.repo = repo;
    } // end ctor

    public <T extends Order> List<T> create(T order) throws IOException, IllegalStateException { // create
        if (order == null) {
            throw new IllegalArgumentException("{");
        }
        for (int i = 0; i < 3; i++) {
            try {
                repo.save(order);
            } catch (Exception e) {
                log(e);
            }
        }
        executor.submit(new Runnable() {
            @Override
            public void run() { // run
                repo.flush();
            } // end run
        });
        return List.of(order);
    } // end create

    abstract void hook();

    static class Builder { // Builder
        Builder with(String k) { // with
            return this;
        } // end with
    }

    private void log(Exception e) { System.err.println(e); } // log
}
`;
  const L = (m: string) => lineOf(src, m);
  assert.deepEqual(rows(scanFunctions('OrderService.java', src)), [
    ['OrderService.OrderService', L('// ctor'), L('// end ctor')],
    ['OrderService.create', L('// create'), L('// end create')],
    ['run', L('// run'), L('// end run')],
    ['Builder.with', L('// with'), L('// end with')],
    ['OrderService.log', L('// log'), L('// log')],
  ]);
});

test('route fixtures: decorated handlers are found where the route scanner points', () => {
  const text = readFileSync(join(FIXTURES, 'OrderController.java'), 'utf8');
  const names = scanFunctions('OrderController.java', text).map((d) => `${d.qualifiedName}@${d.line}`);
  assert.deepEqual(names, [
    'OrderController.OrderController@17',
    'OrderController.list@22',
    'OrderController.get@27',
    'OrderController.create@33',
    'OrderController.cancel@41',
    'OrderController.delete@46',
    'OrderController.search@51',
  ]);
  const py = scanFunctions('flask_app.py', readFileSync(join(FIXTURES, 'flask_app.py'), 'utf8'));
  assert.deepEqual(rows(py), [
    ['index', 16, 17],
    ['order_detail', 21, 24],
    ['create_order', 28, 33],
    ['download', 37, 38],
  ]);
});

test('FunctionIndex.findByName: exact, dotted suffix, last segment, Go receiver syntax', () => {
  const index = new FunctionIndex();
  const def = (name: string, qualifiedName: string, line: number, endLine = line + 5): FunctionDef => ({ name, qualifiedName, line, endLine });
  index.setFile('src/orderService.ts', [def('create', 'OrderService.create', 10), def('helper', 'helper', 30)]);
  index.setFile('src/userService.ts', [def('create', 'UserService.create', 4)]);
  index.setFile('app/orders.py', [def('create_order', 'create_order', 3)]);
  index.setFile('src/main/java/com/example/OrderService.java', [def('create', 'OrderService.create', 40)]);
  index.setFile('store.go', [def('Get', 'Store.Get', 12)]);
  const find = (q: string) => index.findByName(q).map((h) => `${h.file}:${h.def.line}`);
  assert.deepEqual(find('OrderService.create'), ['src/main/java/com/example/OrderService.java:40', 'src/orderService.ts:10']);
  assert.deepEqual(find('com.example.OrderService.create'), ['src/main/java/com/example/OrderService.java:40', 'src/orderService.ts:10']);
  assert.deepEqual(find('create'), ['src/main/java/com/example/OrderService.java:40', 'src/orderService.ts:10', 'src/userService.ts:4']);
  assert.deepEqual(find('orders.create_order'), ['app/orders.py:3']);
  assert.deepEqual(find('example.com/shop/store.(*Store).Get'), ['store.go:12']);
  assert.deepEqual(find('Store::Get'), ['store.go:12']);
  assert.deepEqual(find('helper'), ['src/orderService.ts:30']);
  assert.deepEqual(find('nothing.here'), []);
  assert.deepEqual(find(''), []);
  index.removeFile('src/main/java/com/example/OrderService.java');
  assert.deepEqual(find('com.example.OrderService.create'), ['src/orderService.ts:10']);
  index.setFile('src/orderService.ts', [def('helper', 'helper', 31)]);
  assert.deepEqual(find('OrderService.create'), []);
  assert.deepEqual(find('create'), ['src/userService.ts:4']);
  assert.deepEqual(find('helper'), ['src/orderService.ts:31']);
});

test('FunctionIndex.enclosing returns the innermost function containing the line', () => {
  const src = readFileSync(join(FIXTURES, 'fastapi_app.py'), 'utf8') + '\n\ndef outer():\n    def inner():\n        return 1\n    return inner\n';
  const index = new FunctionIndex();
  index.setFile('fastapi_app.py', scanFunctions('fastapi_app.py', src));
  const at = (line: number) => index.enclosing('fastapi_app.py', line)?.qualifiedName;
  assert.equal(at(24), 'read_item');
  assert.equal(at(22), 'read_item');
  assert.equal(at(20), undefined);
  const lines = src.split('\n');
  const innerBody = lines.indexOf('        return 1') + 1;
  assert.equal(at(innerBody), 'inner');
  assert.equal(at(innerBody + 1), 'outer');
  assert.equal(index.enclosing('other.py', 24), undefined);
  index.removeFile('fastapi_app.py');
  assert.equal(at(24), undefined);
});
