import { stat } from 'node:fs/promises';
import * as path from 'node:path';

/** The root of the git repository holding `dir` (a folder with a `.git` entry), or null. */
export async function findRepoRoot(dir: string): Promise<string | null> {
  for (let current = path.resolve(dir); ; ) {
    if (await stat(path.join(current, '.git')).catch(() => null)) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}
