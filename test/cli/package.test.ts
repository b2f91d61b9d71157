/**
 * `npm run package`: the .vsix holds what the extension runs and shows (bundles, WASM grammars,
 * webviews, icons, walkthrough, rule docs, README images) and nothing else (no sources, tests
 * or node_modules).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { packageExtension } from '../../scripts/package';

/** The names inside a zip file (python3 is already a prerequisite of the wire tier). */
function entries(zip: string): string[] {
  const script = 'import sys, zipfile\nprint("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))';
  return execFileSync('python3', ['-c', script, zip], { encoding: 'utf8' }).trim().split('\n');
}

test('the .vsix ships what runs and what the extension links to, and nothing else', { timeout: 180_000 }, async () => {
  const vsix = await packageExtension({ log: () => undefined });
  const names = entries(vsix)
    .filter((n) => n.startsWith('extension/'))
    .map((n) => n.slice('extension/'.length));
  for (const needed of [
    'package.json',
    'readme.md',
    'changelog.md',
    'LICENSE.txt',
    'dist/extension.js',
    'dist/cli.js',
    'dist/decodeWorker.js',
    'dist/analysisWorker.js',
    'dist/media/panel.js',
    'dist/media/panel.css',
    'dist/wasm/web-tree-sitter.wasm',
    'dist/wasm/tree-sitter-python.wasm',
    'media/icon.png',
    'media/activity.svg',
    'docs/rules/missing-timeout.md',
    'docs/images/overview-dark.png',
  ]) {
    assert.ok(names.includes(needed), `${needed} is missing from the .vsix: ${names.join(', ')}`);
  }
  const stray = names.filter((n) => /^(src|test|node_modules|bench|scripts|examples|\.tools)\//.test(n) || n.endsWith('.map') || n.endsWith('.ts'));
  assert.deepEqual(stray, []);
});
