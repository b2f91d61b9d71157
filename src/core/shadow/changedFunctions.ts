/**
 * Which functions changed in the working tree versus a base ref, for the shadow run's sampler to
 * pick first the requests whose production traces ran through them (issue 13, §1). The changed lines
 * come from `git diff --unified=0 REF` plus the untracked files; each line counts towards the named
 * function around it (as a span's lines do; an anonymous route handler counts as the function the
 * code mapper names after its route, `GET /orders/:id handler`), on both sides: in the working tree's text, and in the
 * ref's, where production's code (and the names its spans map to) still has it.
 */
import { GitError, type GitPort, isSafeRevisionWithSteps } from '../mapping/git';
import { FunctionIndex } from '../mapping/functionIndex';
import type { DiffHunk } from '../mapping/lineCarry';
import { inlineHandlerName } from '../mapping/codeMapper';
import { type FunctionDef, scanFunctions } from '../mapping/functionScan';
import { scanRoutes } from '../mapping/routeScan';
import { parseDiffFiles } from './diffFiles';

/** A function that changed: where it is (working tree, or the ref's file for one removed since). */
export interface ChangedFunction {
  /** Workspace-relative path. */
  file: string;
  name: string;
  /** `Class.method` inside a class, else `name`. */
  qualifiedName: string;
  line: number;
  endLine: number;
  /** `working tree` when found in today's text; `base` when only the ref's text has it (removed or renamed since). */
  side: 'working tree' | 'base';
}

/** What changed since a ref. */
export interface ChangedCode {
  /** The ref as given, and the commit it named. */
  ref: string;
  commit: string;
  /** Workspace-relative files changed, added, removed or untracked. */
  files: string[];
  functions: ChangedFunction[];
}

/** Reads a workspace-relative file of the working tree; undefined when it cannot be read. */
export type WorkingTreeReader = (file: string) => Promise<string | undefined>;

/** Files past this size are not scanned for functions (generated bundles, fixtures). */
const MAX_SCANNED_CHARS = 1_000_000;
/** A diff touching more files than this is a branch switch, not an edit: the rest are named but not scanned. */
const MAX_SCANNED_FILES = 2_000;

/**
 * The functions changed in the working tree (git run in the workspace folder) versus `ref`. Rejects
 * with a one-line Error for a ref that is unsafe or names no commit, or when git fails (a folder
 * outside any repository).
 */
export async function changedFunctions(git: GitPort, ref: string, read: WorkingTreeReader): Promise<ChangedCode> {
  if (!isSafeRevisionWithSteps(ref)) throw new Error(`${JSON.stringify(ref.slice(0, 80))} is not a branch, tag or commit name (optionally with ~N or ^N)`);
  // --quiet: a ref that names nothing exits 1 without a word; anything else (not a repository) is git's own line.
  const commit = (
    await git.run(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch((err: unknown) => {
      if (err instanceof GitError && err.exitCode === 1) return '';
      throw err;
    })
  ).trim();
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new Error(`${ref} names no commit in this repository`);
  // --relative: paths relative to the workspace folder (which may sit below the repository's root), and only its files.
  const diff = await git.run(['diff', '--unified=0', '--no-color', '--no-ext-diff', '--no-textconv', '--relative', '-M', commit, '--']);
  const untracked = (await git.run(['ls-files', '--others', '--exclude-standard', '-z'])).split('\0').filter((f) => f !== '');
  const files = parseDiffFiles(diff);

  const found = new Map<string, ChangedFunction>();
  const add = (file: string, side: ChangedFunction['side'], def: FunctionDef): void => {
    const key = `${side}\0${file}\0${def.qualifiedName}\0${def.line}`;
    if (!found.has(key)) found.set(key, { file, name: def.name, qualifiedName: def.qualifiedName, line: def.line, endLine: def.endLine, side });
  };
  let scanned = 0;
  for (const f of files) {
    if (++scanned > MAX_SCANNED_FILES) break;
    if (f.newPath !== null) {
      const text = await read(f.newPath);
      const index = indexOf(f.newPath, text);
      for (const def of touched(index, f.newPath, f.hunks, 'new')) add(f.newPath, 'working tree', def);
    }
    if (f.oldPath !== null) {
      // The ref's text, as production runs it: a function renamed or removed since is only there.
      const text = await git.run(['show', `${commit}:./${f.oldPath}`]).catch(() => undefined);
      const index = indexOf(f.oldPath, text);
      for (const def of touched(index, f.oldPath, f.hunks, 'old')) add(f.oldPath, 'base', def);
    }
  }
  for (const file of untracked.slice(0, Math.max(0, MAX_SCANNED_FILES - scanned))) {
    const text = await read(file);
    if (text !== undefined && text.length <= MAX_SCANNED_CHARS) for (const def of unitsOf(file, text)) add(file, 'working tree', def);
  }
  const changedFiles = new Set<string>(untracked);
  for (const f of files) for (const p of [f.oldPath, f.newPath]) if (p !== null) changedFiles.add(p);
  return { ref, commit, files: [...changedFiles].sort(), functions: dedupeSides([...found.values()]) };
}

function indexOf(file: string, text: string | undefined): FunctionIndex {
  const index = new FunctionIndex();
  if (text !== undefined && text.length <= MAX_SCANNED_CHARS) index.setFile(file, unitsOf(file, text));
  return index;
}

/** The file's functions, and its anonymous inline route handlers as the units spans map to. */
function unitsOf(file: string, text: string): FunctionDef[] {
  const handlers = scanRoutes(file, text)
    .filter((r) => r.handler === '' && r.endLine !== undefined)
    .map((r): FunctionDef => ({ name: inlineHandlerName(r), qualifiedName: inlineHandlerName(r), line: r.line, endLine: r.endLine! }));
  return [...scanFunctions(file, text), ...handlers];
}

/** The named functions around the changed lines of one side of `hunks`. */
function touched(index: FunctionIndex, file: string, hunks: readonly DiffHunk[], side: 'old' | 'new'): FunctionDef[] {
  const out = new Set<FunctionDef>();
  for (const h of hunks) {
    const start = side === 'new' ? h.newStart : h.oldStart;
    const count = side === 'new' ? h.newCount : h.oldCount;
    if (count === 0) {
      // Lines removed (or, on the old side, added) after line `start`: the function holding both neighbours changed.
      const around = index.enclosingNamed(file, Math.max(1, start));
      if (around !== undefined && around.line <= start && around.endLine >= start + 1) out.add(around);
      continue;
    }
    for (let line = start; line < start + count; line++) {
      const def = index.enclosingNamed(file, line);
      if (def !== undefined) out.add(def);
    }
  }
  return [...out];
}

/** A function found on both sides is listed once, as the working tree has it. */
function dedupeSides(list: ChangedFunction[]): ChangedFunction[] {
  const current = new Set(list.filter((f) => f.side === 'working tree').map((f) => `${f.file}\0${f.qualifiedName}`));
  return list.filter((f) => f.side === 'working tree' || !current.has(`${f.file}\0${f.qualifiedName}`)).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}
