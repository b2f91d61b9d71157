import { parseArgs } from 'node:util';
import { listAuthorship } from '../core/analysis/authorship';
import { findRepoRoot } from '../core/analysis/attribution/repoRoot';
import { ProductionLookupError } from '../core/analysis/ranking';
import { formatAuthorshipText } from '../core/analysis/report/authorshipText';
import { ScanPathError } from '../core/analysis/workspaceScan';
import type { Logger } from '../core/logger';
import { terminalJson, terminalText } from '../core/render/escape';
import type { CheckIo } from './checkCommand';
import { connectProduction, productionWindow } from './productionFlags';
import { UsageError } from './usageError';

const FORMATS = ['text', 'json'] as const;

/**
 * `runtime-lens authorship [PATH...]`: every AI-written function (how we know, share of AI lines,
 * agent, model, confidence), with production figures from a receiver (--signals); --summary adds
 * totals per agent and per folder. Resolves with the exit code (0).
 */
export async function authorshipCommand(argv: string[], logger: Logger, io: CheckIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      summary: { type: 'boolean' },
      signals: { type: 'string' },
      window: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
    },
  });
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  const lookup = await connectProduction(values, productionWindow(values));
  const cwd = process.cwd();
  const root = (await findRepoRoot(cwd)) ?? cwd;
  let drawn = false;
  const onProgress = io.progress
    ? (done: number, total: number) => {
        drawn = true;
        io.stderr(`\r\x1b[Kreading authorship of ${done}/${total} files`);
      }
    : undefined;
  let result: Awaited<ReturnType<typeof listAuthorship>>;
  try {
    result = await listAuthorship({ paths: positionals.length > 0 ? positionals : [cwd], root, lookup, logger, ...(onProgress ? { onProgress } : {}) });
  } catch (err) {
    if (err instanceof ScanPathError) throw new UsageError(err.message);
    if (err instanceof ProductionLookupError) throw new UsageError(`--signals: ${err.message}`);
    throw err;
  } finally {
    if (drawn) io.stderr('\r\x1b[K');
  }
  // Function names, agents and models come from code and commits: not ours to print raw.
  io.stdout(format === 'json' ? `${terminalJson(result)}\n` : terminalText(formatAuthorshipText(result, { summary: values.summary === true })));
  return 0;
}
