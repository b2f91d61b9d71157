// Test code is left out of the workspace scan unless asked for: tests call fake servers and bare
// clients on purpose, and findings there are noise.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listAnalysableFiles, scanWorkspace } from '../../../src/core/analysis/workspaceScan';

const temps: string[] = [];
after(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const GO_GET = 'package orders\n\nimport "net/http"\n\nfunc Load(u string) { _, _ = http.Get(u) }\n';
const PY_GET = 'import requests\n\ndef pull(url):\n    return requests.get(url)\n';
const TS_FETCH = 'export async function load(url: string) {\n  return fetch(url);\n}\n';

/** A project folder, under a parent called `tests` (which must not count: it is above the project). */
function project(): string {
  const parent = mkdtempSync(join(tmpdir(), 'rl-scan-tests-'));
  temps.push(parent);
  const dir = join(parent, 'tests', 'proj');
  const files: Record<string, string> = {
    'orders/orders.go': GO_GET,
    'orders/orders_test.go': GO_GET,
    'orders/testdata/sample.go': GO_GET,
    'web/load.ts': TS_FETCH,
    'web/load.test.ts': TS_FETCH,
    'web/load.spec.mjs': TS_FETCH.replace(': string', ''),
    'web/__tests__/load.ts': TS_FETCH,
    'test/helpers.ts': TS_FETCH,
    'app/client.py': PY_GET,
    'app/test_client.py': PY_GET,
    'app/conftest.py': PY_GET,
    'tests/test_api.py': PY_GET,
    'fixtures/seed.py': PY_GET,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

describe('scanWorkspace and test code', () => {
  const dir = project();

  it('leaves test files and folders out by default (judged below the root, not above it)', async () => {
    const scan = await scanWorkspace({ paths: [dir], root: dir, all: true, attribute: false });
    assert.deepEqual([...new Set(scan.findings.map((f) => f.file))].sort(), ['app/client.py', 'orders/orders.go', 'web/load.ts']);
    assert.equal(scan.files, 3);
  });

  it('analyses them with includeTests', async () => {
    const scan = await scanWorkspace({ paths: [dir], root: dir, all: true, attribute: false, includeTests: true });
    assert.equal(scan.files, 13);
    assert.ok(scan.findings.some((f) => f.file === 'orders/orders_test.go'));
  });

  it('says why a test file named explicitly is skipped', async () => {
    const scan = await scanWorkspace({ paths: [join(dir, 'orders/orders_test.go'), join(dir, 'orders/orders.go')], root: dir, all: true, attribute: false });
    assert.equal(scan.files, 1);
    assert.deepEqual(scan.skipped, [{ file: 'orders/orders_test.go', reason: 'test code (--include-tests analyses it)' }]);
  });

  it('listAnalysableFiles keeps test files unless told where to judge them from', async () => {
    const { files } = await listAnalysableFiles([dir]);
    assert.equal(files.length, 13);
  });
});
