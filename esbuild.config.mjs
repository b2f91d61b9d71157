// Bundles the extension (vscode external), the CLI and the webview scripts. `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  target: 'node20',
  platform: 'node',
  format: 'cjs',
};

// The extension host thread's CPU time where Node has it (see src/vscode/activationTiming.ts).
const threadCpu = "(typeof process.threadCpuUsage === 'function' ? process.threadCpuUsage() : undefined)";

const builds = [
  // Banner and footer time the evaluation of the bundle, so the activation cost the extension
  // reports includes loading its code, as VS Code's own figure does (without VS Code's waits between).
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    banner: { js: `var __runtimeLensLoadStart = performance.now(), __runtimeLensLoadCpu = ${threadCpu}, __runtimeLensLoadEnd, __runtimeLensLoadCpuEnd;` },
    footer: { js: `__runtimeLensLoadEnd = performance.now(); __runtimeLensLoadCpuEnd = ${threadCpu};` },
  },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The receiver's decode worker threads load it from next to the bundle that starts them.
  { ...common, entryPoints: ['src/core/ingest/decodeWorker.ts'], outfile: 'dist/decodeWorker.js' },
  // The editor's analysis runs on this worker thread: tree-sitter, the rules and git stay off the extension host's thread.
  { ...common, entryPoints: ['src/core/analysis/worker/analysisWorker.ts'], outfile: 'dist/analysisWorker.js' },
];

// Webview scripts run in the browser: one bundle per media/*.ts entry.
const webviews = existsSync('media')
  ? readdirSync('media')
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `media/${f}`)
  : [];
if (webviews.length > 0) {
  builds.push({ ...common, entryPoints: webviews, outdir: 'dist/media', platform: 'browser', format: 'iife', target: 'es2022' });
}

// Webview styles ship as they are, next to the scripts.
const styles = existsSync('media') ? readdirSync('media').filter((f) => f.endsWith('.css')) : [];
if (styles.length > 0) mkdirSync('dist/media', { recursive: true });
for (const f of styles) copyFileSync(`media/${f}`, `dist/media/${f}`);

// tree-sitter's runtime and the grammars the analysis parses with, next to the bundles (dist/wasm),
// where src/core/analysis/parser.ts looks first. WASM only: no native modules in the extension.
const wasm = [['node_modules/web-tree-sitter', 'web-tree-sitter.wasm']].concat(
  ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'].map((l) => ['node_modules/@vscode/tree-sitter-wasm/wasm', `tree-sitter-${l}.wasm`]),
);
mkdirSync('dist/wasm', { recursive: true });
for (const [dir, file] of wasm) copyFileSync(`${dir}/${file}`, `dist/wasm/${file}`);

// Suites that run inside a real VS Code (code-server or @vscode/test-electron) load from dist/test;
// Mocha stays external (loaded from node_modules: the development extension is this folder).
if (existsSync('test/integration/suites/index.ts')) {
  builds.push({ ...common, entryPoints: ['test/integration/suites/index.ts'], outfile: 'dist/test/suites.js', external: ['vscode', 'mocha'] });
}

// Benchmarks run bundled, like the shipped code (tsx's per-module getters would skew the figures).
if (process.argv.includes('--bench')) {
  builds.push({ ...common, sourcemap: false, entryPoints: ['bench/ingest.ts', 'bench/loadgen.ts', 'bench/makeCorpus.ts', 'bench/memory.ts', 'bench/abuse.ts', 'bench/abuseSender.ts'], outdir: 'dist/bench' });
  builds.push({ ...common, sourcemap: false, entryPoints: ['src/core/ingest/decodeWorker.ts'], outfile: 'dist/bench/decodeWorker.js' });
}

if (watch) {
  for (const options of builds) await (await context(options)).watch();
} else {
  await Promise.all(builds.map((options) => build(options)));
}
