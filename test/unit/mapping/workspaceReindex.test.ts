import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { watchWorkspaceIndex, WorkspaceWatcher } from '../../../src/core/mapping/workspaceWatcher';
import { resource, span } from '../../support/records';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-reindex-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function write(root: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

const PRICE = 'export function price(item: string): number {\n  return item.length;\n}\n';

test('update rescans edited files, forgets deleted ones, lists new folders and re-reads manifests', async () => {
  const root = path.join(tmp, 'update');
  write(root, 'src/price.ts', PRICE);
  write(root, 'src/old.ts', 'export function legacy() {}\n');
  const { index } = await WorkspaceIndex.build(root);
  let updated = 0;
  index.onUpdated = () => updated++;
  assert.equal(index.functions.findByName('price')[0]?.def.line, 1);
  const builtAt = index.indexedAt;
  assert.ok(builtAt > 0);

  write(root, 'src/price.ts', `// one\n// two\n// three\n${PRICE}`);
  rmSync(path.join(root, 'src/old.ts'));
  write(root, 'lib/deep/tax.ts', 'export function tax() { return 1; }\n');
  write(root, 'services/orders/package.json', '{"name": "orders"}');
  const u = await index.update(['src/price.ts', 'src/old.ts', 'lib', 'services']);
  assert.equal(updated, 1);
  assert.ok(u.manifests);
  assert.ok(index.indexedAt >= builtAt);
  assert.equal(index.functions.findByName('price')[0]?.def.line, 4, 'the function moved down three lines');
  assert.deepEqual(index.functions.findByName('legacy'), [], 'the deleted file is forgotten');
  assert.equal(index.functions.findByName('tax')[0]?.file, 'lib/deep/tax.ts', 'a new folder brings its files');
  assert.equal(index.paths.resolve('/srv/app/lib/deep/tax.ts').file, 'lib/deep/tax.ts', 'and path matching knows them');
  assert.equal(index.serviceRoots.dirFor('orders'), 'services/orders');
  assert.equal(index.functionCount, 2, 'counts follow rescans instead of adding up');

  rmSync(path.join(root, 'lib'), { recursive: true });
  rmSync(path.join(root, 'services'), { recursive: true });
  await index.update(['lib', 'services']);
  assert.deepEqual(index.functions.findByName('tax'), [], 'a deleted folder takes its files');
  assert.equal(index.serviceRoots.dirFor('orders'), undefined, 'and its manifests');
  assert.equal(index.paths.resolve('/srv/app/lib/deep/tax.ts').file, null);

  // Paths that are not indexable change nothing and invalidate nothing.
  write(root, 'logs/app.log', 'x');
  const before = updated;
  await index.update(['logs/app.log', 'node_modules/x/index.js', '../outside.ts']);
  assert.equal(updated, before);
});

test("after an edit, the mapper (invalidated by onUpdated) puts a function's figures on its new line", async () => {
  const root = path.join(tmp, 'mapper');
  write(root, 'src/price.ts', PRICE);
  const { index } = await WorkspaceIndex.build(root);
  const mapper = new CodeMapper(index);
  index.onUpdated = () => mapper.invalidate();
  const byName = () => span({ kind: 1, name: 'price', resource: resource('shop') });
  assert.equal((await mapper.resolve(byName())).location?.line, 1);
  write(root, 'src/price.ts', `\n\n\n${PRICE}`);
  await index.update(['src/price.ts']);
  const again = byName();
  assert.equal(mapper.lookup(again), undefined, 'the cached mapping was dropped');
  assert.equal((await mapper.resolve(again)).location?.line, 4);
});

test('the watcher follows edits, new folders and renames, debounced into one pass per burst', { timeout: 60_000 }, async () => {
  const root = path.join(tmp, 'watch');
  write(root, 'src/price.ts', PRICE);
  const { index } = await WorkspaceIndex.build(root);
  const watcher = watchWorkspaceIndex(root, index, undefined, { debounceMs: 50 });
  try {
    const waitFor = async (what: string, done: () => boolean): Promise<void> => {
      // Bounded by the test runner's timeout; each round waits for the watcher's own pass to end.
      while (!done()) {
        await new Promise((r) => setTimeout(r, 20));
        await watcher.idle();
        if (watcher.watchedDirs === 0) assert.fail(`watcher closed while waiting for ${what}`);
      }
    };
    write(root, 'src/price.ts', `\n\n${PRICE}`);
    await waitFor('the edit', () => index.functions.findByName('price')[0]?.def.line === 3);
    write(root, 'src/new/deeper/tax.ts', 'export function tax() {}\n');
    await waitFor('the new folder', () => index.functions.findByName('tax').length === 1);
    write(root, 'src/new/deeper/more.ts', 'export function more() {}\n');
    await waitFor('a file in the new folder (watched since it appeared)', () => index.functions.findByName('more').length === 1);
    renameSync(path.join(root, 'src/new'), path.join(root, 'src/renamed'));
    await waitFor('the rename', () => index.functions.findByName('tax')[0]?.file === 'src/renamed/deeper/tax.ts');
    write(root, 'node_modules/dep/index.js', 'function dep() {}\n');
    write(root, 'src/renamed/deeper/last.ts', 'export function last() {}\n');
    await waitFor('a file after the rename', () => index.functions.findByName('last').length === 1);
    assert.deepEqual(index.functions.findByName('dep'), [], 'node_modules is not indexed');
  } finally {
    watcher.close();
  }
});

test('a burst of 10,000 file changes is one re-index pass, not 10,000', { timeout: 60_000 }, async () => {
  const root = path.join(tmp, 'burst');
  const N = 10_000;
  for (let d = 0; d < 10; d++) mkdirSync(path.join(root, `m${d}`), { recursive: true });
  for (let i = 0; i < N; i++) writeFileSync(path.join(root, `m${i % 10}`, `f${i}.js`), `function f${i}() {}\n`);
  const batches: number[] = [];
  const watcher = new WorkspaceWatcher(root, async (paths) => void batches.push(paths.length), undefined, { debounceMs: 300 });
  watcher.watch(['', ...Array.from({ length: 10 }, (_, d) => `m${d}`)]);
  try {
    // One synchronous loop: every event is queued before the watcher sees the first one.
    for (let i = 0; i < N; i++) appendFileSync(path.join(root, `m${i % 10}`, `f${i}.js`), '// edited\n');
    while (batches.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      await watcher.idle();
    }
    await watcher.idle();
    assert.deepEqual(batches, [N], `passes: ${JSON.stringify(batches)}`);
    assert.equal(watcher.passes, 1);
  } finally {
    watcher.close();
  }
});

test('more changes than a pass holds become one re-read of the whole workspace', { timeout: 60_000 }, async () => {
  const root = path.join(tmp, 'overflow');
  mkdirSync(root, { recursive: true });
  const seen: string[][] = [];
  const watcher = new WorkspaceWatcher(root, async (paths) => void seen.push(paths), undefined, { debounceMs: 100, maxPending: 50 });
  watcher.watch(['']);
  try {
    for (let i = 0; i < 200; i++) writeFileSync(path.join(root, `f${i}.ts`), 'export const x = 1;\n');
    while (seen.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      await watcher.idle();
    }
    assert.deepEqual(seen, [['']]);
  } finally {
    watcher.close();
  }
});
