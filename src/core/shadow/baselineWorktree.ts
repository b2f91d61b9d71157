/**
 * The baseline of `--baseline-ref REF`: REF checked out into a temporary git worktree beside the
 * workspace's repository, so the same start command runs the old code. Installed dependencies are
 * not in git: when the workspace has `node_modules` and the worktree has none, it is linked, so the
 * baseline runs with the same packages (a dependency change is then not what the run compares).
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type GitPort, isSafeRevision } from '../mapping/git';

/** A checked-out baseline. */
export interface BaselineWorktree {
  /** The worktree's root (the repository's root at REF). */
  root: string;
  /** Where the workspace folder is inside it (the start command runs there). */
  workspace: string;
  /** The commit REF named. */
  commit: string;
  dispose(): Promise<void>;
}

/** Checks `ref` out into a temporary worktree; rejects with one line when git cannot. */
export async function checkoutBaseline(git: GitPort, workspace: string, ref: string): Promise<BaselineWorktree> {
  if (!isSafeRevision(ref)) throw new Error(`--baseline-ref ${JSON.stringify(ref)} is not a plain revision name`);
  const top = (await git.run(['rev-parse', '--show-toplevel'])).trim();
  const commit = (await git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if (!commit) throw new Error(`--baseline-ref ${ref}: no such commit in ${top}`);
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'runtime-lens-baseline-')), 'tree');
  await git.run(['worktree', 'add', '--detach', root, commit], { timeoutMs: 120_000 });
  const inside = path.join(root, path.relative(top, workspace));
  const links: string[] = [];
  for (const dir of new Set([top, workspace])) {
    const modules = path.join(dir, 'node_modules');
    const target = path.join(root, path.relative(top, dir), 'node_modules');
    if (existsSync(modules) && !existsSync(target)) {
      symlinkSync(modules, target, 'dir');
      links.push(target);
    }
  }
  return {
    root,
    workspace: inside,
    commit,
    dispose: async () => {
      // The links go first: removing the tree must never reach into the workspace's own packages.
      for (const link of links) unlinkSync(link);
      await git.run(['worktree', 'remove', '--force', root]).catch(() => undefined);
      rmSync(path.dirname(root), { recursive: true, force: true });
      await git.run(['worktree', 'prune']).catch(() => undefined);
    },
  };
}
