import { promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import * as path from 'node:path';

/** Directory names skipped at any depth unless the caller passes its own `ignoreDirs`. */
export const defaultIgnoredDirs: readonly string[] = ['.git', '.hg', '.svn', 'node_modules', '.venv', 'venv', '__pycache__', '.tox', 'target', 'vendor'];

/** File extensions (lowercase, with dot) that count as source; `.map` is kept for source maps. */
export const sourceFileExtensions: ReadonlySet<string> = new Set([
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.mts',
  '.cts',
  '.tsx',
  '.vue',
  '.svelte',
  '.py',
  '.pyi',
  '.java',
  '.kt',
  '.kts',
  '.scala',
  '.groovy',
  '.go',
  '.rb',
  '.php',
  '.cs',
  '.fs',
  '.vb',
  '.rs',
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.cxx',
  '.hpp',
  '.hh',
  '.m',
  '.mm',
  '.swift',
  '.dart',
  '.ex',
  '.exs',
  '.erl',
  '.clj',
  '.cljs',
  '.lua',
  '.pl',
  '.pm',
  '.r',
  '.jl',
  '.elm',
  '.hs',
  '.ml',
  '.map',
]);

/** Options for {@link listWorkspaceFiles}. */
export interface ListWorkspaceFilesOptions {
  /** Stop after this many files (default 50,000) and report `truncated`. */
  maxFiles?: number;
  /** Directory names to skip anywhere; replaces {@link defaultIgnoredDirs} (spread it to extend). */
  ignoreDirs?: string[];
}

const defaultMaxFiles = 50_000;
// Directories read at once: enough to hide disk latency without flooding the fd table.
const readConcurrency = 16;

/**
 * Lists workspace-relative posix paths of source and `.map` files under `root`, breadth first
 * (so a truncated listing keeps the shallow files), sorted. Symlinked directories are never
 * followed: anything they point at inside the root is listed under its real path anyway, and
 * following them could leave the root or loop. Symlinked files are kept only if they resolve
 * inside the root.
 */
export async function listWorkspaceFiles(root: string, options: ListWorkspaceFilesOptions = {}): Promise<{ files: string[]; truncated: boolean }> {
  const maxFiles = Math.max(0, Math.floor(options.maxFiles ?? defaultMaxFiles));
  const ignored = new Set(options.ignoreDirs ?? defaultIgnoredDirs);
  const absRoot = path.resolve(root);
  const realRoot = await fs.realpath(absRoot);
  // Reading the root must succeed: a missing workspace is the caller's error, not an empty one.
  const rootEntries = await fs.readdir(absRoot, { withFileTypes: true });

  const files: string[] = [];
  let truncated = false;
  const queue: string[] = [];
  let head = 0;
  let pending: Array<{ rel: string; entries: Dirent[] }> = [{ rel: '', entries: rootEntries }];

  while ((pending.length > 0 || head < queue.length) && !truncated) {
    for (const { rel, entries } of pending) {
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) {
          if (!ignored.has(entry.name)) queue.push(childRel);
          continue;
        }
        if (!isSourceName(entry.name)) continue;
        if (entry.isSymbolicLink() && !(await isFileInside(path.join(absRoot, childRel), realRoot))) {
          continue;
        }
        if (!entry.isFile() && !entry.isSymbolicLink()) continue;
        if (files.length >= maxFiles) {
          truncated = true;
          break;
        }
        files.push(childRel);
      }
      if (truncated) break;
    }
    const batch = queue.slice(head, head + readConcurrency);
    head += batch.length;
    pending = (await Promise.all(batch.map((rel) => readDirQuietly(absRoot, rel)))).filter((d): d is { rel: string; entries: Dirent[] } => d !== undefined);
  }

  files.sort();
  return { files, truncated };
}

function isSourceName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && sourceFileExtensions.has(name.slice(dot).toLowerCase());
}

/** A directory that vanished or is unreadable mid-walk is skipped, not fatal. */
async function readDirQuietly(absRoot: string, rel: string): Promise<{ rel: string; entries: Dirent[] } | undefined> {
  try {
    return { rel, entries: await fs.readdir(path.join(absRoot, rel), { withFileTypes: true }) };
  } catch {
    return undefined;
  }
}

async function isFileInside(linkPath: string, realRoot: string): Promise<boolean> {
  try {
    const target = await fs.realpath(linkPath);
    const stat = await fs.stat(target);
    const relToRoot = path.relative(realRoot, target);
    const escapes = relToRoot === '..' || relToRoot.startsWith(`..${path.sep}`) || path.isAbsolute(relToRoot);
    return stat.isFile() && relToRoot !== '' && !escapes;
  } catch {
    return false;
  }
}
