/**
 * Cheap function scanners (TS/JS, Python, Go, Java) and the lexical helpers the route scanner
 * shares. Everything works on a "skeleton": the source with comments and string contents
 * blanked, so regexes never match inside them and brackets can be counted naively.
 */

/** Languages the line scanners understand. */
export type SourceLanguage = 'js' | 'python' | 'go' | 'java';

/** A function or method found in a source file. */
export interface FunctionDef {
  name: string;
  /** `Class.method` when directly inside a class (or Go receiver type), else `name`. */
  qualifiedName: string;
  /** 1-based line of the name. */
  line: number;
  /** 1-based last line of the body (approximate for odd code). */
  endLine: number;
}

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

const REGEX_AFTER = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await']);

/**
 * Blanks comments and the contents of string, template and regex literals (delimiters and
 * newlines kept) so offsets and line numbers match `text`. Python triple-quoted strings are
 * blanked whole: they are docstrings or data, never routes, and their lines must not count
 * for indentation.
 */
export function sourceSkeleton(text: string, lang: SourceLanguage): string {
  const parts: string[] = [];
  let last = 0;
  const blank = (from: number, to: number): void => {
    if (to <= from) return;
    parts.push(text.slice(last, from), text.slice(from, to).replace(/[^\n]/g, ' '));
    last = to;
  };
  const n = text.length;
  const cStyle = lang !== 'python';
  // JS only: for each open `{`, whether it opened a template `${` (resume the template at its `}`).
  const braces: boolean[] = [];
  let prevSig = -1;
  // Scans template text from i (just after ` or a closing } of ${}); returns the index after the
  // closing backtick, or after a `${` (pushing the brace).
  const template = (i: number): number => {
    let j = i;
    while (j < n) {
      const c = text[j];
      if (c === '\\') j += 2;
      else if (c === '`') { blank(i, j); return j + 1; }
      else if (c === '$' && text[j + 1] === '{') { blank(i, j); braces.push(true); return j + 2; }
      else j++;
    }
    blank(i, n);
    return n;
  };
  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const d = text[i + 1];
    if (cStyle && c === '/' && d === '/') {
      const e = text.indexOf('\n', i);
      blank(i, e === -1 ? n : e);
      i = e === -1 ? n : e;
      continue;
    }
    if (cStyle && c === '/' && d === '*') {
      const e = text.indexOf('*/', i + 2);
      blank(i, e === -1 ? n : e + 2);
      i = e === -1 ? n : e + 2;
      continue;
    }
    if (!cStyle && c === '#') {
      const e = text.indexOf('\n', i);
      blank(i, e === -1 ? n : e);
      i = e === -1 ? n : e;
      continue;
    }
    const triple = (c === '"' || (c === "'" && lang === 'python')) && d === c && text[i + 2] === c;
    if (triple && (lang === 'python' || lang === 'java')) {
      const e = text.indexOf(c + c + c, i + 3);
      const end = e === -1 ? n : e + 3;
      if (lang === 'python') blank(i, end);
      else blank(i + 3, end - 3);
      i = end;
      prevSig = end - 1;
      continue;
    }
    if (c === '"' || c === "'" || (c === '`' && lang === 'go')) {
      let j = i + 1;
      const raw = c === '`';
      while (j < n && text[j] !== c && (raw || text[j] !== '\n')) j += !raw && text[j] === '\\' ? 2 : 1;
      blank(i + 1, Math.min(j, n));
      i = j + 1;
      prevSig = j;
      continue;
    }
    if (lang === 'js') {
      if (c === '`') { i = template(i + 1); prevSig = i - 1; continue; }
      if (c === '{') braces.push(false);
      else if (c === '}' && braces.pop() === true) { i = template(i + 1); prevSig = i - 1; continue; }
      else if (c === '/' && regexAllowed(text, prevSig)) {
        const e = regexEnd(text, i + 1);
        if (e !== -1) { blank(i + 1, e); i = e + 1; prevSig = e; continue; }
      }
    }
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') prevSig = i;
    i++;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

function regexAllowed(text: string, prevSig: number): boolean {
  if (prevSig < 0) return true;
  const p = text[prevSig]!;
  if (REGEX_AFTER.has(p)) return true;
  if (!/[\w$]/.test(p)) return false;
  let s = prevSig;
  while (s > 0 && /[\w$]/.test(text[s - 1]!)) s--;
  return REGEX_AFTER_WORDS.has(text.slice(s, prevSig + 1));
}

/** Index of the closing `/` of a regex literal body starting at i, or -1 when it is not one. */
function regexEnd(text: string, i: number): number {
  let inClass = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '\n') return -1;
    if (c === '\\') j++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return j;
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
    else if (c === ',' && depth === 0) { push(i); from = i + 1; }
  }
  push(close);
  return { args, close };
}

/** Index of the next non-whitespace character at or after i. */
export function skipSpace(sk: string, i: number): number {
  while (i < sk.length && /\s/.test(sk[i]!)) i++;
  return i;
}

/** Brace depth before each offset: depth[i] counts `{` minus `}` in sk[0..i). */
function braceDepths(sk: string): Int32Array {
  const depth = new Int32Array(sk.length + 1);
  let d = 0;
  for (let i = 0; i < sk.length; i++) {
    depth[i] = d;
    const c = sk[i];
    if (c === '{') d++;
    else if (c === '}') d--;
  }
  depth[sk.length] = d;
  return depth;
}

interface ClassRange {
  name: string;
  open: number;
  close: number;
}

/** Innermost class whose body directly holds offset p (not through a nested function). */
function directClass(classes: ClassRange[], depth: Int32Array, p: number): string | undefined {
  let best: ClassRange | undefined;
  for (const c of classes) if (c.open < p && p < c.close && (!best || c.open > best.open)) best = c;
  return best && depth[p] === depth[best.open]! + 1 ? best.name : undefined;
}

function classRanges(sk: string, re: RegExp): ClassRange[] {
  const out: ClassRange[] = [];
  for (const m of sk.matchAll(re)) {
    const name = m[1]!;
    if (name === 'extends' || name === 'implements') continue;
    let i = m.index + m[0].length;
    // Skip record components and generics up to the body's brace.
    for (let depth = 0; i < sk.length; i++) {
      const c = sk[i];
      if (c === '(' || c === '<') depth++;
      else if (c === ')' || c === '>') depth--;
      else if (c === ';') break;
      else if (c === '{' && depth <= 0) break;
    }
    if (sk[i] !== '{') continue;
    const close = matchBracket(sk, i);
    out.push({ name, open: i, close: close === -1 ? sk.length : close });
  }
  return out;
}

/** Position of the body `{` after a parameter list closing at `close`, skipping a return type. */
function bodyAfterParams(sk: string, close: number, lang: SourceLanguage): number {
  let i = skipSpace(sk, close + 1);
  if (lang === 'java' && sk.startsWith('throws', i)) {
    while (i < sk.length && sk[i] !== '{' && sk[i] !== ';') i++;
    return sk[i] === '{' ? i : -1;
  }
  if (sk[i] === '{') return i;
  if (lang !== 'js' || sk[i] !== ':') return -1;
  // A TS return type: the body is the first `{` group not followed by another `{` group.
  for (i++; i < sk.length; i++) {
    const c = sk[i];
    if (c === ';' || c === '}' || (c === '=' && sk[i + 1] !== '>')) return -1;
    if (c === '(' || c === '[' || c === '<') {
      const e = c === '<' ? sk.indexOf('>', i) : matchBracket(sk, i);
      if (e === -1) return -1;
      i = e;
    } else if (c === '{') {
      const e = matchBracket(sk, i);
      if (e === -1) return -1;
      const next = skipSpace(sk, e + 1);
      if (sk[next] !== '{') return i;
      i = next - 1;
    }
  }
  return -1;
}

const JS_NOT_METHODS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'function', 'return', 'typeof', 'new', 'await', 'yield', 'super', 'import', 'do', 'else']);
const JAVA_NOT_METHODS = new Set(['if', 'for', 'while', 'switch', 'catch', 'synchronized', 'try', 'do', 'else', 'return', 'new', 'throw', 'super', 'this', 'assert', 'case', 'record', 'class']);

/** End offset of an arrow or function expression starting at i (after `=` or `:`), or -1. */
function functionValueEnd(sk: string, i: number): { start: number; end: number } | undefined {
  i = skipSpace(sk, i);
  const start = i;
  if (sk.startsWith('async', i) && /\s|\(/.test(sk[i + 5] ?? '')) i = skipSpace(sk, i + 5);
  let m = /^function\b\s*\*?\s*[\w$]*\s*(<[^>]*>)?\s*\(/.exec(sk.slice(i, i + 200));
  if (m) {
    const close = matchBracket(sk, i + m[0].length - 1);
    const body = close === -1 ? -1 : bodyAfterParams(sk, close, 'js');
    return body === -1 ? undefined : { start, end: matchBracket(sk, body) };
  }
  m = /^(?:<[^>]*>\s*)?\(/.exec(sk.slice(i, i + 200));
  let after: number;
  if (m) {
    const close = matchBracket(sk, i + m[0].length - 1);
    if (close === -1) return undefined;
    after = skipSpace(sk, close + 1);
    if (sk[after] === ':') {
      const arrow = sk.indexOf('=>', after);
      if (arrow === -1 || /[;{}]/.test(sk.slice(after, arrow).replace(/\{[^{}]*\}/g, ''))) return undefined;
      after = arrow;
    }
  } else {
    m = /^[A-Za-z_$][\w$]*\s*/.exec(sk.slice(i, i + 100));
    if (!m) return undefined;
    after = i + m[0].length;
  }
  if (!sk.startsWith('=>', after)) return undefined;
  const body = skipSpace(sk, after + 2);
  if (sk[body] === '{') return { start, end: matchBracket(sk, body) };
  return { start, end: expressionEnd(sk, body) };
}

/** End of an arrow's expression body: the first `;`, `,` or unbalanced closer at depth 0. */
function expressionEnd(sk: string, i: number): number {
  for (let depth = 0; i < sk.length; i++) {
    const c = sk[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') { if (--depth < 0) return i - 1; }
    else if (depth === 0 && (c === ';' || c === ',')) return i - 1;
    else if (depth === 0 && c === '\n' && !/^\s*[.?:+\-*/&|=<>]/.test(sk.slice(i, i + 80))) return i - 1;
  }
  return sk.length - 1;
}

/** Name assigned by the `=` or `:` at eq: `const f`, `this.f`, `exports.f`, `f: T`, `f`. */
function assignedName(sk: string, eq: number): string | undefined {
  let j = eq - 1;
  while (j >= 0 && /\s/.test(sk[j]!)) j--;
  if (sk[eq] === '=' && sk[j] === '>') {
    // `const f: Handler<P> = ...`: walk back over the generic and the type name.
    let depth = 0;
    for (; j >= 0; j--) { if (sk[j] === '>') depth++; else if (sk[j] === '<' && --depth === 0) break; }
    j--;
    while (j >= 0 && /\s/.test(sk[j]!)) j--;
  }
  let e = j + 1;
  while (j >= 0 && /[\w$#.]/.test(sk[j]!)) j--;
  let word = sk.slice(j + 1, e);
  while (j >= 0 && /[\s?!]/.test(sk[j]!)) j--;
  if (sk[eq] === '=' && sk[j] === ':') {
    // The word was a type annotation; the name precedes the colon.
    j--;
    while (j >= 0 && /[\s?!]/.test(sk[j]!)) j--;
    e = j + 1;
    while (j >= 0 && /[\w$#]/.test(sk[j]!)) j--;
    word = sk.slice(j + 1, e);
  }
  const name = word.split('.').pop() ?? '';
  return /^#?[A-Za-z_$][\w$]*$/.test(name) && name !== 'exports' ? name : undefined;
}

/**
 * True when the `=`/`:` at p sits in a block or at top level (for `:`, in an object literal),
 * which rules out parameter defaults, parameter types and interface members.
 */
function valueContext(sk: string, p: number, colon: boolean): boolean {
  let depth = 0;
  let j = p - 1;
  for (; j >= 0; j--) {
    const c = sk[j];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') { if (depth-- === 0) break; }
  }
  if (j < 0) return !colon;
  if (sk[j] !== '{') return false;
  if (!colon) return true;
  const before = sk.slice(Math.max(0, j - 40), j);
  if (/\btype\s+[\w$]+\s*(?:<[^>]*>)?\s*=\s*$/.test(before)) return false;
  return /(?:[=(,:[?]|\breturn|\bdefault)\s*$/.test(before);
}

function scanJs(sk: string, lines: LineMap): FunctionDef[] {
  const depth = braceDepths(sk);
  const classes = classRanges(sk, /\bclass\s+([A-Za-z_$][\w$]*)/g);
  const out: FunctionDef[] = [];
  const seen = new Set<number>();
  const add = (name: string, at: number, end: number): void => {
    if (seen.has(at) || end < 0) return;
    seen.add(at);
    const cls = directClass(classes, depth, at);
    out.push({ name, qualifiedName: cls ? `${cls}.${name}` : name, line: lines.lineAt(at), endLine: lines.lineAt(end) });
  };
  // Assignments and properties: `const f = () => {}`, `f: function () {}`, `handle = async () => {}`.
  for (const m of sk.matchAll(/(?<![=!<>])=(?![=>])|:/g)) {
    const fn = functionValueEnd(sk, m.index + 1);
    if (!fn) continue;
    const name = assignedName(sk, m.index);
    if (!name || !valueContext(sk, m.index, sk[m.index] === ':')) continue;
    const fnKeyword = sk.indexOf('function', fn.start);
    if (fnKeyword !== -1 && fnKeyword < fn.start + 16) seen.add(fnKeyword);
    let at = m.index - 1;
    while (at > 0 && !sk.startsWith(name, at)) at--;
    add(name, at, fn.end);
  }
  // Declarations and named function expressions.
  for (const m of sk.matchAll(/\bfunction\b\s*\*?\s*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(/g)) {
    if (seen.has(m.index)) continue;
    const close = matchBracket(sk, m.index + m[0].length - 1);
    const body = close === -1 ? -1 : bodyAfterParams(sk, close, 'js');
    if (body !== -1) add(m[1]!, m.index + m[0].indexOf(m[1]!, 8), matchBracket(sk, body));
  }
  // Method shorthand (classes and object literals): `name(...) {`, only methods look like that.
  for (const m of sk.matchAll(/(?<![\w$#.@])(#?[A-Za-z_$][\w$]*)\s*(?:<[^<>()]*(?:<[^<>()]*>[^<>()]*)*>)?\s*\(/g)) {
    const name = m[1]!;
    if (JS_NOT_METHODS.has(name)) continue;
    const before = sk.slice(Math.max(0, m.index - 12), m.index);
    if (/\bfunction\s*\*?\s*$|\bnew\s+$/.test(before)) continue;
    const close = matchBracket(sk, m.index + m[0].length - 1);
    const body = close === -1 ? -1 : bodyAfterParams(sk, close, 'js');
    if (body !== -1) add(name, m.index, matchBracket(sk, body));
  }
  return out;
}

function scanPython(sk: string): FunctionDef[] {
  const out: FunctionDef[] = [];
  const scopes: { kind: string; name: string; indent: number; def?: FunctionDef }[] = [];
  let depth = 0;
  let lastCode = 0;
  let continued = false;
  const close = (indent: number): void => {
    while (scopes.length && scopes[scopes.length - 1]!.indent >= indent) {
      const s = scopes.pop()!;
      if (s.def) s.def.endLine = Math.max(s.def.line, lastCode);
    }
  };
  const rows = sk.split('\n');
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const startDepth = depth;
    for (const c of row) {
      if (c === '(' || c === '[' || c === '{') depth++;
      else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    }
    const blankRow = row.trim() === '';
    const continuation = startDepth > 0 || continued;
    continued = /\\\s*$/.test(row);
    if (blankRow) continue;
    if (!continuation) {
      const indent = /^[ \t]*/.exec(row)![0].replace(/\t/g, '        ').length;
      close(indent);
      const m = /^\s*(?:(?:async\s+)?def|(class))\s+([A-Za-z_]\w*)/.exec(row);
      if (m) {
        const name = m[2]!;
        const chain: string[] = [];
        for (let k = scopes.length - 1; k >= 0 && scopes[k]!.kind === 'class'; k--) chain.unshift(scopes[k]!.name);
        const line = r + 1;
        if (m[1]) scopes.push({ kind: 'class', name, indent });
        else {
          const def: FunctionDef = { name, qualifiedName: [...chain, name].join('.'), line, endLine: line };
          out.push(def);
          scopes.push({ kind: 'def', name, indent, def });
        }
      }
    }
    lastCode = r + 1;
  }
  close(-1);
  return out;
}

function scanGo(sk: string, lines: LineMap): FunctionDef[] {
  const out: FunctionDef[] = [];
  for (const m of sk.matchAll(/^func\s*(?:\(([^)]*)\)\s*)?([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*\(/gm)) {
    const close = matchBracket(sk, m.index + m[0].length - 1);
    if (close === -1) continue;
    let body = -1;
    for (let i = close + 1, depth = 0; i < sk.length; i++) {
      const c = sk[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === '\n' && depth === 0) break;
      else if (c === '{') {
        if (/\b(?:interface|struct)\s*$/.test(sk.slice(Math.max(0, i - 12), i))) i = matchBracket(sk, i);
        else { body = i; break; }
        if (i === -1) break;
      }
    }
    if (body === -1) continue;
    const recv = m[1] ? /([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*$/.exec(m[1])?.[1] : undefined;
    const name = m[2]!;
    const end = matchBracket(sk, body);
    out.push({ name, qualifiedName: recv ? `${recv}.${name}` : name, line: lines.lineAt(m.index), endLine: lines.lineAt(end === -1 ? sk.length : end) });
  }
  return out;
}

function scanJava(sk: string, lines: LineMap): FunctionDef[] {
  const depth = braceDepths(sk);
  const classes = classRanges(sk, /\b(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*)/g);
  const out: FunctionDef[] = [];
  for (const m of sk.matchAll(/(?<![\w$.@])([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1]!;
    if (JAVA_NOT_METHODS.has(name) || /\b(?:new|record|class)\s+$/.test(sk.slice(Math.max(0, m.index - 8), m.index))) continue;
    const close = matchBracket(sk, m.index + m[0].length - 1);
    const body = close === -1 ? -1 : bodyAfterParams(sk, close, 'java');
    if (body === -1) continue;
    const end = matchBracket(sk, body);
    const cls = directClass(classes, depth, m.index);
    out.push({ name, qualifiedName: cls ? `${cls}.${name}` : name, line: lines.lineAt(m.index), endLine: lines.lineAt(end === -1 ? sk.length : end) });
  }
  return out;
}

/** Finds the functions and methods in a source file (language chosen by extension). */
export function scanFunctions(file: string, text: string): FunctionDef[] {
  const lang = languageOf(file);
  if (!lang) return [];
  const sk = sourceSkeleton(text, lang);
  const lines = new LineMap(text);
  const defs = lang === 'js' ? scanJs(sk, lines) : lang === 'python' ? scanPython(sk) : lang === 'go' ? scanGo(sk, lines) : scanJava(sk, lines);
  return defs.sort((a, b) => a.line - b.line || a.endLine - b.endLine);
}

interface Located {
  def: FunctionDef;
  file: string;
}

const byPlace = (a: Located, b: Located): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.def.line - b.def.line);

/** Workspace-wide index of scanned functions, looked up by span or frame function names. */
export class FunctionIndex {
  private readonly files = new Map<string, FunctionDef[]>();
  /** Keyed by both `name` and `qualifiedName`. */
  private readonly byKey = new Map<string, Located[]>();

  /** Replaces everything known about `file`. */
  setFile(file: string, defs: FunctionDef[]): void {
    this.removeFile(file);
    const sorted = [...defs].sort((a, b) => a.line - b.line || b.endLine - a.endLine);
    this.files.set(file, sorted);
    for (const def of sorted) {
      for (const key of new Set([def.name, def.qualifiedName])) {
        const list = this.byKey.get(key);
        if (list) list.push({ def, file });
        else this.byKey.set(key, [{ def, file }]);
      }
    }
  }

  /** Forgets `file`. */
  removeFile(file: string): void {
    const old = this.files.get(file);
    if (!old) return;
    this.files.delete(file);
    for (const def of old) {
      for (const key of new Set([def.name, def.qualifiedName])) {
        const rest = (this.byKey.get(key) ?? []).filter((l) => l.file !== file);
        if (rest.length) this.byKey.set(key, rest);
        else this.byKey.delete(key);
      }
    }
  }

  /**
   * Functions called `name`: exact name or qualified name first, then the longest dotted suffix
   * that is a qualified name (`com.example.OrderService.create`), then the last segment
   * (`orders.create_order`). Results are ordered by file, then line.
   */
  findByName(name: string): Located[] {
    // Go frames say `pkg.(*T).Name`; C++/Ruby-style separators become dots.
    const q = name.trim().replace(/\(\*?([\w$]+)\)/g, '$1').replace(/::|#/g, '.').replace(/\(\)$/, '');
    if (!q) return [];
    const exact = this.byKey.get(q);
    if (exact) return [...exact].sort(byPlace);
    const segs = q.split('.').filter((s) => s !== '');
    for (let k = 1; k < segs.length - 1; k++) {
      const suffix = segs.slice(k).join('.');
      const hits = (this.byKey.get(suffix) ?? []).filter((l) => l.def.qualifiedName === suffix);
      if (hits.length) return hits.sort(byPlace);
    }
    const last = segs[segs.length - 1] ?? '';
    return (this.byKey.get(last) ?? []).filter((l) => l.def.name === last).sort(byPlace);
  }

  /** The innermost function in `file` whose lines contain `line`. */
  enclosing(file: string, line: number): FunctionDef | undefined {
    let best: FunctionDef | undefined;
    for (const def of this.files.get(file) ?? []) {
      if (def.line > line) break;
      if (line <= def.endLine && (!best || def.endLine - def.line <= best.endLine - best.line)) best = def;
    }
    return best;
  }
}
