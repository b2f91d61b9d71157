import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { SourceMapResolver } from '../../../src/core/mapping/sourceMaps';
import type { FileReader } from '../../../src/core/mapping/sourceMaps';
import type { Logger } from '../../../src/core/logger';

const MONEY_TS = [
  'export interface Money { cents: number; currency: string }',
  '',
  'export function addTax(amount: Money, rate: number): Money {',
  '  const taxed = Math.round(amount.cents * (1 + rate));',
  '  return { cents: taxed, currency: amount.currency };',
  '}',
  '',
].join('\n');

const ORDERS_TS = [
  "import { addTax } from './lib/money';",
  '',
  'type Line = { sku: string; qty: number; cents: number };',
  '',
  'export function orderTotal(lines: Line[]): number {',
  '  let sum = 0;',
  '  for (const line of lines) {',
  '    sum += line.qty * line.cents;',
  '  }',
  "  if (sum > 100000) throw new Error('order too large');",
  "  return addTax({ cents: sum, currency: 'EUR' }, 0.2).cents;",
  '}',
  '',
].join('\n');

let root: string;

/** Reads the temp workspace and counts reads, so caching is observable. */
class CountingReader implements FileReader {
  reads = new Map<string, number>();
  constructor(private readonly base: string) {}
  async read(relPath: string): Promise<string | undefined> {
    this.reads.set(relPath, (this.reads.get(relPath) ?? 0) + 1);
    try {
      return await fs.readFile(path.join(this.base, relPath), 'utf8');
    } catch {
      return undefined;
    }
  }
  total(): number {
    let n = 0;
    for (const v of this.reads.values()) n += v;
    return n;
  }
}

class RecordingLogger implements Logger {
  warnings: string[] = [];
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(): void {}
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `"${needle}" not found in:\n${text}`);
  return positionAt(text, at);
}

/** 1-based line and column of a string offset. */
function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'rl-srcmaps-'));
  await fs.mkdir(path.join(root, 'src/lib'), { recursive: true });
  await fs.writeFile(path.join(root, 'src/orders.ts'), ORDERS_TS);
  await fs.writeFile(path.join(root, 'src/lib/money.ts'), MONEY_TS);
  const common = {
    absWorkingDir: root,
    entryPoints: ['src/orders.ts'],
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    logLevel: 'silent' as const,
  };
  await build({ ...common, outdir: 'dist', sourcemap: true });
  await build({ ...common, outdir: 'dist-inline', sourcemap: 'inline' });
  await build({ ...common, outdir: 'dist-min', sourcemap: true, minify: true });
  // A built file with no map at all.
  await fs.writeFile(path.join(root, 'dist/plain.js'), 'module.exports = 1;\n');
});

after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('SourceMapResolver with esbuild output', () => {
  for (const dir of ['dist', 'dist-inline']) {
    it(`traces ${dir}/orders.js back to src/orders.ts and src/lib/money.ts`, async () => {
      const built = await fs.readFile(path.join(root, dir, 'orders.js'), 'utf8');
      if (dir === 'dist') assert.match(built, /\/\/# sourceMappingURL=orders\.js\.map\s*$/);
      else assert.match(built, /\/\/# sourceMappingURL=data:application\/json;base64,/);
      const resolver = new SourceMapResolver(new CountingReader(root));

      const thrown = positionOf(built, 'new Error(');
      const original = await resolver.resolve(`${dir}/orders.js`, thrown.line, thrown.column);
      assert.deepEqual(original, {
        file: 'src/orders.ts',
        ...positionOf(ORDERS_TS, 'new Error('),
        name: null,
      });

      const round = positionOf(built, 'Math.round(');
      const tax = await resolver.resolve(`${dir}/orders.js`, round.line, round.column);
      assert.equal(tax?.file, 'src/lib/money.ts');
      assert.equal(tax?.line, positionOf(MONEY_TS, 'Math.round(').line);
    });
  }

  it('uses 1-based columns: one column left of `new` is still `throw`', async () => {
    const built = await fs.readFile(path.join(root, 'dist/orders.js'), 'utf8');
    const resolver = new SourceMapResolver(new CountingReader(root));
    const at = positionOf(built, 'new Error(');
    const left = await resolver.resolve('dist/orders.js', at.line, at.column - 1);
    assert.deepEqual(left, { file: 'src/orders.ts', ...positionOf(ORDERS_TS, 'throw '), name: null });
  });

  it('traces minified output, with names, and snaps a column before the first mapping forward', async () => {
    const built = await fs.readFile(path.join(root, 'dist-min/orders.js'), 'utf8');
    const resolver = new SourceMapResolver(new CountingReader(root));
    const thrown = positionOf(built, 'new Error(');
    assert.equal((await resolver.resolve('dist-min/orders.js', thrown.line, thrown.column))?.line, 10);

    const fnName = built.lastIndexOf('function ', built.indexOf('Math.round(')) + 'function '.length;
    const addTax = positionAt(built, fnName);
    assert.deepEqual(await resolver.resolve('dist-min/orders.js', addTax.line, addTax.column), {
      file: 'src/lib/money.ts',
      ...positionOf(MONEY_TS, 'addTax('),
      name: 'addTax',
    });

    // Column 1 is inside esbuild's unmapped runtime helpers; the line's first mapping is src/orders.ts 1:1.
    const first = { file: 'src/orders.ts', line: 1, column: 1, name: null };
    assert.deepEqual(await resolver.resolve('dist-min/orders.js', 1, 1), first);
    assert.deepEqual(await resolver.resolve('dist-min/orders.js', 1, 0), first);
  });

  it('takes the first mapping on the line when the column is unknown (0)', async () => {
    const built = await fs.readFile(path.join(root, 'dist/orders.js'), 'utf8');
    const resolver = new SourceMapResolver(new CountingReader(root));
    const { line } = positionOf(built, 'new Error(');
    const want = positionOf(ORDERS_TS, 'if (sum > 100000)').line;
    assert.deepEqual(await resolver.resolve('dist/orders.js', line, 0), { file: 'src/orders.ts', line: want, column: 3, name: null });
  });

  it('returns null for lines without mappings and files without maps', async () => {
    const built = await fs.readFile(path.join(root, 'dist/orders.js'), 'utf8');
    const resolver = new SourceMapResolver(new CountingReader(root));
    const commentLine = positionOf(built, '//# sourceMappingURL').line;
    assert.equal(await resolver.resolve('dist/orders.js', commentLine, 1), null);
    assert.equal(await resolver.resolve('dist/orders.js', commentLine + 50, 1), null);
    assert.equal(await resolver.resolve('dist/plain.js', 1, 1), null);
    assert.equal(await resolver.resolve('dist/missing.js', 1, 1), null);
  });

  it('finds <file>.map when the comment is gone', async () => {
    const built = await fs.readFile(path.join(root, 'dist/orders.js'), 'utf8');
    await fs.writeFile(path.join(root, 'dist/stripped.js'), built.replace(/\/\/# sourceMappingURL=.*/, ''));
    await fs.copyFile(path.join(root, 'dist/orders.js.map'), path.join(root, 'dist/stripped.js.map'));
    const resolver = new SourceMapResolver(new CountingReader(root));
    const at = positionOf(built, 'new Error(');
    assert.equal((await resolver.resolve('dist/stripped.js', at.line, at.column))?.file, 'src/orders.ts');
  });

  it('honours sourceRoot and normalizes webpack:// sources', async () => {
    const built = await fs.readFile(path.join(root, 'dist/orders.js'), 'utf8');
    const map = JSON.parse(await fs.readFile(path.join(root, 'dist/orders.js.map'), 'utf8')) as { sources: string[]; sourceRoot?: string };
    assert.deepEqual([...map.sources].sort(), ['../src/lib/money.ts', '../src/orders.ts']);
    const at = positionOf(built, 'new Error(');

    await fs.writeFile(path.join(root, 'dist/rooted.js'), built.replace('orders.js.map', 'rooted.js.map'));
    await fs.writeFile(path.join(root, 'dist/rooted.js.map'), JSON.stringify({ ...map, sourceRoot: '../src/', sources: map.sources.map((s) => s.replace('../src/', '')) }));
    await fs.writeFile(path.join(root, 'dist/packed.js'), built.replace('orders.js.map', 'packed.js.map'));
    await fs.writeFile(
      path.join(root, 'dist/packed.js.map'),
      JSON.stringify({
        ...map,
        sources: map.sources.map((s, i) => s.replace('../', i === 0 ? 'webpack://shop/./' : 'webpack:///./')),
      }),
    );

    const resolver = new SourceMapResolver(new CountingReader(root));
    assert.equal((await resolver.resolve('dist/rooted.js', at.line, at.column))?.file, 'src/orders.ts');
    assert.equal((await resolver.resolve('dist/packed.js', at.line, at.column))?.file, 'src/orders.ts');
    const round = positionOf(built, 'Math.round(');
    assert.equal((await resolver.resolve('dist/packed.js', round.line, round.column))?.file, 'src/lib/money.ts');
    assert.equal((await resolver.resolve('dist/rooted.js', round.line, round.column))?.file, 'src/lib/money.ts');
  });

  it('logs a malformed map once, returns null, and never throws', async () => {
    await fs.writeFile(path.join(root, 'dist/bad.js'), 'x();\n//# sourceMappingURL=bad.js.map\n');
    await fs.writeFile(path.join(root, 'dist/bad.js.map'), '{"version":3,"sources":[');
    await fs.writeFile(path.join(root, 'dist/badshape.js'), 'x();\n//# sourceMappingURL=badshape.js.map\n');
    await fs.writeFile(path.join(root, 'dist/badshape.js.map'), '{"version":2,"mappings":5}');
    await fs.writeFile(path.join(root, 'dist/badinline.js'), 'x();\n//# sourceMappingURL=data:text/plain,hello\n');
    const logger = new RecordingLogger();
    const resolver = new SourceMapResolver(new CountingReader(root), logger);
    for (let i = 0; i < 3; i++) {
      assert.equal(await resolver.resolve('dist/bad.js', 1, 1), null);
      assert.equal(await resolver.resolve('dist/badshape.js', 1, 1), null);
      assert.equal(await resolver.resolve('dist/badinline.js', 1, 1), null);
    }
    assert.equal(logger.warnings.length, 3);
    assert.match(logger.warnings[0], /bad\.js\.map/);
  });
});

describe('SourceMapResolver caching', () => {
  it('reads each file once, misses included, even for concurrent lookups', async () => {
    const reader = new CountingReader(root);
    const resolver = new SourceMapResolver(reader);
    await Promise.all([resolver.resolve('dist/orders.js', 3, 1), resolver.resolve('dist/orders.js', 4, 1)]);
    await resolver.resolve('dist/plain.js', 1, 1);
    const afterFirst = reader.total();
    await resolver.resolve('dist/orders.js', 5, 1);
    await resolver.resolve('dist/plain.js', 1, 1);
    assert.equal(reader.total(), afterFirst);
    assert.equal(reader.reads.get('dist/orders.js'), 1);
    assert.equal(reader.reads.get('dist/orders.js.map'), 1);
    assert.equal(reader.reads.get('dist/plain.js.map'), 1);
  });

  it('keeps at most 200 maps and evicts the least recently used', async () => {
    // 201 built files with maps (each a copy of orders.js, naming orders.js.map).
    const code = await fs.readFile(path.join(root, 'dist/orders.js'), 'utf8');
    for (let i = 0; i < 201; i++) await fs.writeFile(path.join(root, `dist/m${i}.js`), code);
    const reader = new CountingReader(root);
    const resolver = new SourceMapResolver(reader);
    await resolver.resolve('dist/orders.js', 1, 1);
    for (let i = 0; i < 199; i++) await resolver.resolve(`dist/m${i}.js`, 1, 1);
    await resolver.resolve('dist/orders.js', 1, 1); // a hit: now the most recent
    await resolver.resolve('dist/m199.js', 1, 1); // evicts m0, not orders.js
    await resolver.resolve('dist/orders.js', 1, 1);
    assert.equal(reader.reads.get('dist/orders.js'), 1);
    await resolver.resolve('dist/m0.js', 1, 1);
    assert.equal(reader.reads.get('dist/m0.js'), 2);
    for (let i = 0; i < 201; i++) await fs.rm(path.join(root, `dist/m${i}.js`));
  });

  it('remembers thousands of built files without maps apart from the maps: none is read twice, no map is evicted by them', async () => {
    const reader = new CountingReader(root);
    const resolver = new SourceMapResolver(reader);
    await resolver.resolve('dist/orders.js', 1, 1);
    for (let round = 0; round < 2; round++) for (let i = 0; i < 5_000; i++) await resolver.resolve(`dist/none${i}.js`, 1, 1);
    assert.equal(reader.reads.get('dist/none0.js'), 1);
    assert.equal(reader.reads.get('dist/none4999.js'), 1);
    await resolver.resolve('dist/orders.js', 1, 1);
    assert.equal(reader.reads.get('dist/orders.js'), 1, 'the map was not pushed out by files without one');
  });
});
