import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultIgnoredDirs, listWorkspaceFiles } from '../../../src/core/mapping/workspaceFiles';

let tmp: string;
let root: string;
let outside: string;

async function write(base: string, rel: string, text = '// x\n'): Promise<void> {
  const abs = path.join(base, rel);
  await fs.mkdir(path.dirname(abs), { recursive: true });
  await fs.writeFile(abs, text);
}

before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'rl-wsfiles-'));
  root = path.join(tmp, 'ws');
  outside = path.join(tmp, 'outside');
  for (const rel of [
    'app.py',
    'src/orders.ts',
    'src/deep/nested/more/handler.go',
    'dist/orders.js',
    'dist/orders.js.map',
    'build/main.js',
    'out/extension.js',
    'src/main/java/com/example/OrderService.java',
    'README.md',
    'package.json',
    'node_modules/express/index.js',
    'src/node_modules/inner.js',
    '.git/hooks/pre-commit.js',
    '.venv/lib/x.py',
    'venv/lib/y.py',
    '__pycache__/app.cpython-311.py',
    '.tox/py311/z.py',
    'target/classes/Gen.java',
    'vendor/lib/v.go',
  ]) {
    await write(root, rel);
  }
  await write(outside, 'secret.js');
  await write(outside, 'lib/leak.js');
  await fs.symlink(outside, path.join(root, 'linked-out'), 'dir');
  await fs.symlink(path.join(root, 'src'), path.join(root, 'src-alias'), 'dir');
  await fs.symlink(path.join(outside, 'secret.js'), path.join(root, 'secret-link.js'), 'file');
  await fs.symlink(path.join(root, 'app.py'), path.join(root, 'app-link.py'), 'file');
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('listWorkspaceFiles', () => {
  it('lists source and .map files, keeps dist/build/out, skips tool and dependency folders', async () => {
    const { files, truncated } = await listWorkspaceFiles(root);
    assert.equal(truncated, false);
    assert.deepEqual(files, [
      'app-link.py',
      'app.py',
      'build/main.js',
      'dist/orders.js',
      'dist/orders.js.map',
      'out/extension.js',
      'src/deep/nested/more/handler.go',
      'src/main/java/com/example/OrderService.java',
      'src/orders.ts',
    ]);
  });

  it('never follows symlinked directories and drops symlinked files that leave the root', async () => {
    const { files } = await listWorkspaceFiles(root);
    assert.ok(!files.some((f) => f.startsWith('linked-out/') || f.startsWith('src-alias/')));
    assert.ok(!files.includes('secret-link.js'));
  });

  it('stops at maxFiles, reports truncation and keeps the shallowest files', async () => {
    const { files, truncated } = await listWorkspaceFiles(root, { maxFiles: 3 });
    assert.equal(truncated, true);
    assert.equal(files.length, 3);
    // Breadth first: the root's own files come before anything in a subfolder.
    assert.deepEqual(files, ['app-link.py', 'app.py', 'build/main.js']);
  });

  it('is not truncated when the limit equals the file count', async () => {
    const { files, truncated } = await listWorkspaceFiles(root, { maxFiles: 9 });
    assert.equal(files.length, 9);
    assert.equal(truncated, false);
  });

  it('takes ignoreDirs in place of the defaults', async () => {
    const { files } = await listWorkspaceFiles(root, { ignoreDirs: [...defaultIgnoredDirs, 'dist', 'src'] });
    assert.deepEqual(files, ['app-link.py', 'app.py', 'build/main.js', 'out/extension.js']);
    const withVendor = await listWorkspaceFiles(root, { ignoreDirs: defaultIgnoredDirs.filter((d) => d !== 'vendor') });
    assert.ok(withVendor.files.includes('vendor/lib/v.go'));
  });

  it('rejects a root that does not exist', async () => {
    await assert.rejects(listWorkspaceFiles(path.join(tmp, 'missing')), { code: 'ENOENT' });
  });
});
