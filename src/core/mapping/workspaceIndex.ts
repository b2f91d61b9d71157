import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../logger';
import type { MappingSources } from './codeMapper';
import { FunctionIndex } from './functionIndex';
import { scanFunctions } from './functionScan';
import { PathResolver, type PathRule } from './pathResolver';
import { RouteIndex } from './routeIndex';
import { scanRoutes } from './routeScan';
import { SourceMapResolver, type FileReader } from './sourceMaps';
import { listWorkspaceFiles } from './workspaceFiles';

const SCANNED = /\.(?:[cm]?js|jsx|ts|tsx|mts|cts|py|go|java)$/;
/** Built output: its functions would duplicate the sources they were built from. */
const BUILT = /(?:^|\/)(?:dist|build|out)\/|\.min\.js$/;
const MAX_SCANNED_BYTES = 1_000_000;
const READ_CONCURRENCY = 16;

/** What building the index found, for logs and the status line. */
export interface WorkspaceIndexStats {
  files: number;
  scanned: number;
  routes: number;
  functions: number;
  truncated: boolean;
  ms: number;
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
 * its source maps, and the route registrations and functions its sources define.
 */
export class WorkspaceIndex implements MappingSources {
  readonly routes = new RouteIndex();
  readonly functions = new FunctionIndex();
  readonly paths: PathResolver;
  readonly sourceMaps: SourceMapResolver;

  private constructor(files: string[], rules: readonly PathRule[], reader: FileReader, logger: Logger) {
    this.paths = new PathResolver(files, rules);
    this.sourceMaps = new SourceMapResolver(reader, logger);
  }

  /** An index of nothing: every span is unmapped with its reason. */
  static empty(rules: readonly PathRule[] = []): WorkspaceIndex {
    return new WorkspaceIndex([], rules, { read: async () => undefined }, silentLogger);
  }

  /** Lists and scans the workspace at `root`. */
  static async build(root: string, rules: readonly PathRule[] = [], logger: Logger = silentLogger): Promise<{ index: WorkspaceIndex; stats: WorkspaceIndexStats }> {
    const started = Date.now();
    const { files, truncated } = await listWorkspaceFiles(root);
    const reader = workspaceReader(root);
    const index = new WorkspaceIndex(files, rules, reader, logger);
    const maps = new Set(files.filter((f) => f.endsWith('.map')));
    const toScan = files.filter((f) => SCANNED.test(f) && !BUILT.test(f) && !maps.has(`${f}.map`));
    let next = 0;
    const worker = async () => {
      while (next < toScan.length) {
        const file = toScan[next++];
        const abs = path.join(root, file);
        const stat = await fs.stat(abs).catch(() => undefined);
        if (!stat || stat.size > MAX_SCANNED_BYTES) continue;
        const text = await reader.read(file);
        if (text !== undefined) index.scanFile(file, text);
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
    const stats = { files: files.length, scanned: toScan.length, routes: index.routes.size(), functions: index.functionCount, truncated, ms: Date.now() - started };
    if (truncated) logger.warn(`workspace ${root} has more files than the index keeps; some files will not map`);
    return { index, stats };
  }

  private functionCount = 0;
  /** Told about every file (re)scanned, so caches derived from its lines can be dropped. */
  onFileScanned: ((file: string) => void) | null = null;

  /** (Re)indexes one file's routes and functions, e.g. after an edit. */
  scanFile(file: string, text: string): void {
    const defs = scanFunctions(file, text);
    this.functionCount += defs.length;
    this.functions.setFile(file, defs);
    this.routes.setFile(file, scanRoutes(file, text));
    this.onFileScanned?.(file);
  }
}
