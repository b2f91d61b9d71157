/**
 * The analysis as the agent tools read it: risk findings in AI-written code (the scan of
 * `runtime-lens check`) and the AI-written functions (`runtime-lens authorship`), mapped to the
 * agent's shapes. One tool call asks for the same files more than once (diff risk reads findings and
 * authorship of the changed files), so each file's answer is kept for a few seconds while its mtime
 * holds; one Attributor per repository keeps git's answers between calls.
 */
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { AgentAuthoredFunction, AgentAuthorship, AgentFinding } from '../agent/agentData';
import { Attributor } from '../analysis/attribution/attribute';
import { listAuthorship } from '../analysis/authorship';
import type { Attribution } from '../analysis/findings';
import { scanWorkspace } from '../analysis/workspaceScan';
import type { Logger } from '../logger';

/** How long a file's findings are reused while its mtime is unchanged. */
const CACHE_MS = 5_000;
/** Where `undefined` (the whole workspace) is kept in the caches. */
const WHOLE = '\0whole';

interface Cached<T> {
  at: number;
  mtimeMs: number;
  rows: T[];
}

/** Reads findings and authorship of workspace files, with the short per-file cache. */
export class AgentAnalysis {
  private readonly findingCache = new Map<string, Cached<AgentFinding>>();
  private readonly authoredCache = new Map<string, Cached<AgentAuthoredFunction>>();
  private readonly attributors = new Map<string, Attributor>();

  constructor(
    private readonly workspace: string,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Findings in AI-written functions (and those whose authorship git could not tell) of `files`, or of the workspace. */
  findings(files?: readonly string[]): Promise<AgentFinding[]> {
    return this.cached(this.findingCache, files, async (paths) => {
      const scan = await scanWorkspace({ paths, root: this.workspace, logger: this.logger, attributorFor: this.attributorFor });
      return scan.findings.map(
        (f): AgentFinding => ({
          rule: f.rule,
          severity: f.severity,
          file: f.file,
          line: f.line,
          endLine: f.endLine,
          function: f.function,
          message: f.message,
          ...(f.attribution ? { authorship: agentAuthorship(f.attribution) } : {}),
        }),
      );
    });
  }

  /** The AI-written functions of `files`, or of the workspace. */
  authored(files?: readonly string[]): Promise<AgentAuthoredFunction[]> {
    return this.cached(this.authoredCache, files, async (paths) => {
      const result = await listAuthorship({ paths, root: this.workspace, logger: this.logger, attributorFor: this.attributorFor });
      return result.rows.map((r) => ({ file: r.file, function: r.function, line: r.line, endLine: r.endLine, authorship: agentAuthorship(r.attribution) }));
    });
  }

  private readonly attributorFor = (repoRoot: string): Attributor => {
    let a = this.attributors.get(repoRoot);
    // HEAD and the notes tip are reused for a second: a tool call asks many files in a row.
    if (!a) this.attributors.set(repoRoot, (a = new Attributor(repoRoot, { logger: this.logger, stateMaxAgeMs: 1_000 })));
    return a;
  };

  /**
   * The rows of `files` (workspace-relative), scanning only those whose cached rows are older than
   * CACHE_MS or whose mtime changed; files that do not exist (deleted since the base) have none.
   */
  private async cached<T extends { file: string }>(cache: Map<string, Cached<T>>, files: readonly string[] | undefined, scan: (paths: string[]) => Promise<T[]>): Promise<T[]> {
    const now = this.now();
    if (files === undefined) {
      const hit = cache.get(WHOLE);
      if (hit && now - hit.at < CACHE_MS) return hit.rows;
      const rows = await scan([this.workspace]);
      cache.set(WHOLE, { at: now, mtimeMs: 0, rows });
      return rows;
    }
    const out: T[] = [];
    const stale: { file: string; mtimeMs: number }[] = [];
    for (const file of new Set(files)) {
      const abs = this.inside(file);
      if (abs === undefined) continue;
      const info = await stat(abs).catch(() => undefined);
      if (!info?.isFile()) continue;
      const hit = cache.get(file);
      if (hit && hit.mtimeMs === info.mtimeMs && now - hit.at < CACHE_MS) out.push(...hit.rows);
      else stale.push({ file, mtimeMs: info.mtimeMs });
    }
    if (stale.length > 0) {
      const rows = await scan(stale.map((s) => path.join(this.workspace, s.file)));
      const byFile = new Map<string, T[]>(stale.map((s) => [s.file, []]));
      for (const r of rows) byFile.get(r.file)?.push(r);
      for (const s of stale) {
        const mine = byFile.get(s.file)!;
        cache.set(s.file, { at: now, mtimeMs: s.mtimeMs, rows: mine });
        out.push(...mine);
      }
    }
    return out;
  }

  /** The absolute path of a workspace-relative file, or undefined when it would lie outside the workspace. */
  private inside(file: string): string | undefined {
    const abs = path.resolve(this.workspace, file);
    const rel = path.relative(this.workspace, abs);
    return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? undefined : abs;
  }
}

/** An attribution as the agent reads it. */
export function agentAuthorship(a: Attribution): AgentAuthorship {
  return {
    ai: a.ai,
    how: a.unknown !== undefined ? `authorship unknown: ${a.unknown}` : a.source,
    ...(a.agent !== undefined ? { agent: a.agent } : {}),
    ...(a.model !== undefined ? { model: a.model } : {}),
    confidence: a.confidence,
    aiShare: a.aiShare,
  };
}
