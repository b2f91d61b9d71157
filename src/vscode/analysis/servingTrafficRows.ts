import type { AuthorshipRow } from '../../core/analysis/authorship';
import { MemoryProductionLookup } from '../../core/analysis/ranking';
import { hottestFirst, joinServingTraffic, type ServingRow } from '../../core/analysis/servingTraffic';
import type { AnalysisClient } from '../../core/analysis/worker/analysisClient';
import type { Logger } from '../../core/logger';
import type { LiveSignalsSource } from '../liveSignalsSource';

/**
 * The Production risk view's "AI-written code serving traffic": every AI-written function of the
 * workspace (listed on the analysis worker, git included) joined with the live signals the
 * editor already holds, so new traffic shows without asking git again.
 */
export class ServingTrafficRows {
  /** AI-written functions per workspace-relative file, from the last listing. */
  private authorship = new Map<string, AuthorshipRow[]>();
  /** Those of them with production figures, per file. */
  private readonly serving = new Map<string, ServingRow[]>();
  private running: AbortController | undefined;

  constructor(
    private readonly worker: AnalysisClient,
    private readonly live: LiveSignalsSource,
    private readonly log: Logger,
  ) {}

  /** AI-written functions with production data, hottest first. */
  rows(): ServingRow[] {
    return hottestFirst([...this.serving.values()].flat());
  }

  /** Files with AI-written functions (whose signals matter here). */
  files(): string[] {
    return [...this.authorship.keys()];
  }

  /**
   * Lists the AI-written functions under `root` again (a listing still running is cancelled) and
   * joins their figures; resolves with the files whose rows changed, empty when superseded or failed.
   * Callers make sure git may run (a trusted workspace).
   */
  async list(root: string): Promise<string[]> {
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    const started = performance.now();
    try {
      const rows = await this.worker.authorship({ root, signal: controller.signal });
      if (this.running !== controller) return [];
      const byFile = new Map<string, AuthorshipRow[]>();
      for (const row of rows) {
        const list = byFile.get(row.file);
        if (list) list.push(row);
        else byFile.set(row.file, [row]);
      }
      const touched = new Set([...this.authorship.keys(), ...byFile.keys()]);
      this.authorship = byFile;
      for (const file of this.serving.keys()) if (!byFile.has(file)) this.serving.delete(file);
      await this.rejoin([...byFile.keys()]);
      this.log.info(`authorship: ${rows.length} AI-written functions in ${byFile.size} files, ${this.rows().length} serving traffic, in ${(performance.now() - started).toFixed(0)} ms`);
      return [...touched];
    } catch (err) {
      if (!controller.signal.aborted) this.log.warn(`listing AI-written functions failed: ${(err as Error).message}`);
      return [];
    } finally {
      if (this.running === controller) this.running = undefined;
    }
  }

  /** Joins the live figures of these files' AI-written functions again; resolves with those that changed. */
  async rejoin(files: readonly string[]): Promise<string[]> {
    const changed: string[] = [];
    for (const file of files) {
      const rows = this.authorship.get(file);
      if (!rows) continue;
      const response = this.live.state.kind === 'running' ? await this.live.signals({ file }).catch(() => undefined) : undefined;
      const joined = response ? await joinServingTraffic(rows, new MemoryProductionLookup(response)) : [];
      // a newer listing replaced this file's rows while its signals were read
      if (this.authorship.get(file) !== rows) continue;
      const before = this.serving.get(file);
      if (joined.length > 0) this.serving.set(file, joined);
      else this.serving.delete(file);
      if (before !== undefined || joined.length > 0) changed.push(file);
    }
    return changed;
  }

  /** Forgets every row (git may no longer run); resolves with the files that had some. */
  clear(): string[] {
    this.running?.abort();
    this.running = undefined;
    const files = [...this.authorship.keys()];
    this.authorship = new Map();
    this.serving.clear();
    return files;
  }

  /** Stops a listing still running. */
  dispose(): void {
    this.running?.abort();
  }
}
