/**
 * The workspace scan shared by `runtime-lens check` and the editor's background scan: find the
 * analysable files under some paths, analyse each, attribute the functions that have findings
 * (one Attributor per repository), and keep the findings in AI-written functions unless asked
 * for all. Bounded concurrency (reads and git overlap the CPU-bound parsing), progress as files
 * done / total, cancellation through an AbortSignal.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Logger } from '../logger';
import { silentLogger } from '../logger';
import type { AnalysisOptions } from './analyze';
import { analyzeFile, analyzeTree, defaultParsers } from './analyze';
import { Attributor } from './attribution/attribute';
import { findRepoRoot } from './attribution/repoRoot';
import { isGeneratedFile } from './attribution/markers';
import type { Attribution, Finding, FunctionSpan, Language } from './findings';
import { spanKey } from './findings';
import { extractFunctions } from './functions';
import { languageForFile } from './languages';
import { isTestPath } from './testPaths';

/** Folder names never descended into (dependencies, build output, VCS data); dot-folders are skipped too. */
export const SKIPPED_DIRS: readonly string[] = ['node_modules', 'dist', 'build', 'vendor', 'venv', '__pycache__', 'bower_components', 'site-packages'];

/** Files larger than this are not analysed (minified bundles, dumps). */
export const MAX_FILE_BYTES = 1024 * 1024;

/** What to scan and how. */
export interface ScanOptions {
  /** Files or folders, absolute or relative to the process's folder (default: `root`). */
  paths?: readonly string[];
  /** Findings carry paths relative to this folder (default: the process's folder). */
  root?: string;
  /** Keep findings in every function, not only AI-written ones. */
  all?: boolean;
  /** Analyse test code too (`isTestPath`); by default it is left out. */
  includeTests?: boolean;
  analysis?: AnalysisOptions;
  /** Files in flight at once (default 8). */
  concurrency?: number;
  maxFileBytes?: number;
  /** Folder names to skip (default `SKIPPED_DIRS`; dot-folders are always skipped unless named in `paths`). */
  skipDirs?: readonly string[];
  signal?: AbortSignal;
  /** Called with files done and the total, once with 0 before the first file and after each file. */
  onProgress?: (done: number, total: number) => void;
  /** The attributor of a repository root (default: one `Attributor` per root, made on first use). */
  attributorFor?: (repoRoot: string) => Attributor;
  /** False: run no git (an untrusted workspace); findings are then unattributed. Default true. */
  attribute?: boolean;
  logger?: Logger;
}

/** A file left out, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What a scan found. */
export interface ScanResult {
  /** Sorted by file, then position. */
  findings: Finding[];
  /** The function (or, at module level, the construct; for SQL, the file) each finding was attributed by. */
  spans: Map<Finding, FunctionSpan>;
  /** Files analysed and their lines. */
  files: number;
  lines: number;
  skipped: SkippedFile[];
  /** Files that could not be read, parsed or attributed (the scan goes on without them). */
  errors: { file: string; message: string }[];
  /** git-ai attestation lines the attribution skipped (keys with no record anywhere), summed over repositories. */
  skippedAttestations?: number;
}

/** Thrown when a path given to the scan does not exist. */
export class ScanPathError extends Error {}

interface FileOutcome {
  findings: Finding[];
  spans: [Finding, FunctionSpan][];
  lines: number;
  skipped?: string;
  error?: string;
}

/** Scans `paths` and returns the findings, attributed, AI-written functions only unless `all`. */
export async function scanWorkspace(options: ScanOptions = {}): Promise<ScanResult> {
  const root = path.resolve(options.root ?? process.cwd());
  const logger = options.logger ?? silentLogger;
  const signal = options.signal;
  signal?.throwIfAborted();
  const { files, skipped } = await listAnalysableFiles(options.paths ?? [root], { ...options, ...(options.includeTests ? {} : { skipTestsUnder: root }) });
  const total = files.length;
  options.onProgress?.(0, total);

  const attributors = new Map<string, Attributor>();
  const attributorFor = (repoRoot: string): Attributor => {
    let a = attributors.get(repoRoot);
    if (!a) attributors.set(repoRoot, (a = options.attributorFor?.(repoRoot) ?? new Attributor(repoRoot, { logger })));
    return a;
  };
  const repoRoots = new Map<string, Promise<string | null>>();
  const repoRootOf = (dir: string): Promise<string | null> => {
    let p = repoRoots.get(dir);
    if (!p) repoRoots.set(dir, (p = findRepoRoot(dir)));
    return p;
  };

  const outcomes: FileOutcome[] = new Array(total);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      signal?.throwIfAborted();
      const index = next++;
      const abs = files[index]!;
      outcomes[index] = await scanFile(abs, toRelative(root, abs), options, repoRootOf, attributorFor).catch((error: Error) => ({
        findings: [],
        spans: [],
        lines: 0,
        error: error.message,
      }));
      done++;
      options.onProgress?.(done, total);
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 8, total));
  await Promise.all(Array.from({ length: width }, worker));
  signal?.throwIfAborted();

  const result: ScanResult = { findings: [], spans: new Map(), files: 0, lines: 0, skipped: skipped.map((s) => ({ file: toRelative(root, s.file), reason: s.reason })), errors: [] };
  outcomes.forEach((o, i) => {
    const file = toRelative(root, files[i]!);
    if (o.error !== undefined) {
      logger.warn(`check: ${file}: ${o.error}`);
      result.errors.push({ file, message: o.error });
      return;
    }
    if (o.skipped !== undefined) {
      result.skipped.push({ file, reason: o.skipped });
      return;
    }
    result.files++;
    result.lines += o.lines;
    result.findings.push(...o.findings);
    for (const [f, span] of o.spans) result.spans.set(f, span);
  });
  let skippedAttestations = 0;
  for (const a of attributors.values()) skippedAttestations += a.skippedAttestations?.() ?? 0;
  if (skippedAttestations > 0) result.skippedAttestations = skippedAttestations;
  return result;
}

/** Analyses and attributes one file. */
async function scanFile(abs: string, rel: string, options: ScanOptions, repoRootOf: (dir: string) => Promise<string | null>, attributorFor: (repoRoot: string) => Attributor): Promise<FileOutcome> {
  const maxBytes = options.maxFileBytes ?? MAX_FILE_BYTES;
  const size = (await stat(abs)).size;
  if (size > maxBytes) return { findings: [], spans: [], lines: 0, skipped: `larger than ${formatBytes(maxBytes)}` };
  const text = await readFile(abs, 'utf8');
  // generated files: nobody wrote them by hand and nobody should fix them there
  if (isGeneratedFile(text)) return { findings: [], spans: [], lines: 0, skipped: 'generated' };
  const lines = countLines(text);
  const analysis = options.analysis ?? {};
  // by extension, per file: a language override in `analysis` is for single-file callers
  const language = languageForFile(abs);
  if (!language) return { findings: [], spans: [], lines: 0, skipped: 'not an analysed language' };

  let findings: Finding[];
  let functions: FunctionSpan[] = [];
  if (language === 'sql') {
    findings = await analyzeFile(rel, text, { ...analysis, language: 'sql' });
  } else {
    const tree = await (analysis.parsers ?? defaultParsers(analysis.wasmDir)).parse(language, text);
    try {
      findings = analyzeTree(rel, tree, text, language, analysis);
      // functions only matter when there is something to attribute
      if (findings.length > 0) functions = extractFunctions(tree, language).map(({ name, startLine, endLine }) => ({ name, startLine, endLine }));
    } finally {
      tree.delete();
    }
  }
  if (findings.length === 0) return { findings, spans: [], lines };

  const spans = findings.map((f): [Finding, FunctionSpan] => [f, spanFor(f, functions, language, lines)]);
  const unique = new Map<string, FunctionSpan>();
  for (const [, s] of spans) unique.set(spanKey(s), unique.get(spanKey(s)) ?? s);

  const repoRoot = options.attribute === false ? null : await repoRootOf(path.dirname(abs));
  let attributions = new Map<FunctionSpan, Attribution>();
  if (repoRoot !== null) attributions = await attributorFor(repoRoot).attributeFunctions(abs, [...unique.values()], text);
  const kept: [Finding, FunctionSpan][] = [];
  for (const [f, s] of spans) {
    const attribution = repoRoot === null ? null : (attributions.get(unique.get(spanKey(s))!) ?? null);
    // unknown authorship is kept: dropping it would treat it as human
    if (!options.all && attribution?.ai !== true && attribution?.unknown === undefined) continue;
    const finding: Finding = { ...f, attribution };
    kept.push([finding, s]);
  }
  return { findings: kept.map(([f]) => f), spans: kept, lines };
}

/**
 * The span a finding is attributed by: its enclosing function (by name, innermost), the whole
 * file for SQL migrations (written as a unit), else the construct's own lines at module level.
 */
export function spanFor(f: Finding, functions: readonly FunctionSpan[], language: Language, lineCount: number): FunctionSpan {
  if (language === 'sql') return { name: '', startLine: 1, endLine: Math.max(1, lineCount) };
  let named: FunctionSpan | null = null;
  let enclosing: FunctionSpan | null = null;
  for (const fn of functions) {
    if (fn.startLine > f.line || fn.endLine < f.line) continue;
    if (!enclosing || fn.startLine >= enclosing.startLine) enclosing = fn;
    if (fn.name === f.function && (!named || fn.startLine >= named.startLine)) named = fn;
  }
  if (named) return named;
  if (f.function !== '' && enclosing) return enclosing;
  return { name: f.function, startLine: f.line, endLine: f.endLine };
}

/** Absolute paths of the analysable files under `paths` (sorted, each once), and the named files left out. */
export async function listAnalysableFiles(
  paths: readonly string[],
  options: Pick<ScanOptions, 'skipDirs' | 'signal'> & { /** Leave out test code, judged by the path relative to this folder. */ skipTestsUnder?: string } = {},
): Promise<{ files: string[]; skipped: SkippedFile[] }> {
  const skipDirs = new Set(options.skipDirs ?? SKIPPED_DIRS);
  const testsRoot = options.skipTestsUnder;
  const isTest = (abs: string): boolean => testsRoot !== undefined && isTestPath(toRelative(testsRoot, abs));
  const found = new Set<string>();
  const skipped: SkippedFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    options.signal?.throwIfAborted();
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable folder: nothing to analyse in it
    }
    for (const e of entries) {
      // symbolic links are not followed: they loop, or lead out of the workspace
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && !skipDirs.has(e.name)) await walk(full);
      } else if (e.isFile() && languageForFile(e.name) !== null && !isTest(full)) {
        found.add(full);
      }
    }
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    const info = await stat(abs).catch(() => null);
    if (!info) throw new ScanPathError(`no such file or folder: ${p}`);
    if (info.isDirectory()) await walk(abs);
    else if (languageForFile(abs) === null) skipped.push({ file: abs, reason: 'not an analysed language' });
    // a file named on the command line (a pre-commit hook's changed files) is still test code
    else if (isTest(abs)) skipped.push({ file: abs, reason: 'test code (--include-tests analyses it)' });
    else found.add(abs);
  }
  return { files: [...found].sort(), skipped };
}

/** `abs` relative to `root` as a posix path (with `../` when it lies outside). */
export function toRelative(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/');
}

function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 && n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MB` : `${n} bytes`;
}
