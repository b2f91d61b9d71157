import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../logger';
import type { MappingSources } from './codeMapper';
import { FunctionIndex } from './functionIndex';
import { scanFunctions } from './functionScan';
import { PathResolver, type PathRule } from './pathResolver';
import { RouteIndex } from './routeIndex';
import { scanRoutes } from './routeScan';
import { discoverServiceRoots, isManifest, ServiceRoots, type ServiceRootRule } from './serviceRoots';
import { SourceMapResolver, type FileReader } from './sourceMaps';
import { inIgnoredDir, listWorkspaceDirs } from './workspaceDirs';
import { defaultIgnoredDirs, listWorkspaceFiles, sourceFileExtensions } from './workspaceFiles';

const SCANNED = /\.(?:[cm]?js|jsx|ts|tsx|mts|cts|py|go|java)$/;
/** Built output: its functions would duplicate the sources they were built from. */
const BUILT = /(?:^|\/)(?:dist|build|out)\/|\.min\.js$/;
/** Files a cached source map may have been read from or for. */
const MAP_INPUT = /\.(?:map|[cm]?js)$/;
const MAX_SCANNED_BYTES = 1_000_000;
const READ_CONCURRENCY = 16;
/** The file listing's own cap (listWorkspaceFiles' default), kept when files are added one by one. */
const MAX_FILES = 50_000;
const IGNORED: ReadonlySet<string> = new Set(defaultIgnoredDirs);

/** What building the index found, for logs and the status line. */
export interface WorkspaceIndexStats {
  files: number;
  scanned: number;
  routes: number;
  functions: number;
  /** Service folders known (from manifests and rules). */
  services: number;
  truncated: boolean;
  ms: number;
}

/** What one `update` pass changed. */
export interface WorkspaceIndexUpdate {
  /** Files (re)scanned or forgotten. */
  files: number;
  /** Service manifests re-read. */
  manifests: boolean;
  ms: number;
}

/** How to build an index. */
export interface WorkspaceIndexOptions {
  /** Explicit service folders (`--service-root`, the setting); they win over manifests. */
  serviceRoots?: readonly ServiceRootRule[];
}

/** Reads workspace-relative files, refusing paths that leave the root. */
export function workspaceReader(root: string): FileReader {
  const base = path.resolve(root);
  return {
    async read(rel: string) {
      const abs = path.resolve(base, rel);
      if (abs !== base && !abs.startsWith(base + path.sep)) return undefined;
      return fs.readFile(abs, 'utf8').catch(() => undefined);
    },
  };
}

/**
 * Everything the code mapper needs to know about a workspace: its files (for path matching),
 * its source maps, the route registrations and functions its sources define, and which folder
 * each service lives in. `update` keeps it current as files change.
 */
export class WorkspaceIndex implements MappingSources {
  readonly routes = new RouteIndex();
  readonly functions = new FunctionIndex();
  readonly paths: PathResolver;
  /** Replaced (not cleared) when built JS or maps change: maps are cached per built file. */
  sourceMaps: SourceMapResolver;
  serviceRoots: ServiceRoots;
  /** Folders under the root as listed at build time, for a watcher to start from (it follows new ones itself). */
  dirs: readonly string[] = [];
  /** When the index last finished building or changing (ms since the epoch; 0 = never built). */
  indexedAt = 0;
  /** Told about every file (re)scanned or forgotten, so caches derived from its lines can be dropped. */
  onFileScanned: ((file: string) => void) | null = null;
  /** Told after an update changed anything, so mappings made with the old contents are dropped. */
  onUpdated: (() => void) | null = null;

  private readonly fileSet: Set<string>;
  private readonly manifests = new Set<string>();
  private readonly functionCounts = new Map<string, number>();
  private functionTotal = 0;
  private updating: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly root: string,
    files: string[],
    rules: readonly PathRule[],
    private readonly reader: FileReader,
    private readonly logger: Logger,
    private readonly explicitServices: readonly ServiceRootRule[],
  ) {
    this.fileSet = new Set(files);
    this.paths = new PathResolver(files, rules);
    this.sourceMaps = new SourceMapResolver(reader, logger);
    this.serviceRoots = new ServiceRoots([], explicitServices);
  }

  /** An index of nothing: every span is unmapped with its reason. */
  static empty(rules: readonly PathRule[] = []): WorkspaceIndex {
    return new WorkspaceIndex('', [], rules, { read: async () => undefined }, silentLogger, []);
  }

  /** Lists and scans the workspace at `root`. */
  static async build(root: string, rules: readonly PathRule[] = [], logger: Logger = silentLogger, options: WorkspaceIndexOptions = {}): Promise<{ index: WorkspaceIndex; stats: WorkspaceIndexStats }> {
    const started = Date.now();
    const [{ files, truncated }, folders] = await Promise.all([listWorkspaceFiles(root, { maxFiles: MAX_FILES }), listWorkspaceDirs(root)]);
    const reader = workspaceReader(root);
    const index = new WorkspaceIndex(root, files, rules, reader, logger, options.serviceRoots ?? []);
    index.dirs = folders.dirs;
    for (const m of folders.manifests) index.manifests.add(m);
    const toScan = files.filter((f) => index.scannable(f));
    await index.readServiceRoots();
    await inPool(toScan, (file) => index.rescan(file, false));
    index.indexedAt = Date.now();
    const stats = { files: files.length, scanned: toScan.length, routes: index.routes.size(), functions: index.functionTotal, services: index.serviceRoots.size, truncated, ms: Date.now() - started };
    if (truncated) logger.warn(`workspace ${root} has more files than the index keeps; some files will not map`);
    if (folders.truncated) logger.warn(`workspace ${root} has more folders than are watched; changes deep inside it may not re-index`);
    return { index, stats };
  }

  /** Number of functions indexed. */
  get functionCount(): number {
    return this.functionTotal;
  }

  /** (Re)indexes one file's routes and functions, e.g. after an edit. */
  scanFile(file: string, text: string): void {
    const defs = scanFunctions(file, text);
    this.functionTotal += defs.length - (this.functionCounts.get(file) ?? 0);
    this.functionCounts.set(file, defs.length);
    this.functions.setFile(file, defs);
    this.routes.setFile(file, scanRoutes(file, text));
    this.onFileScanned?.(file);
  }

  /**
   * Re-reads what changed at each workspace-relative path: a file is rescanned or forgotten, a
   * folder is listed again (new folders bring their files, deleted ones take theirs away), and
   * a changed manifest re-reads the service folders. Passes run one at a time.
   */
  update(changed: Iterable<string>): Promise<WorkspaceIndexUpdate> {
    const list = [...changed];
    const run = this.updating.then(() => this.applyChanges(list));
    this.updating = run.catch(() => undefined);
    return run;
  }

  private async applyChanges(changed: readonly string[]): Promise<WorkspaceIndexUpdate> {
    const started = Date.now();
    if (!this.root) return { files: 0, manifests: false, ms: 0 };
    const files = new Set<string>();
    let manifestsChanged = false;
    const known = new KnownFiles([...this.fileSet, ...this.functionCounts.keys()]);
    const kinds = new Map<string, Promise<PathKind>>();
    const kindOf = (rel: string): Promise<PathKind> => {
      let kind = kinds.get(rel);
      if (kind === undefined) kinds.set(rel, (kind = this.kindOf(rel)));
      return kind;
    };
    const wanted = [...new Set(changed.map(cleanRelative))].filter((rel): rel is string => rel !== undefined && !inIgnoredDir(`${rel}/`));
    await inPool(wanted, kindOf);
    for (const rel of wanted) {
      const kind = await kindOf(rel);
      if (kind === 'dir') {
        const [listed, folders] = await Promise.all([listWorkspaceFiles(path.join(this.root, rel), { maxFiles: MAX_FILES }).catch(() => ({ files: [] as string[] })), listWorkspaceDirs(this.root, rel)]);
        const inside = new Set(listed.files.map((f) => under(rel, f)));
        for (const f of inside) files.add(f);
        for (const f of known.under(rel)) if (!inside.has(f)) files.add(f);
        const found = new Set(folders.manifests);
        const gone = [...this.manifests].filter((m) => isUnder(m, rel) && !found.has(m));
        const added = [...found].filter((m) => !this.manifests.has(m));
        for (const m of gone) this.manifests.delete(m);
        for (const m of added) this.manifests.add(m);
        if (gone.length + added.length > 0) manifestsChanged = true;
        continue;
      }
      // Gone (or not a file): it, and everything the index holds under it, is forgotten.
      if (kind === 'none') {
        for (const f of known.under(rel)) files.add(f);
        const gone = [...this.manifests].filter((m) => m === rel || isUnder(m, rel));
        for (const m of gone) this.manifests.delete(m);
        if (gone.length > 0) manifestsChanged = true;
      } else if (isManifest(rel)) {
        this.manifests.add(rel);
        manifestsChanged = true;
      }
      if (isListed(rel)) files.add(rel);
    }
    // A map appearing or going changes whether its built file is scanned.
    for (const file of [...files]) if (file.endsWith('.map')) files.add(file.slice(0, -4));
    let listChanged = false;
    let mapsChanged = false;
    await inPool([...files], kindOf);
    for (const file of files) {
      const exists = isListed(file) && (await kindOf(file)) === 'file';
      if (exists !== this.fileSet.has(file) && (!exists || this.fileSet.size < MAX_FILES)) {
        if (exists) this.fileSet.add(file);
        else this.fileSet.delete(file);
        listChanged = true;
      }
      if (MAP_INPUT.test(file)) mapsChanged = true;
    }
    if (listChanged) this.paths.setFiles([...this.fileSet]);
    if (mapsChanged) this.sourceMaps = new SourceMapResolver(this.reader, this.logger);
    await inPool([...files], async (file) => {
      if (this.fileSet.has(file) && this.scannable(file)) await this.rescan(file, true);
      else if (this.functionCounts.has(file)) this.forget(file);
    });
    if (manifestsChanged) await this.readServiceRoots();
    if (files.size > 0 || manifestsChanged) {
      // Strictly later than the last pass, so a reader polling it never misses one.
      this.indexedAt = Math.max(Date.now(), this.indexedAt + 1);
      this.onUpdated?.();
    }
    return { files: files.size, manifests: manifestsChanged, ms: Date.now() - started };
  }

  private scannable(file: string): boolean {
    return SCANNED.test(file) && !BUILT.test(file) && !this.fileSet.has(`${file}.map`);
  }

  private async rescan(file: string, forgetIfUnreadable: boolean): Promise<void> {
    const stat = await fs.stat(path.join(this.root, file)).catch(() => undefined);
    const text = stat && stat.size <= MAX_SCANNED_BYTES ? await this.reader.read(file) : undefined;
    if (text !== undefined) this.scanFile(file, text);
    else if (forgetIfUnreadable) this.forget(file);
  }

  private forget(file: string): void {
    this.functionTotal -= this.functionCounts.get(file) ?? 0;
    this.functionCounts.delete(file);
    this.functions.removeFile(file);
    this.routes.removeFile(file);
    this.onFileScanned?.(file);
  }

  private async readServiceRoots(): Promise<void> {
    const discovered = await discoverServiceRoots([...this.manifests], this.reader);
    this.serviceRoots = new ServiceRoots(discovered, this.explicitServices);
  }

  /** A file inside the root (symlinks resolved and kept only inside it), a folder, or nothing. */
  private async kindOf(rel: string): Promise<PathKind> {
    const abs = path.join(this.root, rel);
    const link = await fs.lstat(abs).catch(() => undefined);
    if (!link) return 'none';
    if (link.isDirectory()) return IGNORED.has(path.basename(rel)) ? 'none' : 'dir';
    if (link.isFile()) return 'file';
    if (!link.isSymbolicLink()) return 'none';
    // As listWorkspaceFiles: a symlinked file counts only if it resolves inside the root; symlinked folders never.
    const [real, realRoot] = await Promise.all([fs.realpath(abs).catch(() => ''), fs.realpath(this.root).catch(() => '')]);
    const stat = real ? await fs.stat(real).catch(() => undefined) : undefined;
    if (!stat?.isFile()) return 'none';
    const inside = path.relative(realRoot, real);
    return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? 'file' : 'none';
  }
}

type PathKind = 'file' | 'dir' | 'none';

/** Runs `fn` over `items`, READ_CONCURRENCY at a time. */
async function inPool<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, items.length) }, worker));
}

/** Whether the file listing would hold this file (a source file or a source map). */
function isListed(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 && sourceFileExtensions.has(name.slice(dot).toLowerCase());
}

/** A clean workspace-relative posix path ('' for the root), or undefined for a path leaving it. */
function cleanRelative(raw: string): string | undefined {
  const parts: string[] = [];
  for (const seg of raw.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    parts.push(seg);
  }
  return parts.join('/');
}

function under(dir: string, rel: string): string {
  return dir === '' ? rel : `${dir}/${rel}`;
}

function isUnder(file: string, dir: string): boolean {
  return dir === '' || file.startsWith(`${dir}/`);
}

/** The files an index holds, sorted once per pass so "everything under a folder" is a range, not a scan. */
class KnownFiles {
  private readonly sorted: string[];

  constructor(files: Iterable<string>) {
    this.sorted = [...new Set(files)].sort();
  }

  /** `rel` itself if known, and every known file under it. */
  under(rel: string): string[] {
    if (rel === '') return this.sorted;
    const out: string[] = [];
    const prefix = `${rel}/`;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < rel) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.sorted.length; i++) {
      const f = this.sorted[i]!;
      if (f === rel || f.startsWith(prefix)) out.push(f);
      else if (f > prefix) break;
    }
    return out;
  }
}
