/**
 * The baseline of `--baseline-ref REF`: REF checked out into a temporary git worktree beside the
 * workspace's repository, so the same start command runs the old code. Installed dependencies are
 * not in git: the `node_modules` Node would resolve from the workspace is linked into the worktree
 * where it has none, so the baseline runs with the same packages (a dependency change is then not
 * what the run compares).
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type GitPort, isSafeRevisionWithSteps } from '../mapping/git';

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
  if (!isSafeRevisionWithSteps(ref)) throw new Error(`--baseline-ref ${JSON.stringify(ref)} is not a revision name (a branch, tag or commit, optionally with ~N or ^N)`);
  const top = (await git.run(['rev-parse', '--show-toplevel'])).trim();
  const commit = (await git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => '')).trim();
  if (!commit) throw new Error(`--baseline-ref ${ref}: no such commit in ${top}`);
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'runtime-lens-baseline-')), 'tree');
  await git.run(['worktree', 'add', '--detach', root, commit], { timeoutMs: 120_000 });
  const inside = path.join(root, path.relative(top, workspace));
  const links: string[] = [];
  // The packages Node would find from the workspace: the nearest node_modules up the tree (it may sit
  // above the repository, as in a monorepo's or this project's own examples).
  const modules = nearestNodeModules(workspace);
  if (modules !== undefined) {
    const owner = path.relative(top, path.dirname(modules));
    const target = owner.startsWith('..') ? path.join(root, 'node_modules') : path.join(root, owner, 'node_modules');
    if (!existsSync(target)) {
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

function nearestNodeModules(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
