/**
 * The git questions revision drift asks of the workspace repository, with their answers parsed:
 * what HEAD is, whether the clone is shallow, which commit a name resolves to, how files changed
 * since a commit, and a file's line diff. Bounding and caching per revision are RevisionDrift's.
 */
import type { BoundedGit } from './boundedGit';
import { GitError } from './git';

/** How a path changed between the deployed commit and the working tree. */
export interface FileChange {
  kind: 'modified' | 'renamed' | 'deleted' | 'added';
  /** The path in the working tree (equal to the key unless renamed). */
  newPath: string;
}

/** The repository as a whole. */
export interface RepoState {
  head: string | null;
  shallow: boolean;
  /** Set when git cannot answer at all (not a repository, git missing). */
  problem: string;
}

const DIFF_FLAGS = ['-U0', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--relative'];

/** The workspace repository as revision drift reads it; `state` and `changesSince` are cached until `invalidate`. */
export class DriftRepo {
  private readonly changeSets = new Map<string, Promise<Map<string, FileChange>>>();
  private repo: Promise<RepoState> | null = null;

  constructor(private readonly git: BoundedGit) {}

  /** Forgets what was read (HEAD, refs or the working tree changed). */
  invalidate(): void {
    this.changeSets.clear();
    this.repo = null;
  }

  /** HEAD, shallowness, or why git cannot answer. */
  state(): Promise<RepoState> {
    this.repo ??= this.readState();
    return this.repo;
  }

  /** The full sha `rev` names, or null when this clone has no such commit. */
  async commitOf(rev: string): Promise<string | null> {
    try {
      const out = (await this.git.run(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim();
      return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(out) ? out : null;
    } catch (error) {
      // git ran and said no (missing, ambiguous); anything else (timeout, no git) is not an answer.
      if (error instanceof GitError && error.exitCode !== null) return null;
      throw error;
    }
  }

  /** Whether the two commits have a common ancestor in this clone. */
  async haveMergeBase(a: string, b: string): Promise<boolean> {
    try {
      return (await this.git.run(['merge-base', a, b])).trim() !== '';
    } catch (error) {
      if (error instanceof GitError && error.exitCode === 1) return false;
      throw error;
    }
  }

  /** Commits in `a` not in `b`, and in `b` not in `a`. */
  async aheadBehind(a: string, b: string): Promise<{ ahead: number; behind: number }> {
    const counts = await this.git.run(['rev-list', '--left-right', '--count', `${a}...${b}`]);
    const [aheadText, behindText] = counts.trim().split(/\s+/);
    const ahead = Number(aheadText);
    const behind = Number(behindText);
    if (!Number.isInteger(ahead) || !Number.isInteger(behind)) {
      const text = counts.trim();
      throw new Error(`unexpected rev-list output: ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text)}`);
    }
    return { ahead, behind };
  }

  /** Name-status of the deployed commit against the working tree, keyed by deployed path. */
  changesSince(commit: string): Promise<Map<string, FileChange>> {
    const cached = this.changeSets.get(commit);
    if (cached) return cached;
    const pending = this.git.run(['diff', '--name-status', '-z', '--no-ext-diff', '-M', '--relative', commit, '--']).then(parseNameStatus);
    // A failure should be retried next time, not remembered.
    pending.catch(() => {
      if (this.changeSets.get(commit) === pending) this.changeSets.delete(commit);
    });
    this.changeSets.set(commit, pending);
    return pending;
  }

  /** The zero-context diff of `paths` from `commit` to the working tree. */
  diff(commit: string, paths: string[]): Promise<string> {
    return this.git.run(['--literal-pathspecs', 'diff', ...DIFF_FLAGS, commit, '--', ...paths]);
  }

  /** Whether `path` is a file at `commit`. */
  async isFileAt(commit: string, path: string): Promise<boolean> {
    try {
      // './' makes the path relative to the workspace folder, like the diffs' --relative.
      return (await this.git.run(['cat-file', '-t', `${commit}:./${path}`])).trim() === 'blob';
    } catch (error) {
      if (error instanceof GitError && error.exitCode !== null) return false;
      throw error;
    }
  }

  private async readState(): Promise<RepoState> {
    let flags: string[];
    try {
      flags = (await this.git.run(['rev-parse', '--is-inside-work-tree', '--is-shallow-repository'])).trim().split(/\s+/);
    } catch (error) {
      if (error instanceof GitError && /not a git repository/i.test(error.stderr)) {
        return { head: null, shallow: false, problem: 'the workspace folder is not a git repository' };
      }
      return { head: null, shallow: false, problem: `git is not usable here: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (flags[0] !== 'true') return { head: null, shallow: false, problem: 'the workspace folder is not inside a git work tree' };
    const head = await this.commitOf('HEAD');
    return { head, shallow: flags[1] === 'true', problem: '' };
  }
}

/** Parses `git diff --name-status -z` output. */
function parseNameStatus(output: string): Map<string, FileChange> {
  const changes = new Map<string, FileChange>();
  const fields = output.split('\0');
  let i = 0;
  while (i < fields.length) {
    const status = fields[i++]!;
    if (status === '') continue;
    const letter = status[0];
    if (letter === 'R' || letter === 'C') {
      const from = fields[i++] ?? '';
      const to = fields[i++] ?? '';
      // A copy leaves the source in place, so only the destination is new.
      if (letter === 'R') changes.set(from, { kind: 'renamed', newPath: to });
      else changes.set(to, { kind: 'added', newPath: to });
      continue;
    }
    const path = fields[i++] ?? '';
    const kind = letter === 'D' ? 'deleted' : letter === 'A' ? 'added' : 'modified';
    changes.set(path, { kind, newPath: path });
  }
  return changes;
}
