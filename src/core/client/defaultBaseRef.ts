/**
 * The base a diff is read against when the caller names none: the branch's upstream (what a pull
 * request merges into, most of the time), else the remote's default branch (origin/HEAD), else a
 * local `main` or `master`. Each step asks git without a shell; the answer says which one it took.
 */
import { GitError, type GitPort, isSafeRevision } from '../mapping/git';

/** A base ref and how it was chosen. */
export interface BaseRef {
  ref: string;
  /** `the upstream branch`, `origin/HEAD`, `the local main branch`; absent when the caller named it. */
  how?: string;
}

/** `base` when given, else the first of upstream, origin/HEAD, main, master that git knows; rejects with one line when none is. */
export async function resolveBaseRef(git: GitPort, base?: string): Promise<BaseRef> {
  if (base !== undefined && base !== '') return { ref: base };
  const upstream = await quiet(git, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{upstream}']);
  if (upstream !== undefined && isSafeRevision(upstream)) return { ref: upstream, how: 'the upstream branch' };
  const originHead = await quiet(git, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (originHead !== undefined && isSafeRevision(originHead)) return { ref: originHead, how: 'origin/HEAD' };
  for (const name of ['main', 'master']) {
    if ((await quiet(git, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}^{commit}`])) !== undefined) return { ref: name, how: `the local ${name} branch` };
  }
  throw new Error('no base to compare with: the branch has no upstream, origin/HEAD is not set and there is no main or master branch; name a base ref');
}

/** git's trimmed answer, or undefined when it has none (exit code 1 or 128: no such ref, no upstream). */
async function quiet(git: GitPort, args: string[]): Promise<string | undefined> {
  try {
    const out = (await git.run(args)).trim();
    return out === '' ? undefined : out;
  } catch (err) {
    if (err instanceof GitError && err.exitCode !== null) return undefined;
    throw err;
  }
}
