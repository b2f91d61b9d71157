/**
 * A multi-file `git diff --unified=0` read per file: which path it was and is, and which lines
 * changed on each side. Files without text hunks (binary, a mode or a pure rename) have no runs.
 */
import { type DiffHunk, parseUnifiedDiffHunks } from '../mapping/lineCarry';

/** One file of a diff: its paths (null where it did not or does not exist) and its changed runs. */
export interface DiffFile {
  /** The path at the base (`--- a/...`), null for a file added since. */
  oldPath: string | null;
  /** The path in the working tree (`+++ b/...`), null for a file deleted since. */
  newPath: string | null;
  hunks: DiffHunk[];
}

/**
 * Reads `git diff --unified=0 --no-color` output (default `a/` and `b/` prefixes). Throws a
 * one-line Error naming the file when a hunk is malformed.
 */
export function parseDiffFiles(text: string): DiffFile[] {
  const out: DiffFile[] = [];
  const sections = text.split(/^(?=diff --git )/m).filter((s) => s.startsWith('diff --git '));
  for (const section of sections) {
    const oldLine = /^--- (.+)$/m.exec(section);
    const newLine = /^\+\+\+ (.+)$/m.exec(section);
    // No `---`/`+++` pair: a binary file, a mode change or a rename without edits; no lines to name.
    if (oldLine === null || newLine === null) continue;
    const oldPath = diffPath(oldLine[1], 'a/');
    const newPath = diffPath(newLine[1], 'b/');
    const body = section.slice(newLine.index + newLine[0].length);
    let hunks: DiffHunk[];
    try {
      hunks = parseUnifiedDiffHunks(body);
    } catch (err) {
      throw new Error(`git diff of ${newPath ?? oldPath}: ${(err as Error).message}`);
    }
    out.push({ oldPath, newPath, hunks });
  }
  return out;
}

/** The path of a `---`/`+++` line without its prefix; null for /dev/null. Quoted names (special characters) are unquoted. */
function diffPath(raw: string, prefix: string): string | null {
  // A trailing tab follows names with spaces in some git versions.
  let name = raw.replace(/\t$/, '');
  if (name === '/dev/null') return null;
  if (name.startsWith('"') && name.endsWith('"')) name = unquote(name.slice(1, -1));
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

const ESCAPES: ReadonlyMap<string, number> = new Map([
  ['a', 7],
  ['b', 8],
  ['t', 9],
  ['n', 10],
  ['v', 11],
  ['f', 12],
  ['r', 13],
  ['"', 34],
  ['\\', 92],
]);

/** git's C-style quoting: backslash escapes, and octal escapes of the UTF-8 bytes. */
function unquote(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    if (text[i] !== '\\') {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
      continue;
    }
    const octal = /^[0-7]{3}/.exec(text.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 4;
    } else {
      const next = text[i + 1] ?? '';
      if (next === '') break;
      bytes.push(ESCAPES.get(next) ?? next.charCodeAt(0));
      i += 2;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
