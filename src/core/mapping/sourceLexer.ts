/**
 * The lexer the function and route scanners share. Everything works on a "skeleton": the source
 * with comments and string contents blanked, so regexes never match inside them and brackets can
 * be counted naively.
 */

/** Languages the line scanners understand. */
export type SourceLanguage = 'js' | 'python' | 'go' | 'java';

/** Picks the scanner language from a file's extension; undefined for files no scanner reads. */
export function languageOf(file: string): SourceLanguage | undefined {
  const ext = /\.([A-Za-z]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  if (/^(?:[mc]?[jt]s|[jt]sx)$/.test(ext)) return 'js';
  if (ext === 'py') return 'python';
  if (ext === 'go') return 'go';
  if (ext === 'java') return 'java';
  return undefined;
}

/** Maps offsets to 1-based line numbers. */
export class LineMap {
  private readonly starts: number[] = [0];
  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line holding `offset`. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}

const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split('').map((c) => c.charCodeAt(0)));
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);
const NL = 10;
const SPACE = 32;
const QUOTE2 = 34; // "
const QUOTE1 = 39; // '
const BACKTICK = 96;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;

const isWordCode = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;

/**
 * Blanks comments and the contents of string, template and regex literals (delimiters and
 * newlines kept) so offsets and line numbers match `text`. Python triple-quoted strings are
 * blanked whole: they are docstrings or data, never routes, and their lines must not count
 * for indentation.
 */
export function sourceSkeleton(text: string, lang: SourceLanguage): string {
  const n = text.length;
  // Buffer.alloc is never pooled, so the view starts aligned; write() copies in native code.
  const buf = Buffer.alloc(n * 2);
  buf.write(text, 'utf16le');
  const out = new Uint16Array(buf.buffer, buf.byteOffset, n);
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== NL) out[k] = SPACE;
  };
  const at = (k: number): number => (k < n ? out[k]! : -1);
  const cStyle = lang !== 'python';
  // JS only: for each open `{`, whether it opened a template `${` (resume the template at its `}`).
  const braces: boolean[] = [];
  let prevSig = -1;
  // Scans template text from i (just after ` or the } closing a ${); returns the index after the
  // closing backtick, or after a `${` (pushing the brace).
  const template = (i: number): number => {
    let j = i;
    while (j < n) {
      const c = out[j];
      if (c === BACKSLASH) j += 2;
      else if (c === BACKTICK) {
        blank(i, j);
        return j + 1;
      } else if (c === 36 && at(j + 1) === 123) {
        blank(i, j);
        braces.push(true);
        return j + 2;
      } else j++;
    }
    blank(i, n);
    return n;
  };
  const lineEnd = (i: number): number => {
    const e = text.indexOf('\n', i);
    return e === -1 ? n : e;
  };
  let i = 0;
  while (i < n) {
    const c = out[i]!;
    const d = at(i + 1);
    if (cStyle ? c === SLASH && d === SLASH : c === 35) {
      const e = lineEnd(i);
      blank(i, e);
      i = e;
      continue;
    }
    if (cStyle && c === SLASH && d === STAR) {
      const e = text.indexOf('*/', i + 2);
      const end = e === -1 ? n : e + 2;
      blank(i, end);
      i = end;
      continue;
    }
    if ((c === QUOTE2 || (c === QUOTE1 && lang === 'python')) && d === c && at(i + 2) === c && lang !== 'go' && lang !== 'js') {
      const q = c === QUOTE2 ? '"""' : "'''";
      const e = text.indexOf(q, i + 3);
      const end = e === -1 ? n : e + 3;
      if (lang === 'python') blank(i, end);
      else blank(i + 3, end - 3);
      i = end;
      prevSig = end - 1;
      continue;
    }
    if (c === QUOTE2 || c === QUOTE1 || (c === BACKTICK && lang === 'go')) {
      const raw = c === BACKTICK;
      let j = i + 1;
      while (j < n && out[j] !== c && (raw || out[j] !== NL)) j += !raw && out[j] === BACKSLASH ? 2 : 1;
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      prevSig = j;
      continue;
    }
    if (lang === 'js') {
      if (c === BACKTICK) {
        i = template(i + 1);
        prevSig = i - 1;
        continue;
      }
      if (c === 123) braces.push(false);
      else if (c === 125 && braces.pop() === true) {
        i = template(i + 1);
        prevSig = i - 1;
        continue;
      } else if (c === SLASH && regexAllowed(text, out, prevSig)) {
        const e = regexEnd(out, i + 1);
        if (e !== -1) {
          blank(i + 1, e);
          i = e + 1;
          prevSig = e;
          continue;
        }
      }
    }
    if (c !== SPACE && c !== 9 && c !== NL && c !== 13) prevSig = i;
    i++;
  }
  return buf.toString('utf16le');
}

function regexAllowed(text: string, out: Uint16Array, prevSig: number): boolean {
  if (prevSig < 0) return true;
  const p = out[prevSig]!;
  if (REGEX_AFTER.has(p)) return true;
  if (!isWordCode(p)) return false;
  let s = prevSig;
  while (s > 0 && isWordCode(out[s - 1]!)) s--;
  return REGEX_AFTER_WORDS.has(text.slice(s, prevSig + 1));
}

/** Index of the closing `/` of a regex literal body starting at i, or -1 when it is not one. */
function regexEnd(out: Uint16Array, i: number): number {
  let inClass = false;
  for (let j = i; j < out.length; j++) {
    const c = out[j];
    if (c === NL) return -1;
    if (c === BACKSLASH) j++;
    else if (c === 91) inClass = true;
    else if (c === 93) inClass = false;
    else if (c === SLASH && !inClass) return j;
  }
  return -1;
}

/** Index of the bracket closing the one at `open` in a skeleton, or -1. */
export function matchBracket(sk: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sk.length; i++) {
    const c = sk[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** A [start, end) slice of the source. */
export interface Span {
  start: number;
  end: number;
}

/** Splits the bracketed list opening at `open` into top-level items (trimmed, empty tail dropped). */
export function splitArgs(sk: string, open: number): { args: Span[]; close: number } | undefined {
  const close = matchBracket(sk, open);
  if (close === -1) return undefined;
  const args: Span[] = [];
  let depth = 0;
  let from = open + 1;
  const push = (to: number): void => {
    let s = from;
    let e = to;
    while (s < e && /\s/.test(sk[s]!)) s++;
    while (e > s && /\s/.test(sk[e - 1]!)) e--;
    if (e > s) args.push({ start: s, end: e });
  };
  for (let i = open + 1; i < close; i++) {
    const c = sk[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      push(i);
      from = i + 1;
    }
  }
  push(close);
  return { args, close };
}

/** The identifier ending just before `dot` (whitespace allowed between), e.g. the receiver of `.get(`. */
export function wordBefore(sk: string, dot: number): { name: string; start: number } | undefined {
  let e = dot;
  while (e > 0 && /\s/.test(sk[e - 1]!)) e--;
  let s = e;
  while (s > 0 && /[\w$]/.test(sk[s - 1]!)) s--;
  const name = sk.slice(s, e);
  return /^[A-Za-z_$]/.test(name) ? { name, start: s } : undefined;
}

/** Index of the next non-whitespace character at or after i. */
export function skipSpace(sk: string, i: number): number {
  while (i < sk.length && /\s/.test(sk[i]!)) i++;
  return i;
}
