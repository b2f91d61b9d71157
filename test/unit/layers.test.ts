// The folders of src/core depend one way (../shared/DESIGN.md): api <- ingest <- mapping <- signals <-
// sources <- (analysis, shadow, agent) <- (server, client) <- render; the files at src/core's root
// (logger, limits, formatting) sit below them all. A type two folders need belongs to the lower one.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const CORE = path.resolve(__dirname, '../../src/core');
const LEVEL: ReadonlyMap<string, number> = new Map([
  ['', 0],
  ['api', 1],
  ['ingest', 2],
  ['mapping', 3],
  ['signals', 4],
  ['sources', 5],
  ['analysis', 6],
  ['shadow', 6],
  ['agent', 6],
  ['server', 7],
  ['client', 7],
  ['render', 8],
]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The core folder a file is in ('' for src/core's own files). */
function folderOf(file: string): string {
  const parts = path.relative(CORE, file).split(path.sep);
  return parts.length > 1 ? parts[0] : '';
}

/** Every relative import of a file that lands in another core folder: [from folder, to folder, specifier]. */
function crossings(file: string): Array<[string, string, string]> {
  const text = readFileSync(file, 'utf8');
  const out: Array<[string, string, string]> = [];
  for (const m of text.matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)'|\bimport\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2];
    const target = path.resolve(path.dirname(file), spec);
    if (!target.startsWith(CORE + path.sep)) continue;
    const from = folderOf(file);
    const to = folderOf(target);
    if (from !== to) out.push([from, to, spec]);
  }
  return out;
}

test('every src/core folder is a known layer', () => {
  const folders = readdirSync(CORE, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name);
  for (const f of folders) assert.ok(LEVEL.has(f), `src/core/${f} is not a layer in DESIGN.md's order; place it there first`);
});

test('core folders import only downward (no folder imports one above it, and no two import each other)', () => {
  const upward: string[] = [];
  for (const file of tsFiles(CORE)) {
    for (const [from, to, spec] of crossings(file)) {
      if ((LEVEL.get(to) ?? 99) >= (LEVEL.get(from) ?? 99)) upward.push(`${path.relative(CORE, file)} imports ${spec} (${from || 'core root'} -> ${to || 'core root'})`);
    }
  }
  assert.deepEqual(upward, []);
});

test('the check sees an upward import when there is one', () => {
  // a self-check on a file that is known to cross downward: signals imports mapping
  const store = path.join(CORE, 'signals', 'storeTypes.ts');
  assert.ok(
    crossings(store).some(([from, to]) => from === 'signals' && to === 'mapping'),
    'storeTypes.ts no longer imports mapping: pick another file for this self-check',
  );
});
