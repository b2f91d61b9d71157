import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const CORE = path.resolve(__dirname, '..', '..', 'src', 'core');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

test('src/core never imports vscode (it must run in plain Node and in the CLI)', () => {
  const files = sources(CORE);
  assert.ok(files.length > 20, 'found the core sources');
  const offenders = files.filter((f) => /(?:from\s+|require\(|import\()\s*['"]vscode['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(
    offenders.map((f) => path.relative(CORE, f)),
    [],
  );
});

test('no default exports in src (named exports only, per the house style)', () => {
  const files = sources(path.resolve(CORE, '..'));
  const offenders = files.filter((f) => /^export default /m.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
