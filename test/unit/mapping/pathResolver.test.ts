import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PathResolver, normalizeProductionPath } from '../../../src/core/mapping/pathResolver';
import type { PathMatch } from '../../../src/core/mapping/pathResolver';

const WORKSPACE = [
  'src/orders.js',
  'lib/orders.js',
  'src/x.ts',
  'src/app/page.tsx',
  'svc/orders.py',
  'other/orders.py',
  'public/static/js/main.js',
  'src/main/java/com/example/OrderService.java',
  'a/index.js',
  'b/index.js',
  'c/index.js',
  'a/src/util.js',
  'b/src/util.js',
  'util.js',
  'src/router.js',
  'src/json/decoder.py',
  'dist/a b.js',
];

function hit(m: PathMatch): { file: string; how: string } {
  assert.ok(m.file !== null, `expected a match, got: ${m.file === null ? m.reason : ''}`);
  return { file: m.file, how: m.how };
}

function reasonOf(m: PathMatch): string {
  assert.equal(m.file, null, `expected a miss, got ${m.file}`);
  return m.file === null ? m.reason : '';
}

describe('normalizeProductionPath', () => {
  const cases: Array<[string, string, string]> = [
    ['/app/src/orders.js', '/app/src/orders.js', 'app/src/orders.js'],
    ['C:\\build\\svc\\orders.py', 'C:/build/svc/orders.py', 'build/svc/orders.py'],
    ['c:/build/./svc/../svc/orders.py', 'C:/build/svc/orders.py', 'build/svc/orders.py'],
    ['file:///app/x.js', '/app/x.js', 'app/x.js'],
    ['file:///C:/work/a%20b.js', 'C:/work/a b.js', 'work/a b.js'],
    ['file://server/share/x.js', '/server/share/x.js', 'server/share/x.js'],
    ['webpack:///./src/x.ts', 'src/x.ts', 'src/x.ts'],
    ['webpack://my-lib/./src/x.ts?5f3a', 'src/x.ts', 'src/x.ts'],
    ['webpack:///src/x.ts', 'src/x.ts', 'src/x.ts'],
    ['webpack-internal:///(rsc)/./src/app/page.tsx', 'src/app/page.tsx', 'src/app/page.tsx'],
    ['https://cdn.example.com:8443/static/js/main.js?v=3#L10', '/static/js/main.js', 'static/js/main.js'],
    ['./src/x.ts', 'src/x.ts', 'src/x.ts'],
    ['../../src/x.ts', '../../src/x.ts', 'src/x.ts'],
    ['/../etc/x.js', '/etc/x.js', 'etc/x.js'],
    ['  //srv//app/x.js ', '/srv/app/x.js', 'srv/app/x.js'],
  ];
  for (const [raw, full, relative] of cases) {
    it(`normalizes ${JSON.stringify(raw)}`, () => {
      assert.deepEqual(normalizeProductionPath(raw), { full, relative });
    });
  }
});

describe('PathResolver', () => {
  const resolver = new PathResolver(WORKSPACE);

  it('matches an exact workspace-relative path, with or without ./', () => {
    assert.deepEqual(hit(resolver.resolve('src/orders.js')), { file: 'src/orders.js', how: 'exact' });
    assert.deepEqual(hit(resolver.resolve('./src/orders.js')), { file: 'src/orders.js', how: 'exact' });
  });

  it('matches by the longest segment suffix when the prefix is a deployment folder', () => {
    assert.deepEqual(hit(resolver.resolve('/srv/app/src/orders.js')), { file: 'src/orders.js', how: 'suffix' });
    assert.deepEqual(hit(resolver.resolve('/app/lib/orders.js')), { file: 'lib/orders.js', how: 'suffix' });
    assert.deepEqual(hit(resolver.resolve('/opt/a/src/util.js')), { file: 'a/src/util.js', how: 'suffix' });
  });

  it('matches segments, not characters: "xsrc/orders.js" does not count as "src/orders.js"', () => {
    const r = new PathResolver(['src/orders.js', 'xsrc/orders.js', 'lib/orders.js']);
    assert.deepEqual(hit(r.resolve('/app/xsrc/orders.js')), { file: 'xsrc/orders.js', how: 'suffix' });
  });

  it('reports ambiguity with the candidates instead of guessing', () => {
    const m = resolver.resolve('/srv/app/index.js');
    assert.equal(reasonOf(m), '"index.js" matches 3 workspace files; add a path rule');
    assert.deepEqual(m.ambiguous, ['a/index.js', 'b/index.js', 'c/index.js']);
  });

  it('reports ambiguity at the longest shared suffix, not just the basename', () => {
    const m = resolver.resolve('/srv/src/util.js');
    assert.equal(reasonOf(m), '"src/util.js" matches 2 workspace files; add a path rule');
    assert.deepEqual(m.ambiguous, ['a/src/util.js', 'b/src/util.js']);
  });

  it('lists at most 50 candidates but counts them all', () => {
    const many = Array.from({ length: 60 }, (_, i) => `pkg${String(i).padStart(2, '0')}/index.js`);
    const m = new PathResolver(many).resolve('/app/index.js');
    assert.equal(reasonOf(m), '"index.js" matches 60 workspace files; add a path rule');
    assert.deepEqual(m.ambiguous, many.slice(0, 50));
  });

  it('resolves Windows paths', () => {
    assert.deepEqual(hit(resolver.resolve('C:\\build\\svc\\orders.py')), { file: 'svc/orders.py', how: 'suffix' });
    assert.deepEqual(hit(resolver.resolve('D:\\deploy\\other\\orders.py')), { file: 'other/orders.py', how: 'suffix' });
  });

  it('resolves webpack URLs, with namespace, query and Next.js layer', () => {
    assert.deepEqual(hit(resolver.resolve('webpack:///./src/x.ts')), { file: 'src/x.ts', how: 'exact' });
    assert.deepEqual(hit(resolver.resolve('webpack://shop-web/./src/x.ts?a1b2')), { file: 'src/x.ts', how: 'exact' });
    assert.deepEqual(hit(resolver.resolve('webpack-internal:///(ssr)/./src/app/page.tsx')), {
      file: 'src/app/page.tsx',
      how: 'exact',
    });
  });

  it('resolves file:// and http(s) URLs', () => {
    assert.deepEqual(hit(resolver.resolve('file:///app/src/x.ts')), { file: 'src/x.ts', how: 'suffix' });
    assert.deepEqual(hit(resolver.resolve('file:///C:/ci/dist/a%20b.js')), { file: 'dist/a b.js', how: 'suffix' });
    assert.deepEqual(hit(resolver.resolve('https://cdn.example.com/static/js/main.js?v=42')), {
      file: 'public/static/js/main.js',
      how: 'suffix',
    });
  });

  it('resolves Java package-relative guesses', () => {
    assert.deepEqual(hit(resolver.resolve('com/example/OrderService.java')), {
      file: 'src/main/java/com/example/OrderService.java',
      how: 'suffix',
    });
  });

  it('explains a miss with the file name and the production path', () => {
    const reason = reasonOf(resolver.resolve('/srv/app/src/payments.js'));
    assert.match(reason, /no workspace file is named "payments\.js"/);
    assert.match(reason, /\/srv\/app\/src\/payments\.js/);
  });

  it('does not pin third-party or built-in frames on same-named workspace files', () => {
    assert.match(reasonOf(resolver.resolve('/app/node_modules/express/lib/router.js')), /third-party.*node_modules/);
    assert.match(reasonOf(resolver.resolve('/usr/lib/python3.11/json/decoder.py')), /third-party.*python3\.11/);
    assert.match(reasonOf(resolver.resolve('/venv/lib/python3.12/site-packages/flask/app.py')), /third-party/);
    assert.match(reasonOf(resolver.resolve('node:internal/process/task_queues')), /Node\.js built-in/);
    assert.match(reasonOf(resolver.resolve('   ')), /empty/);
  });

  describe('rules', () => {
    it('rewrites a prefix and wins over suffix matching', () => {
      // Suffix matching alone would call /app/index.js ambiguous.
      const r = new PathResolver(WORKSPACE, [{ from: '/app/', to: 'b/' }]);
      assert.deepEqual(hit(r.resolve('/app/index.js')), { file: 'b/index.js', how: 'rule' });
    });

    it('applies only the first matching rule', () => {
      const r = new PathResolver(WORKSPACE, [
        { from: '/app/', to: 'a/' },
        { from: '/app/', to: 'c/' },
      ]);
      assert.deepEqual(hit(r.resolve('/app/index.js')), { file: 'a/index.js', how: 'rule' });
    });

    it('falls through to matching when the rewritten path is not in the workspace, and says so on a miss', () => {
      const r = new PathResolver(WORKSPACE, [{ from: '/app/', to: 'nowhere/' }]);
      assert.deepEqual(hit(r.resolve('/app/src/orders.js')), { file: 'src/orders.js', how: 'suffix' });
      const m = r.resolve('/app/index.js');
      assert.match(reasonOf(m), /^rule "\/app\/" gave "nowhere\/index\.js", which is not in the workspace; "index\.js" matches 3/);
      assert.equal(m.ambiguous.length, 3);
    });

    it('needs a segment boundary: /app does not rewrite /application', () => {
      const r = new PathResolver(['x/orders.js', 'y/orders.js'], [{ from: '/app', to: 'x' }]);
      assert.deepEqual(hit(r.resolve('/app/orders.js')), { file: 'x/orders.js', how: 'rule' });
      assert.equal(r.resolve('/application/orders.js').file, null);
    });

    it('matches Windows prefixes regardless of slash direction and drive letter case', () => {
      const r = new PathResolver(['services/svc/orders.py', 'svc/orders.py'], [{ from: 'C:\\build\\', to: 'services/' }]);
      assert.deepEqual(hit(r.resolve('c:\\build\\svc\\orders.py')), { file: 'services/svc/orders.py', how: 'rule' });
      assert.deepEqual(hit(r.resolve('C:/build/svc/orders.py')), { file: 'services/svc/orders.py', how: 'rule' });
    });

    it('matches URL prefixes as written, origin included', () => {
      const r = new PathResolver(['web/main.js', 'api/main.js'], [{ from: 'https://cdn.example.com/assets/', to: 'web/' }]);
      assert.deepEqual(hit(r.resolve('https://cdn.example.com/assets/main.js?v=1')), { file: 'web/main.js', how: 'rule' });
    });

    it('lets a rule map third-party paths on purpose', () => {
      const r = new PathResolver(['packages/shared/lib/money.js'], [{ from: '/app/node_modules/@shop/shared/', to: 'packages/shared/' }]);
      assert.deepEqual(hit(r.resolve('/app/node_modules/@shop/shared/lib/money.js')), {
        file: 'packages/shared/lib/money.js',
        how: 'rule',
      });
    });
  });

  it('memoizes frozen results and forgets them on setFiles', () => {
    const r = new PathResolver(['a/index.js', 'b/index.js']);
    const first = r.resolve('/srv/index.js');
    assert.equal(first.file, null);
    assert.equal(r.resolve('/srv/index.js'), first);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.ambiguous));
    r.setFiles(['b/index.js']);
    assert.deepEqual(hit(r.resolve('/srv/index.js')), { file: 'b/index.js', how: 'suffix' });
  });

  it('agrees with a brute-force longest-unique-suffix oracle', () => {
    const seg = fc.constantFrom('src', 'lib', 'app', 'a', 'b', 'x.js', 'y.js');
    const file = fc.tuple(fc.array(fc.constantFrom('src', 'lib', 'app', 'a', 'b'), { maxLength: 3 }), fc.constantFrom('x.js', 'y.js'));
    fc.assert(
      fc.property(
        fc.uniqueArray(
          file.map(([d, b]) => [...d, b].join('/')),
          { maxLength: 12 },
        ),
        fc.array(seg, { minLength: 1, maxLength: 5 }),
        (files, prodSegs) => {
          const prod = `/deploy/${prodSegs.join('/')}`;
          const m = new PathResolver(files).resolve(prod);
          const wanted = prodSegs;
          const shared = (f: string): number => {
            const fs = f.split('/');
            let n = 0;
            while (n < fs.length && n < wanted.length && fs[fs.length - 1 - n] === wanted[wanted.length - 1 - n]) n++;
            return n;
          };
          const best = Math.max(0, ...files.map(shared));
          const top = files.filter((f) => best > 0 && shared(f) === best).sort();
          if (top.length === 1) assert.equal(m.file, top[0]);
          else {
            assert.equal(m.file, null);
            assert.deepEqual(m.ambiguous, top);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
