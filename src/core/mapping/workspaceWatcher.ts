import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../logger';
import { inIgnoredDir, listWorkspaceDirs, MAX_WORKSPACE_DIRS } from './workspaceDirs';
import { defaultIgnoredDirs } from './workspaceFiles';
import type { WorkspaceIndex } from './workspaceIndex';

/** Quiet time after the last change before the index is updated: a save, a build or a checkout is one pass. */
export const REINDEX_DEBOUNCE_MS = 300;
/** The longest a steady stream of changes can hold an update back. */
export const REINDEX_MAX_WAIT_MS = 3_000;
/** Distinct changed paths held for one pass; past it, the pass re-reads the whole workspace instead. */
export const MAX_PENDING_CHANGES = 20_000;

/** Tuning for tests; the defaults are the constants above. */
export interface WorkspaceWatcherOptions {
  debounceMs?: number;
  maxWaitMs?: number;
  maxPending?: number;
  maxDirs?: number;
}

const IGNORED: ReadonlySet<string> = new Set(defaultIgnoredDirs);

/**
 * Watches a workspace's folders (one non-recursive watch per folder, so node_modules and the
 * other skipped folders cost nothing) and hands changed workspace-relative paths to `onBatch`,
 * debounced, one pass at a time. Paths may be files or folders, changed, created or deleted;
 * `['']` means "re-read everything" (after more changes than a pass holds).
 */
export class WorkspaceWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private pending = new Set<string>();
  private overflow = false;
  private timer: NodeJS.Timeout | undefined;
  private firstPendingAt = 0;
  private running: Promise<void> | null = null;
  private closed = false;
  private readonly root: string;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly maxPending: number;
  private readonly maxDirs: number;
  private warnedDirs = false;
  /** Passes handed to `onBatch` so far. */
  passes = 0;

  constructor(
    root: string,
    private readonly onBatch: (paths: string[]) => Promise<unknown>,
    private readonly logger: Logger = silentLogger,
    options: WorkspaceWatcherOptions = {},
  ) {
    this.root = path.resolve(root);
    this.debounceMs = options.debounceMs ?? REINDEX_DEBOUNCE_MS;
    this.maxWaitMs = options.maxWaitMs ?? REINDEX_MAX_WAIT_MS;
    this.maxPending = options.maxPending ?? MAX_PENDING_CHANGES;
    this.maxDirs = options.maxDirs ?? MAX_WORKSPACE_DIRS;
  }

  /** Starts watching `dirs` (workspace-relative; '' is the root), e.g. the index's folder list. */
  watch(dirs: readonly string[]): void {
    for (const dir of dirs) this.watchDir(dir);
  }

  /** Folders watched now. */
  get watchedDirs(): number {
    return this.watchers.size;
  }

  /** Resolves once nothing is pending or being handed over. */
  async idle(): Promise<void> {
    while (this.timer !== undefined || this.running !== null) {
      if (this.running) await this.running;
      else await new Promise((r) => setTimeout(r, this.debounceMs));
    }
  }

  /** Stops every watch; a pass already running finishes. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.pending.clear();
  }

  private watchDir(dir: string): void {
    if (this.closed || this.watchers.has(dir)) return;
    if (this.watchers.size >= this.maxDirs) {
      if (!this.warnedDirs) this.logger.warn(`more than ${this.maxDirs} folders in ${this.root}: changes in the rest are not re-indexed until serve restarts`);
      this.warnedDirs = true;
      return;
    }
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(path.join(this.root, dir), { persistent: false }, (_event, name) => this.changed(dir, name));
    } catch (err) {
      // Deleted between listing and watching, or out of inotify watches: the folder's parent still reports it.
      this.logger.debug(`cannot watch ${dir || '.'}: ${(err as Error).message}`);
      return;
    }
    watcher.on('error', () => this.unwatch(dir));
    this.watchers.set(dir, watcher);
  }

  private unwatch(dir: string): void {
    const prefix = `${dir}/`;
    for (const [d, w] of this.watchers) {
      if (d === dir || dir === '' || d.startsWith(prefix)) {
        w.close();
        this.watchers.delete(d);
      }
    }
  }

  private changed(dir: string, name: string | Buffer | null): void {
    if (this.closed) return;
    // No name: something in the folder changed, so the folder is re-read.
    const rel = name === null ? dir : dir === '' ? String(name) : `${dir}/${String(name)}`;
    if (IGNORED.has(path.posix.basename(rel)) || inIgnoredDir(rel)) return;
    if (!this.overflow) {
      this.pending.add(rel);
      if (this.pending.size > this.maxPending) {
        this.overflow = true;
        this.pending.clear();
      }
    }
    const now = Date.now();
    if (this.timer === undefined) this.firstPendingAt = now;
    else clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.firstPendingAt + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    // One pass at a time: changes arriving meanwhile wait for the next.
    if (this.running) {
      this.timer = setTimeout(() => this.flush(), this.debounceMs);
      return;
    }
    const paths = this.overflow ? [''] : [...this.pending];
    this.pending = new Set();
    this.overflow = false;
    this.running = this.pass(paths).finally(() => (this.running = null));
  }

  private async pass(paths: string[]): Promise<void> {
    try {
      await this.followFolders(paths);
      if (this.closed) return;
      this.passes++;
      await this.onBatch(paths);
    } catch (err) {
      this.logger.warn(`re-indexing ${paths.length} changed path(s) failed: ${(err as Error).message}`);
    }
  }

  /** Watches folders that appeared and drops the watches of folders that went. */
  private async followFolders(paths: readonly string[]): Promise<void> {
    for (const rel of paths) {
      const stat = await fs.promises.lstat(path.join(this.root, rel)).catch(() => undefined);
      if (stat === undefined) {
        if (this.watchers.has(rel)) this.unwatch(rel);
        continue;
      }
      if (!stat.isDirectory() || (this.watchers.has(rel) && rel !== '')) continue;
      const { dirs } = await listWorkspaceDirs(this.root, rel, Math.max(1, this.maxDirs - this.watchers.size));
      for (const dir of dirs) this.watchDir(dir);
    }
  }
}

/** Keeps `index` current with the files under `root` until the returned watcher is closed. */
export function watchWorkspaceIndex(root: string, index: WorkspaceIndex, logger: Logger = silentLogger, options: WorkspaceWatcherOptions = {}): WorkspaceWatcher {
  const watcher = new WorkspaceWatcher(
    root,
    async (paths) => {
      const update = await index.update(paths);
      if (update.files > 0 || update.manifests) logger.debug(`re-indexed ${update.files} changed file(s)${update.manifests ? ' and the service folders' : ''} in ${update.ms} ms`);
    },
    logger,
    options,
  );
  watcher.watch(index.dirs);
  return watcher;
}
