// Bundles the extension (vscode external), the CLI and the webview scripts. `--watch` rebuilds on change.
import { build, context } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

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

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The receiver's decode worker threads load it from next to the bundle that starts them.
  { ...common, entryPoints: ['src/core/ingest/decodeWorker.ts'], outfile: 'dist/decodeWorker.js' },
];

// Webview scripts run in the browser: one bundle per media/*.ts entry.
const webviews = existsSync('media') ? readdirSync('media').filter((f) => f.endsWith('.ts')).map((f) => `media/${f}`) : [];
if (webviews.length > 0) {
  builds.push({ ...common, entryPoints: webviews, outdir: 'dist/media', platform: 'browser', format: 'iife', target: 'es2022' });
}

// Benchmarks run bundled, like the shipped code (tsx's per-module getters would skew the figures).
if (process.argv.includes('--bench')) {
  builds.push({ ...common, sourcemap: false, entryPoints: ['bench/ingest.ts', 'bench/loadgen.ts', 'bench/makeCorpus.ts', 'bench/memory.ts'], outdir: 'dist/bench' });
  builds.push({ ...common, sourcemap: false, entryPoints: ['src/core/ingest/decodeWorker.ts'], outfile: 'dist/bench/decodeWorker.js' });
}

if (watch) {
  for (const options of builds) await (await context(options)).watch();
} else {
  await Promise.all(builds.map((options) => build(options)));
}
