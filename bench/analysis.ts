/**
 * `npm run bench:analysis`: the AI-code risk analysis over a large real corpus (pinned npm
 * tarballs and PyPI sdists, fetched and verified into bench/.corpus-analysis), then, on the same
 * Python files and in the same run, Bandit B113, Ruff S113 and Semgrep's requests use-timeout
 * rule: time ratios and every difference in findings, explained. Prints a block for
 * bench/RESULTS.md at the end. Options: --skip-peers (our figures only).
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFile, defaultParsers } from '../src/core/analysis/analyze';
import { isGeneratedFile } from '../src/core/analysis/attribution/markers';
import type { Finding } from '../src/core/analysis/findings';
import { languageForFile } from '../src/core/analysis/languages';
import { MAX_FILE_BYTES, listAnalysableFiles, scanWorkspace, toRelative } from '../src/core/analysis/workspaceScan';
import type { Comparison } from './analysis/compare';
import { compareWithPeer } from './analysis/compare';
import { CORPUS_PACKAGES, ensureCorpus } from './analysis/corpus';
import { largeTreeMarkdown, measureLargeTree } from './analysis/largeTree';
import { PEERS, installPeers, runPeer } from './analysis/peers';
import type { OurFigures } from './analysis/report';
import { differenceListing, resultsMarkdown } from './analysis/report';
import { gitCommit } from './analysis/gitCommit';

const repo = path.resolve(__dirname, '..');
const CORPUS_DIR = path.join(repo, 'bench', '.corpus-analysis');
const LARGE_TREE_DIR = path.join(repo, 'bench', '.corpus-analysis-large');
const VENV_DIR = path.join(repo, '.tools', 'bench-venv');
const log = (line: string) => console.error(line);

function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${os.cpus().length} cores · ${cpu} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version}`;
}

async function main(): Promise<void> {
  const skipPeers = process.argv.includes('--skip-peers');
  log(`corpus: ${CORPUS_DIR}`);
  const layout = await ensureCorpus(CORPUS_DIR, log);

  // 0. A workspace of about 100k lines (eslint's JavaScript + docker's Python), cold: grammars load here.
  log('analysing a ~100k-line workspace (eslint + docker, workspace scan, --all, cold)...');
  const t00 = performance.now();
  const small = await scanWorkspace({ paths: ['npm/eslint-9.17.0', 'pypi/docker-7.2.0'].map((p) => path.join(layout.root, p)), root: layout.root, all: true });
  const smallMs = performance.now() - t00;

  // 1. The whole tree the way `runtime-lens check --all` reads it, grammars loading on first use.
  log('analysing the whole tree (workspace scan, --all)...');
  const t0 = performance.now();
  const scan = await scanWorkspace({ paths: [layout.root], root: layout.root, all: true });
  const scanMs = performance.now() - t0;
  const findingsByRule: Record<string, number> = {};
  for (const f of scan.findings) findingsByRule[f.rule] = (findingsByRule[f.rule] ?? 0) + 1;
  for (const e of scan.errors) log(`  error: ${e.file}: ${e.message}`);

  // 2. Analysis alone over the same files, texts in memory, parsers warm.
  const { files } = await listAnalysableFiles([layout.root]);
  const texts: { rel: string; text: string }[] = [];
  const linesByLanguage: Record<string, number> = {};
  for (const abs of files) {
    const buf = readFileSync(abs);
    if (buf.length > MAX_FILE_BYTES) continue;
    const text = buf.toString('utf8');
    if (isGeneratedFile(text)) continue;
    const rel = toRelative(layout.root, abs);
    texts.push({ rel, text });
    const lang = languageForFile(rel) ?? 'other';
    linesByLanguage[lang] = (linesByLanguage[lang] ?? 0) + countLines(text);
  }
  const parsers = defaultParsers();
  let analysedLines = 0;
  const t1 = performance.now();
  for (const { rel, text } of texts) {
    await analyzeFile(rel, text, { parsers });
    analysedLines += countLines(text);
  }
  const analysisMs = performance.now() - t1;

  // 3. Ours on exactly the Python files the peers get: read + analyse, timed like a tool run.
  const pyFiles = texts.map((t) => t.rel).filter((rel) => rel.startsWith('pypi/') && rel.endsWith('.py'));
  const ourPython: Finding[] = [];
  let pyLines = 0;
  const t2 = performance.now();
  for (const rel of pyFiles) {
    const text = readFileSync(path.join(layout.root, rel), 'utf8');
    pyLines += countLines(text);
    ourPython.push(...(await analyzeFile(rel, text, { parsers, rules: ['missing-timeout'] })));
  }
  const pyMs = performance.now() - t2;

  const ours: OurFigures = {
    small: { files: small.files, lines: small.lines, ms: smallMs },
    scan: { files: scan.files, lines: scan.lines, ms: scanMs, findings: findingsByRule, errors: scan.errors.length, skipped: scan.skipped.length },
    analysis: { files: texts.length, lines: analysedLines, ms: analysisMs },
    python: { files: pyFiles.length, lines: pyLines, ms: pyMs, missingTimeout: ourPython.length },
    linesByLanguage,
  };
  log(
    `ours: scan ${scan.files} files, ${scan.lines} lines in ${(scanMs / 1000).toFixed(2)} s; analysis only ${(analysisMs / 1000).toFixed(2)} s; Python ${pyFiles.length} files in ${(pyMs / 1000).toFixed(2)} s, ${ourPython.length} missing-timeout`,
  );

  // 4. Peers, one after the other so they do not share the two cores.
  const comparisons: Comparison[] = [];
  if (!skipPeers) {
    log(`peers: venv ${VENV_DIR}`);
    const install = installPeers(VENV_DIR, log);
    for (const spec of PEERS) {
      log(`running ${spec.label}...`);
      const run = await runPeer(spec, install, layout.root, pyFiles);
      if (!run.findings) log(`  ${spec.label} NOT RUN: ${run.error}`);
      else log(`  ${run.findings.length} findings in ${(run.ms / 1000).toFixed(2)} s${run.scanned !== undefined ? ` (${run.scanned} files scanned)` : ''}`);
      comparisons.push(await compareWithPeer(layout.root, ourPython, run));
    }
    for (const c of comparisons) if (c.peer.findings) console.log(differenceListing(c).join('\n'));
  }

  // 5. A TypeScript tree of over 500k lines, whole-repository check (issue 11 §5).
  log('analysing the large TypeScript tree...');
  const large = await measureLargeTree(LARGE_TREE_DIR, log);

  const date = new Date().toISOString().slice(0, 10);
  console.log('\n----- paste into bench/RESULTS.md -----\n');
  console.log(resultsMarkdown({ date, machine: machine(), commit: gitCommit(repo), packages: CORPUS_PACKAGES, ours, comparisons }));
  console.log(`\n${largeTreeMarkdown(large)}`);
  const missing = comparisons.filter((c) => !c.peer.findings);
  if (missing.length > 0) {
    log(`\n${missing.length} peer(s) could not run: ${missing.map((c) => `${c.peer.spec.label} (${c.peer.error})`).join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
