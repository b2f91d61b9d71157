import { bodyAfterParams, braceDepths, classRanges, directClass } from './braceScopes';
import type { FunctionDef } from './functionScan';
import { matchBracket, skipSpace } from './sourceLexer';
import type { LineMap } from './sourceLexer';

const JS_NOT_METHODS = new Set(['if', 'for', 'while', 'switch', 'catch', 'with', 'function', 'return', 'typeof', 'new', 'await', 'yield', 'super', 'import', 'do', 'else']);

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
    else if (c === ')' || c === ']' || c === '}') {
      if (--depth < 0) return i - 1;
    } else if (depth === 0 && (c === ';' || c === ',')) return i - 1;
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
    for (; j >= 0; j--) {
      if (sk[j] === '>') depth++;
      else if (sk[j] === '<' && --depth === 0) break;
    }
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

/** Tracks the innermost open bracket while offsets are visited in increasing order (linear overall). */
class OpenBrackets {
  private readonly stack: number[] = [];
  private cursor = 0;
  constructor(private readonly sk: string) {}
  /** Offsets of the innermost bracket open at p and of the one around it (-1 when none). */
  at(p: number): [number, number] {
    for (; this.cursor < p; this.cursor++) {
      const c = this.sk[this.cursor];
      if (c === '(' || c === '[' || c === '{') this.stack.push(this.cursor);
      else if (c === ')' || c === ']' || c === '}') this.stack.pop();
    }
    const n = this.stack.length;
    return [n ? this.stack[n - 1]! : -1, n > 1 ? this.stack[n - 2]! : -1];
  }
}

/**
 * True when the `=`/`:` whose innermost open bracket is `open` sits in a block or at top level
 * (for `:`, in an object literal), which rules out parameter defaults, parameter types and
 * interface members.
 */
function valueContext(sk: string, [open, outer]: [number, number], colon: boolean): boolean {
  if (open < 0) return !colon;
  if (sk[open] !== '{') return false;
  if (!colon) return true;
  const before = sk.slice(Math.max(0, open - 40), open);
  if (/\btype\s+[\w$]+\s*(?:<[^>]*>)?\s*=\s*$/.test(before)) return false;
  // `(opts: { retry: ... })` is a parameter's type, not a value.
  if (/:\s*$/.test(before) && sk[outer] === '(') return false;
  return /(?:[=(,:[?]|\breturn|\bdefault)\s*$/.test(before);
}

/** Finds JS/TS functions and methods in a skeleton. */
export function scanJsFunctions(sk: string, lines: LineMap): FunctionDef[] {
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
  const brackets = new OpenBrackets(sk);
  for (const m of sk.matchAll(/(?<![=!<>])=(?![=>])|:/g)) {
    const open = brackets.at(m.index);
    const fn = functionValueEnd(sk, m.index + 1);
    if (!fn) continue;
    const name = assignedName(sk, m.index);
    if (!name || !valueContext(sk, open, sk[m.index] === ':')) continue;
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
