import { matchBracket, skipSpace } from './sourceLexer';
import type { SourceLanguage } from './sourceLexer';

/** Brace depth before each offset: depth[i] counts `{` minus `}` in sk[0..i). */
export function braceDepths(sk: string): Int32Array {
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

/** A class-like body: its name and the offsets of its braces. */
export interface ClassRange {
  name: string;
  open: number;
  close: number;
}

/** Innermost class whose body directly holds offset p (not through a nested function). */
export function directClass(classes: ClassRange[], depth: Int32Array, p: number): string | undefined {
  let best: ClassRange | undefined;
  for (const c of classes) if (c.open < p && p < c.close && (!best || c.open > best.open)) best = c;
  return best && depth[p] === depth[best.open]! + 1 ? best.name : undefined;
}

/** Bodies of the classes whose names `re` captures in group 1 (declarations without a body skipped). */
export function classRanges(sk: string, re: RegExp): ClassRange[] {
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
export function bodyAfterParams(sk: string, close: number, lang: SourceLanguage): number {
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
