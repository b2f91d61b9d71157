import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RUNTIME_LENS_VERSION } from '../core/server/embeddedReceiver';
import type { Finding, Severity } from '../core/analysis/findings';
import { ProductionLookupError, rankFindings, severityRank } from '../core/analysis/ranking';
import { formatJson } from '../core/analysis/report/json';
import { formatSarif } from '../core/analysis/report/sarif';
import { formatText, summaryLine } from '../core/analysis/report/text';
import { Attributor } from '../core/analysis/attribution/attribute';
import { findRepoRoot } from '../core/analysis/attribution/repoRoot';
import type { SkippedFile } from '../core/analysis/workspaceScan';
import { scanWorkspace, ScanPathError, toRelative } from '../core/analysis/workspaceScan';
import type { Logger } from '../core/logger';
import { terminalText } from '../core/render/escape';
import { connectProduction, productionWindow } from './productionFlags';
import { UsageError } from './usageError';

const FORMATS = ['text', 'json', 'sarif'] as const;
const LEVELS: readonly Severity[] = ['error', 'warning', 'note'];

/** Where `check` writes: the report to stdout (unless --output), progress and notes to stderr. */
export interface CheckIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is drawn only then). */
  progress: boolean;
}

/**
 * `runtime-lens check [PATH...]`: scans for findings in AI-written functions (all with --all),
 * ranks them by production figures from a receiver (--signals), writes text, JSON or SARIF.
 * Resolves with the exit code: 0 when nothing is at or above --fail-on, 1 when something is.
 */
export async function checkCommand(argv: string[], logger: Logger, io: CheckIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      all: { type: 'boolean' },
      'include-tests': { type: 'boolean' },
      format: { type: 'string' },
      'fail-on': { type: 'string' },
      signals: { type: 'string' },
      window: { type: 'string' },
      output: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'blame-timeout': { type: 'string' },
    },
  });
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const failOn = (values['fail-on'] ?? 'note') as Severity;
  if (!LEVELS.includes(failOn)) throw new UsageError(`--fail-on must be one of ${LEVELS.join(', ')}, got "${values['fail-on']}"`);
  const window = productionWindow(values);
  const blameBaseTimeoutMs = values['blame-timeout'] !== undefined ? parseBlameTimeout(values['blame-timeout']) : undefined;
  const output = values.output !== undefined ? path.resolve(values.output) : null;
  if (output !== null && values.output === '') throw new UsageError('--output needs a file name');

  const lookup = await connectProduction(values, window);

  const cwd = process.cwd();
  // paths relative to the repository root: what SARIF viewers and the receiver's workspace expect
  const root = (await findRepoRoot(cwd)) ?? cwd;
  const all = values.all === true;
  let drawn = false;
  const onProgress = io.progress
    ? (done: number, total: number) => {
        drawn = true;
        io.stderr(`\r\x1b[Kchecking ${done}/${total} files`);
      }
    : undefined;
  let scan: Awaited<ReturnType<typeof scanWorkspace>>;
  try {
    scan = await scanWorkspace({
      paths: positionals.length > 0 ? positionals : [cwd],
      root,
      all,
      includeTests: values['include-tests'] === true,
      logger,
      ...(blameBaseTimeoutMs !== undefined ? { attributorFor: (repoRoot: string) => new Attributor(repoRoot, { logger, blameBaseTimeoutMs }) } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
  } catch (err) {
    if (err instanceof ScanPathError) throw new UsageError(err.message);
    throw err;
  } finally {
    if (drawn) io.stderr('\r\x1b[K');
  }

  // a file named on the command line and left out must say so, or 'No findings' reads as a clean bill
  for (const line of namedSkips(positionals, scan.skipped, root)) io.stderr(`runtime-lens: ${terminalText(line)}\n`);

  let ranked: Finding[];
  try {
    ranked = await rankFindings(scan.findings, lookup, { spans: scan.spans });
  } catch (err) {
    if (err instanceof ProductionLookupError) throw new UsageError(`--signals: ${err.message}`);
    throw err;
  }

  const summary = { files: scan.files, lines: scan.lines, all, errors: scan.errors.length, skippedAttestations: scan.skippedAttestations ?? 0 };
  const report =
    format === 'json'
      ? formatJson(ranked, summary)
      : format === 'sarif'
        ? formatSarif(ranked, { toolVersion: RUNTIME_LENS_VERSION, root, errors: scan.errors })
        : // function names and production environments are not ours to print raw
          terminalText(formatText(ranked, summary));
  if (output === null) {
    io.stdout(report);
  } else {
    try {
      mkdirSync(path.dirname(output), { recursive: true });
      writeFileSync(output, report);
    } catch (err) {
      throw new UsageError(`--output ${values.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    io.stderr(`runtime-lens: ${summaryLine(ranked, summary)}; ${format} report written to ${values.output}\n`);
  }
  const threshold = severityRank(failOn);
  return ranked.some((f) => severityRank(f.severity) >= threshold) ? 1 : 0;
}

/** `--blame-timeout MS`: a whole number of milliseconds, at least 1. */
function parseBlameTimeout(text: string): number {
  const ms = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(ms >= 1)) throw new UsageError(`--blame-timeout must be a whole number of milliseconds, got "${text}"`);
  return ms;
}

/** `skipped README.md: not an analysed language`, for each skipped file that was named on the command line. */
function namedSkips(positionals: readonly string[], skipped: readonly SkippedFile[], root: string): string[] {
  const named = new Set(positionals.map((p) => toRelative(root, path.resolve(p))));
  return skipped.filter((s) => named.has(s.file)).map((s) => `skipped ${s.file}: ${s.reason}`);
}
