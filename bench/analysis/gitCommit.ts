import { execFileSync } from 'node:child_process';

/** The short sha of `repo`'s HEAD for a results header, marked when tracked files have uncommitted changes. */
export function gitCommit(repo: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: repo }).toString().trim() !== '';
    return dirty ? `${sha} (+ uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}
