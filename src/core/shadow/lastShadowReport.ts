/**
 * Where the last shadow run's report for a workspace is kept, so the agent tools (diff risk) can
 * read what the last run found: in the user's cache folder, never inside the workspace (a report is
 * redacted, but it still describes production requests, and a workspace is committed and shared).
 * `${XDG_CACHE_HOME or ~/.cache}/runtime-lens/<first 16 hex of sha256(realpath(workspace))>/last-shadow.json`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ShadowReport } from '../api/shadowReport';
import { type Logger, silentLogger } from '../logger';
import { parseShadowReport } from './parseShadowReport';

/** The last run of a workspace: its report and when it finished (Unix ms). */
export interface LastShadowRun {
  report: ShadowReport;
  finishedAt: number;
}

/** Where the cache folder is: the environment (XDG_CACHE_HOME) and the home folder, for tests to point elsewhere. */
export interface CacheLocation {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

const FILE_NAME = 'last-shadow.json';

/** The file the last shadow run of `workspace` is kept in (the folder need not exist yet). */
export async function lastShadowReportPath(workspace: string, where: CacheLocation = {}): Promise<string> {
  // The same folder reached through a symbolic link is the same workspace: the editor and the CLI must agree.
  const real = await realpath(path.resolve(workspace)).catch(() => path.resolve(workspace));
  const key = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const env = where.env ?? process.env;
  // XDG says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const cache = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(where.home ?? os.homedir(), '.cache');
  return path.join(cache, 'runtime-lens', key, FILE_NAME);
}

/** Keeps `report` as the last run of `workspace`; written to a temporary file and renamed, so a reader never sees half of it. */
export async function writeLastShadowReport(workspace: string, run: LastShadowRun, where: CacheLocation = {}): Promise<string> {
  const file = await lastShadowReportPath(workspace, where);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify({ finishedAt: run.finishedAt, report: run.report })}\n`, { mode: 0o600 });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  return file;
}

/**
 * The last run of `workspace`, or undefined when there is none; a file that is not a report (cut
 * short, edited, from another version) is undefined too, with one line in the log saying why.
 */
export async function readLastShadowReport(workspace: string, logger: Logger = silentLogger, where: CacheLocation = {}): Promise<LastShadowRun | undefined> {
  const file = await lastShadowReportPath(workspace, where);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn(`last shadow run: cannot read ${file}: ${(err as Error).message}`);
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    logger.warn(`last shadow run: ${file} is not JSON (${(err as Error).message}); ignoring it`);
    return undefined;
  }
  const finishedAt = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).finishedAt : undefined;
  if (typeof finishedAt !== 'number' || !Number.isFinite(finishedAt) || finishedAt <= 0) {
    logger.warn(`last shadow run: ${file} does not say when the run finished; ignoring it`);
    return undefined;
  }
  const parsed = parseShadowReport((raw as Record<string, unknown>).report);
  if (!parsed.ok) {
    logger.warn(`last shadow run: ${file}: ${parsed.error}; ignoring it`);
    return undefined;
  }
  return { report: parsed.report, finishedAt };
}
