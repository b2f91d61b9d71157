import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { WASM_FILES } from '../../src/core/analysis/parser';
import { repoRoot } from '../support/harness';

test('the build puts every WASM file the analysis loads next to the bundles, and the .vsix ships them', () => {
  const missing = WASM_FILES.filter((f) => !existsSync(path.join(repoRoot, 'dist', 'wasm', f)));
  assert.deepEqual(missing, [], 'run npm run build');
  assert.match(readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8'), /^!dist\/wasm\/\*\.wasm$/m);
});
