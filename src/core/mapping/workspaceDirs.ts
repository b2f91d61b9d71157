import { promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import * as path from 'node:path';
import { isManifest } from './serviceRoots';
import { defaultIgnoredDirs } from './workspaceFiles';

/** Folders listed at most: a watcher holds one handle per folder, and inotify's default budget is 8,192. */
export const MAX_WORKSPACE_DIRS = 5_000;
const READ_CONCURRENCY = 16;

/** The folders of a workspace (for watching) and the service manifests in them. */
export interface WorkspaceDirs {
  /** Workspace-relative posix folders, '' first, breadth first. */
  dirs: string[];
  /** Workspace-relative manifests (package.json, go.mod, ...), sorted. */
  manifests: string[];
  /** More folders than MAX_WORKSPACE_DIRS: the deepest were left out. */
  truncated: boolean;
}

/** True when a workspace-relative path lies in a folder the index skips (node_modules, .git, ...). */
export function inIgnoredDir(rel: string, ignored: ReadonlySet<string> = IGNORED): boolean {
  const parts = rel.split('/');
  for (let i = 0; i < parts.length - 1; i++) if (ignored.has(parts[i]!)) return true;
  return false;
}

const IGNORED: ReadonlySet<string> = new Set(defaultIgnoredDirs);

/**
 * Walks `root` under `start` (workspace-relative, '' for all) breadth first, skipping the folders
 * the file listing skips and symlinked folders (as listWorkspaceFiles does).
 */
export async function listWorkspaceDirs(root: string, start = '', maxDirs = MAX_WORKSPACE_DIRS): Promise<WorkspaceDirs> {
  const absRoot = path.resolve(root);
  const dirs: string[] = [];
  const manifests: string[] = [];
  let truncated = false;
  let level = [start];
  while (level.length > 0 && !truncated) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += READ_CONCURRENCY) {
      const batch = level.slice(i, i + READ_CONCURRENCY);
      const read = await Promise.all(batch.map((rel) => readDirQuietly(absRoot, rel)));
      for (let j = 0; j < batch.length; j++) {
        const entries = read[j];
        if (entries === undefined) continue;
        if (dirs.length >= maxDirs) {
          truncated = true;
          break;
        }
        const rel = batch[j]!;
        dirs.push(rel);
        for (const entry of entries) {
          const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
          if (entry.isDirectory()) {
            if (!IGNORED.has(entry.name)) next.push(child);
          } else if (entry.isFile() && isManifest(child)) manifests.push(child);
        }
      }
      if (truncated) break;
    }
    level = next.sort();
  }
  manifests.sort();
  return { dirs, manifests, truncated };
}

async function readDirQuietly(absRoot: string, rel: string): Promise<Dirent[] | undefined> {
  try {
    return await fs.readdir(path.join(absRoot, rel), { withFileTypes: true });
  } catch {
    return undefined;
  }
}
