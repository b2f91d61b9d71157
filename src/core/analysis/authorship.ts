/**
 * Authorship you can see (`runtime-lens authorship`): every AI-written function of the files under
 * some paths, with how we know (source, agent, model, confidence, share of AI lines) and, when a
 * receiver is named, its production figures; totals per agent and per folder, and how much of the
 * production traffic runs through AI-written code.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../logger';
import { defaultParsers, type AnalysisOptions } from './analyze';
import { Attributor } from './attribution/attribute';
import { isGeneratedFile } from './attribution/markers';
import { findRepoRoot } from './attribution/repoRoot';
import type { Attribution, FunctionSpan, ProductionFigures } from './findings';
import { extractFunctions } from './functions';
import { languageForFile } from './languages';
import type { ProductionLookup } from './ranking';
import { listAnalysableFiles, MAX_FILE_BYTES, toRelative, type SkippedFile } from './workspaceScan';

/** One AI-written function. */
export interface AuthorshipRow {
  /** Relative to the scan's root (posix). */
  file: string;
  function: string;
  line: number;
  endLine: number;
  attribution: Attribution;
  /** Its figures, when a receiver was named and has any. */
  production?: ProductionFigures;
}

/** Totals of one agent or one folder. */
export interface AuthorshipTotal {
  name: string;
  functions: number;
  /** Lines of those functions that are AI-written (their AI share of their lines). */
  aiLines: number;
  /** Calls per minute through them, when figures were read. */
  ratePerMin: number;
}

/** What `listAuthorship` found. */
export interface AuthorshipResult {
  /** AI-written functions, hottest first when figures were read, else by file and line. */
  rows: AuthorshipRow[];
  files: number;
  functions: number;
  byAgent: AuthorshipTotal[];
  byFolder: AuthorshipTotal[];
  /**
   * Of the calls per minute the receiver has for the functions scanned, the share through AI-written
   * ones (0..1); undefined without figures.
   */
  trafficShare?: number;
  skipped: SkippedFile[];
  /** Files that could not be read, parsed or attributed. */
  errors: { file: string; message: string }[];
}

/** What to list and how. */
export interface AuthorshipOptions {
  paths: readonly string[];
  root: string;
  lookup?: ProductionLookup | null;
  analysis?: Pick<AnalysisOptions, 'parsers' | 'wasmDir'>;
  logger?: Logger;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** The Attributor of a repository, to share its caches with other work (default: one per call). */
  attributorFor?: (repoRoot: string) => Attributor;
}

interface FileAuthorship {
  rows: AuthorshipRow[];
  /** Every function of the file with its lines, for the traffic share. */
  functions: { span: FunctionSpan; ai: boolean }[];
  skipped?: string;
}

/** Lists the AI-written functions under `paths` (see AuthorshipResult). */
export async function listAuthorship(options: AuthorshipOptions): Promise<AuthorshipResult> {
  const root = path.resolve(options.root);
  const logger = options.logger ?? silentLogger;
  const { files, skipped } = await listAnalysableFiles(options.paths, { signal: options.signal });
  const attributors = new Map<string, Attributor>();
  const result: AuthorshipResult = {
    rows: [],
    files: 0,
    functions: 0,
    byAgent: [],
    byFolder: [],
    skipped: skipped.map((s) => ({ file: toRelative(root, s.file), reason: s.reason })),
    errors: [],
  };
  let totalRate = 0;
  let aiRate = 0;
  let figuresRead = false;
  options.onProgress?.(0, files.length);
  for (let i = 0; i < files.length; i++) {
    options.signal?.throwIfAborted();
    const abs = files[i]!;
    const rel = toRelative(root, abs);
    try {
      const found = await fileAuthorship(abs, rel, options, attributors);
      if (found.skipped !== undefined) result.skipped.push({ file: rel, reason: found.skipped });
      else {
        result.files++;
        result.functions += found.functions.length;
        if (options.lookup) {
          for (const { span, ai } of found.functions) {
            const figures = await options.lookup.figures({ file: rel, function: span.name, line: span.startLine, startLine: span.startLine, endLine: span.endLine });
            if (figures === null) continue;
            figuresRead = true;
            totalRate += figures.ratePerMin;
            if (!ai) continue;
            aiRate += figures.ratePerMin;
            const row = found.rows.find((r) => r.line === span.startLine && r.function === span.name);
            if (row) row.production = figures;
          }
        }
        result.rows.push(...found.rows);
      }
    } catch (err) {
      const message = (err as Error).message;
      logger.warn(`authorship: ${rel}: ${message}`);
      result.errors.push({ file: rel, message });
    }
    options.onProgress?.(i + 1, files.length);
  }
  result.rows.sort((a, b) => (b.production?.ratePerMin ?? -1) - (a.production?.ratePerMin ?? -1) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  result.byAgent = totals(result.rows, (r) => r.attribution.agent ?? 'unknown agent');
  result.byFolder = totals(result.rows, (r) => path.posix.dirname(r.file));
  if (figuresRead) result.trafficShare = totalRate > 0 ? aiRate / totalRate : 0;
  return result;
}

async function fileAuthorship(abs: string, rel: string, options: AuthorshipOptions, attributors: Map<string, Attributor>): Promise<FileAuthorship> {
  if ((await stat(abs)).size > MAX_FILE_BYTES) return { rows: [], functions: [], skipped: 'too large' };
  const language = languageForFile(abs);
  // SQL migrations have no functions to list.
  if (language === null || language === 'sql') return { rows: [], functions: [], skipped: 'not an analysed language' };
  const text = await readFile(abs, 'utf8');
  if (isGeneratedFile(text)) return { rows: [], functions: [], skipped: 'generated' };
  const tree = await (options.analysis?.parsers ?? defaultParsers(options.analysis?.wasmDir)).parse(language, text);
  let spans: FunctionSpan[];
  try {
    spans = extractFunctions(tree, language).map(({ name, startLine, endLine }) => ({ name, startLine, endLine }));
  } finally {
    tree.delete();
  }
  if (spans.length === 0) return { rows: [], functions: [] };
  const repoRoot = await findRepoRoot(path.dirname(abs));
  if (repoRoot === null) return { rows: [], functions: spans.map((span) => ({ span, ai: false })) };
  let attributor = attributors.get(repoRoot);
  if (attributor === undefined) attributors.set(repoRoot, (attributor = options.attributorFor?.(repoRoot) ?? new Attributor(repoRoot, { logger: options.logger })));
  const attributions = await attributor.attributeFunctions(abs, spans, text);
  const rows: AuthorshipRow[] = [];
  const functions = spans.map((span) => {
    const attribution = attributions.get(span);
    const ai = attribution?.ai === true;
    if (ai) rows.push({ file: rel, function: span.name, line: span.startLine, endLine: span.endLine, attribution: attribution! });
    return { span, ai };
  });
  return { rows, functions };
}

function totals(rows: readonly AuthorshipRow[], key: (r: AuthorshipRow) => string): AuthorshipTotal[] {
  const by = new Map<string, AuthorshipTotal>();
  for (const r of rows) {
    const name = key(r);
    let t = by.get(name);
    if (t === undefined) by.set(name, (t = { name, functions: 0, aiLines: 0, ratePerMin: 0 }));
    t.functions++;
    t.aiLines += Math.round((r.endLine - r.line + 1) * r.attribution.aiShare);
    t.ratePerMin += r.production?.ratePerMin ?? 0;
  }
  return [...by.values()].sort((a, b) => b.ratePerMin - a.ratePerMin || b.functions - a.functions || (a.name < b.name ? -1 : 1));
}
