/**
 * Who last changed each line: `git blame --porcelain` of a file at HEAD, cached per (file, HEAD),
 * carried to the working copy (or an unsaved editor buffer) by an in-process line diff, so an
 * edit costs a diff and not a blame. Lines the diff cannot match are not committed.
 */
import type { GitPort } from '../../mapping/git';
import { GitError, isSafeRevision } from '../../mapping/git';
import { BLAME_BASE_TIMEOUT_MS, blameTimeoutMs, runRetryingTimeout } from './gitBudget';
import { matchLines } from './lineDiff';

/** The commit a line comes from, and where the line was in that commit. */
export interface BlameLine {
  /** Full sha of the commit that last changed the line. */
  sha: string;
  /** 1-based line number in that commit's version of the file. */
  origLine: number;
  /** The file's repository-relative path in that commit (it may have been renamed since). */
  path: string;
}

/** The blame of one file at one HEAD. */
export interface FileBlame {
  head: string;
  /** Per HEAD line (index = line - 1). */
  lines: BlameLine[];
  /** The file's lines at HEAD, without line endings (the diff base for the working copy). */
  content: string[];
}

const HEADER = /^([0-9a-f]{40}|[0-9a-f]{64}) (\d+) (\d+)(?: \d+)?$/;
const DEFAULT_CACHE_FILES = 256;

/** Parses `git blame --porcelain` output; throws on output that is not porcelain. */
export function parseBlamePorcelain(output: string, head = ''): FileBlame {
  const lines: BlameLine[] = [];
  const content: string[] = [];
  const paths = new Map<string, string>();
  let sha = '';
  let origLine = 0;
  const rows = output.split('\n');
  for (const row of rows) {
    if (row.startsWith('\t')) {
      if (!sha) throw new Error('blame content line before any commit header');
      lines.push({ sha, origLine, path: paths.get(sha) ?? '' });
      content.push(stripCr(row.slice(1)));
      continue;
    }
    const header = HEADER.exec(row);
    if (header) {
      sha = header[1]!;
      origLine = Number(header[2]);
      continue;
    }
    // git prints the filename with a commit's first group and whenever it differs, so remember it.
    if (row.startsWith('filename ') && sha) paths.set(sha, unquoteGitPath(row.slice('filename '.length)));
  }
  // Groups printed before their commit's filename line inherit it.
  for (const line of lines) {
    if (line.path === '') line.path = paths.get(line.sha) ?? '';
  }
  return { head, lines, content };
}

/** How long a blame may take. */
export interface BlameBudget {
  /** Lines of the file (its working copy is a good guess at HEAD's): the budget grows with them. */
  lines?: number;
  /** The budget of an empty file (default `BLAME_BASE_TIMEOUT_MS`). */
  baseTimeoutMs?: number;
}

/**
 * Blames `path` (relative to the git port's folder) at `head`; null when HEAD has no such file.
 * Timed out blames are retried once with more time; a second timeout rejects with a `GitError`.
 */
export async function blameAtHead(git: GitPort, path: string, head: string, budget: BlameBudget = {}): Promise<FileBlame | null> {
  if (!isSafeRevision(head)) throw new Error(`unsafe revision '${head.slice(0, 60)}'`);
  let output: string;
  try {
    output = await runRetryingTimeout(git, ['blame', '--porcelain', head, '--', path], blameTimeoutMs(budget.lines ?? 0, budget.baseTimeoutMs));
  } catch (error) {
    if (error instanceof GitError && /no such path|does not exist|no such file/i.test(error.stderr)) return null;
    throw error;
  }
  return parseBlamePorcelain(output, head);
}

/** Splits editor text into lines the way blame counts them (no phantom line after a final newline). */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map(stripCr);
}

/** Per working-copy line (index = line - 1): its blame, or null when the line is not committed. */
export function blameWorkingCopy(atHead: FileBlame | null, textLines: readonly string[]): (BlameLine | null)[] {
  if (!atHead) return textLines.map(() => null);
  const match = matchLines(atHead.content, textLines);
  const out: (BlameLine | null)[] = new Array(textLines.length);
  for (let i = 0; i < textLines.length; i++) {
    const at = match[i]!;
    out[i] = at >= 0 ? atHead.lines[at]! : null;
  }
  return out;
}

/** Blames at HEAD, at most once per (path, HEAD); least recently used files are dropped first. */
export class BlameCache {
  private readonly entries = new Map<string, Promise<FileBlame | null>>();

  constructor(
    private readonly git: GitPort,
    private readonly maxFiles = DEFAULT_CACHE_FILES,
    private readonly baseTimeoutMs = BLAME_BASE_TIMEOUT_MS,
  ) {}

  /** The blame of `path` at `head` (a file of about `lines` lines), from the cache when it has it. */
  get(path: string, head: string, lines = 0): Promise<FileBlame | null> {
    const key = `${head}\0${path}`;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const pending = blameAtHead(this.git, path, head, { lines, baseTimeoutMs: this.baseTimeoutMs });
    this.entries.set(key, pending);
    // A failed blame is not cached: the next call retries.
    pending.catch(() => this.entries.delete(key));
    while (this.entries.size > this.maxFiles) this.entries.delete(this.entries.keys().next().value!);
    return pending;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Undoes git's C-style quoting of unusual path names (`"a\tb"`, octal bytes for UTF-8). */
export function unquoteGitPath(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
