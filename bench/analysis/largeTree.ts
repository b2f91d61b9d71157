/**
 * Issue 11 §5: whole-repository `check` on a TypeScript tree of over 500k lines, on this 2-core
 * machine, target under 30 s. The tree is the TypeScript source the `effect` npm package ships
 * (src/**\/*.ts, 560k lines), pinned by its registry integrity and committed as its own git
 * repository (so attribution blames real history). The ceiling beside it, in the same run:
 * TypeScript's own parser (`ts.createSourceFile`) over the same files, in process.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { listAnalysableFiles, scanWorkspace } from '../../src/core/analysis/workspaceScan';
import { ensureCorpus, packageDir, type PinnedPackage } from './corpus';

/** The pinned tree: effect's shipped TypeScript sources. */
export const LARGE_TS_PACKAGE: PinnedPackage = {
  registry: 'npm',
  name: 'effect',
  version: '4.1.5',
  digest: 'sha512-xyR20KhQI0vg2gD8ILUSQRTTESEYJ0JKdP+QD8J37xbwPTqXRxFM/l0+vUVD9fuSvoYruoTqyt33C4FZv1s4TQ==',
};

/** What the large-tree measurement found. */
export interface LargeTreeFigures {
  files: number;
  lines: number;
  /** `check` (AI-written functions only, as a user runs it), `check --all`, and TypeScript's parser alone, ms. */
  checkMs: number;
  checkAllMs: number;
  tsParseMs: number;
  findingsAll: number;
}

/** Fetches (once) and measures the large TypeScript tree. */
export async function measureLargeTree(corpusDir: string, log: (line: string) => void): Promise<LargeTreeFigures> {
  const layout = await ensureCorpus(corpusDir, log, [LARGE_TS_PACKAGE]);
  const dir = path.join(layout.root, packageDir(LARGE_TS_PACKAGE), 'src');
  log(`large TypeScript tree: ${dir}`);
  const t0 = performance.now();
  const check = await scanWorkspace({ paths: [dir], root: layout.root, all: false });
  const checkMs = performance.now() - t0;
  const t1 = performance.now();
  const all = await scanWorkspace({ paths: [dir], root: layout.root, all: true });
  const checkAllMs = performance.now() - t1;
  const { files } = await listAnalysableFiles([dir]);
  const t2 = performance.now();
  for (const f of files) ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
  const tsParseMs = performance.now() - t2;
  return { files: check.files, lines: check.lines, checkMs, checkAllMs, tsParseMs, findingsAll: all.findings.length };
}

/** The RESULTS.md rows. */
export function largeTreeMarkdown(f: LargeTreeFigures): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return [
    `Large TypeScript tree: npm ${LARGE_TS_PACKAGE.name}@${LARGE_TS_PACKAGE.version} src/ (${f.files.toLocaleString('en-US')} files, ${f.lines.toLocaleString('en-US')} lines), its own git repository.`,
    '',
    '| measure | value |',
    '| --- | ---: |',
    `| whole-tree \`check\` (AI-written functions only, as a user runs it; target < 30 s) | ${s(f.checkMs)} |`,
    `| whole-tree \`check --all\` (${f.findingsAll} findings) | ${s(f.checkAllMs)} |`,
    `| TypeScript's own parser alone over the same files (ceiling), and check ÷ it | ${s(f.tsParseMs)} (${(f.checkMs / f.tsParseMs).toFixed(2)}×) |`,
  ].join('\n');
}
