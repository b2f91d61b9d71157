/**
 * `npm run bench:precision`: runs `runtime-lens check --all --format json` (tests left out, as a
 * user runs it) on the pinned corpus, joins the findings with the labels in
 * bench/analysis/labels/*.jsonl, and prints per rule and language: findings, labelled, precision
 * and the labelled true positives still found; beside them, in the same run and on the same files,
 * for missing-timeout Bandit B113, Ruff S113 and Semgrep use-timeout (Python) and noctx and gosec
 * (Go); for swallowed-error Bandit B110/B112, Ruff S110/S112 and Ruff BLE001 (Python) and ESLint
 * no-empty on catch blocks (JavaScript/TypeScript).
 * Options: --skip-peers; --unlabelled RULE:LANGUAGE (list our unlabelled findings of that pair);
 * --unlabelled-peers RULE:LANGUAGE, repeatable (every unlabelled line any tool flags, with the tools).
 * RUNTIME_LENS_LABELS_DIR points at another labels folder (to try labels before merging them).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JsonReport } from '../src/core/analysis/report/json';
import { languageForFile } from '../src/core/analysis/languages';
import { listAnalysableFiles, toRelative } from '../src/core/analysis/workspaceScan';
import { CORPUS_PACKAGES, cacheRoot, ensureCorpus, packageDir } from './analysis/corpus';
import { GO_PEERS, installGoPeers, runGoPeer } from './analysis/goPeers';
import { LABELS_DIR, loadLabels } from './analysis/labels';
import { ESLINT_PEER_LABEL, installEslint, runEslintPeer } from './analysis/jsPeers';
import { PEERS, SWALLOWED_ERROR_PEERS, installPeers, runPeer } from './analysis/peers';
import type { ToolFinding } from './analysis/precisionTable';
import { precisionMarkdown, precisionRows, unlabelledLines } from './analysis/precisionTable';
import { gitCommit } from './analysis/gitCommit';

const repo = path.resolve(__dirname, '..');
const CORPUS_DIR = path.join(repo, 'bench', '.corpus-analysis');
const VENV_DIR = path.join(repo, '.tools', 'bench-venv');
const OURS = 'Runtime Lens';
const OURS_SURE = `${OURS}, high confidence`;
const log = (line: string) => console.error(line);

const languageOf = (file: string): string => {
  const l = languageForFile(file);
  return l === 'tsx' ? 'typescript' : (l ?? 'other');
};

/** Our findings, from the CLI exactly as a user runs it in the corpus's root. */
function runCheck(root: string): ToolFinding[] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-precision-'));
  const out = path.join(tmp, 'check.json');
  try {
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src', 'cli.ts'), 'check', '--all', '--format', 'json', '--output', out], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (e) {
      // exit 1 means "there are findings"; anything else is a failure
      if ((e as { status?: number }).status !== 1) throw new Error(`runtime-lens check failed: ${(e as Error).message}`);
    }
    const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
    // every finding, and again those the rule is sure of (reported at its severity: the warnings a user sees)
    return report.findings.flatMap((f) => {
      const row = { tool: OURS, rule: f.rule, language: languageOf(f.file), file: f.file, line: f.line, endLine: f.endLine };
      return f.confidence === 'high' ? [row, { ...row, tool: OURS_SURE }] : [row];
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The RULE:LANGUAGE after each occurrence of `flag`; a malformed pair throws one line. */
function pairOptions(flag: string): [string, string][] {
  const pairs: [string, string][] = [];
  process.argv.forEach((arg, i) => {
    if (arg !== flag) return;
    const m = /^([a-z-]+):([a-z]+)$/.exec(process.argv[i + 1] ?? '');
    if (!m) throw new Error(`${flag} needs RULE:LANGUAGE (e.g. swallowed-error:python), got ${JSON.stringify(process.argv[i + 1] ?? '')}`);
    pairs.push([m[1], m[2]]);
  });
  return pairs;
}

async function main(): Promise<void> {
  const skipPeers = process.argv.includes('--skip-peers');
  const listPair = pairOptions('--unlabelled')[0];
  const peerPairs = pairOptions('--unlabelled-peers');
  const labelsDir = process.env.RUNTIME_LENS_LABELS_DIR || LABELS_DIR;
  const labels = loadLabels(labelsDir, CORPUS_PACKAGES);
  log(`corpus: ${CORPUS_DIR}; ${labels.length} labels from ${labelsDir}`);
  const layout = await ensureCorpus(CORPUS_DIR, log);
  log('runtime-lens check --all --format json (tests left out)...');
  const findings = runCheck(layout.root);
  log(`  ${findings.length} findings`);

  const failures: string[] = [];
  const notes: string[] = [];
  const ran: Pick<ToolFinding, 'tool' | 'rule' | 'language'>[] = [];
  if (!skipPeers) {
    // the peers read the files our check reads: tests left out the same way
    const { files } = await listAnalysableFiles([layout.root], { skipTestsUnder: layout.root });
    const relFiles = files.map((abs) => toRelative(layout.root, abs));
    const pyFiles = relFiles.filter((rel) => rel.endsWith('.py'));
    const jsFiles = relFiles.filter((rel) => languageOf(rel) === 'javascript' || languageOf(rel) === 'typescript');
    const install = installPeers(VENV_DIR, log);
    for (const spec of [...PEERS, ...SWALLOWED_ERROR_PEERS]) {
      log(`running ${spec.label} on ${pyFiles.length} Python files...`);
      const run = await runPeer(spec, install, layout.root, pyFiles);
      if (!run.findings) {
        failures.push(`${spec.label}: ${run.error}`);
        continue;
      }
      notes.push(...run.notes.map((n) => `${spec.label}: ${n}`));
      ran.push({ tool: `${spec.label} ${run.version}`, rule: spec.rule, language: 'python' });
      for (const f of run.findings) findings.push({ tool: `${spec.label} ${run.version}`, rule: spec.rule, language: 'python', file: f.file, line: f.line, endLine: f.endLine });
    }
    const cache = cacheRoot();
    try {
      const eslintDir = installEslint(cache, log);
      log(`running ${ESLINT_PEER_LABEL} on ${jsFiles.length} JavaScript/TypeScript files...`);
      const run = await runEslintPeer(eslintDir, layout.root, jsFiles);
      if (!run.findings) failures.push(`${ESLINT_PEER_LABEL}: ${run.error}`);
      else {
        notes.push(...run.notes.map((n) => `${ESLINT_PEER_LABEL}: ${n}`));
        for (const language of ['javascript', 'typescript']) ran.push({ tool: `${ESLINT_PEER_LABEL} ${run.version}`, rule: 'swallowed-error', language });
        for (const f of run.findings) findings.push({ tool: `${ESLINT_PEER_LABEL} ${run.version}`, rule: 'swallowed-error', language: languageOf(f.file), file: f.file, line: f.line, endLine: f.endLine });
      }
    } catch (e) {
      failures.push((e as Error).message);
    }
    let toolsDir: string | null = null;
    try {
      toolsDir = installGoPeers(cache, log);
    } catch (e) {
      failures.push((e as Error).message);
    }
    if (toolsDir) {
      const modules = CORPUS_PACKAGES.filter((p) => p.registry === 'go').map(packageDir);
      for (const spec of GO_PEERS) {
        log(`running ${spec.label} ${spec.version} on ${modules.length} Go modules...`);
        const run = await runGoPeer(spec, toolsDir, cache, layout.root, modules);
        if (!run.findings) {
          failures.push(`${spec.label}: ${run.error}`);
          continue;
        }
        notes.push(...run.notes.map((n) => `${spec.label}: ${n}`));
        const byRule = new Map<string, number>();
        for (const f of run.findings) byRule.set(f.ruleId, (byRule.get(f.ruleId) ?? 0) + 1);
        notes.push(
          `${spec.label} ${spec.version} reported ${run.findings.length} (${
            [...byRule]
              .sort()
              .map(([r, n]) => `${r} ${n}`)
              .join(', ') || 'none'
          })`,
        );
        // noctx (a request sent without a context, so nothing can give it a deadline) is the Go
        // peer closest to missing-timeout; gosec's rules are listed, and joined only where they sit on a labelled line
        for (const f of run.findings)
          findings.push({ tool: `${spec.label} ${spec.version}${spec.id === 'gosec' ? ' (any rule)' : ''}`, rule: 'missing-timeout', language: 'go', file: f.file, line: f.line, endLine: f.endLine });
      }
    }
  }

  const labelledRules = new Set(labels.map((l) => `${l.rule}:${languageOf(l.corpusFile)}`));
  const table = (fs: readonly ToolFinding[], ls: typeof labels) =>
    precisionRows(fs, ls, languageOf, ran).filter((r) => (r.tool.startsWith(OURS) ? labelledRules.has(`${r.rule}:${r.language}`) || r.rule === 'missing-timeout' || r.rule === 'swallowed-error' : true));
  const shown = table(findings, labels);
  // the packages added after the rules were tuned, labelled blind: do the figures hold on code nobody tuned for?
  const heldOut = CORPUS_PACKAGES.filter((p) => p.heldOut).map((p) => `${packageDir(p)}/`);
  const inHeldOut = (file: string) => heldOut.some((d) => file.startsWith(d));
  const heldOutRows = table(
    findings.filter((f) => inHeldOut(f.file)),
    labels.filter((l) => inHeldOut(l.corpusFile)),
  ).filter((r) => r.rule === 'missing-timeout' || r.rule === 'swallowed-error');
  for (const [rule, language] of peerPairs) {
    // several pairs in one run (the corpus and peers run once) get a heading each
    if (peerPairs.length > 1) console.log(`## ${rule}:${language}`);
    for (const l of unlabelledLines(findings, labels, rule, language)) console.log(`${l.file}:${l.line}  ${l.tools.join(', ')}`);
  }
  if (listPair) {
    const [rule, language] = listPair;
    const labelled = new Set(labels.map((l) => `${l.corpusFile}:${l.line}:${l.rule}`));
    for (const f of findings) if (f.tool === OURS && f.rule === rule && f.language === language && !labelled.has(`${f.file}:${f.line}:${f.rule}`)) console.log(`${f.file}:${f.line}`);
  }
  console.log(`\n### ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${os.cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU'} · git ${gitCommit(repo)}\n`);
  console.log('Command: `npm run bench:precision`\n');
  console.log(precisionMarkdown(shown).join('\n'));
  console.log(
    `\nHeld-out packages only (${CORPUS_PACKAGES.filter((p) => p.heldOut)
      .map((p) => `${p.name} ${p.version}`)
      .join(', ')}):\n`,
  );
  console.log(precisionMarkdown(heldOutRows).join('\n'));
  if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
  if (failures.length) {
    log(`\n${failures.length} peer(s) could not run: ${failures.join('; ')}`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
