import type { RouteRegistration } from './routeScan';
import { matchBracket, skipSpace, splitArgs } from './sourceLexer';
import type { LineMap, SourceLanguage, Span } from './sourceLexer';

/** What a route scanner reads, and the registrations it finds (without `pattern`, which scanRoutes derives). */
export interface Ctx {
  file: string;
  text: string;
  sk: string;
  lines: LineMap;
  lang: SourceLanguage;
  out: Omit<RouteRegistration, 'pattern'>[];
}

/** Records a registration (ALL/ANY become '*'); scanRoutes adds the pattern. */
export function emit(ctx: Ctx, method: string, route: string, handler: Handler, framework: string): void {
  const m = method.toUpperCase();
  const reg: Omit<RouteRegistration, 'pattern'> = { method: m === 'ALL' || m === 'ANY' ? '*' : m, route, file: ctx.file, line: ctx.lines.lineAt(handler.at), handler: handler.name, framework };
  if (handler.inline && handler.end !== undefined) reg.endLine = ctx.lines.lineAt(handler.end);
  ctx.out.push(reg);
}

/** Joins a prefix and a path the way routers do: exactly one slash between, a leading slash. */
export function joinRoute(prefix: string, path: string): string {
  if (!prefix) return path;
  const p = prefix.startsWith('/') ? prefix : '/' + prefix;
  if (!path) return p;
  return p.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

/** String literal(s) filling `s`: one literal, or an array/tuple/Java array of literals. */
export function readStrings(ctx: Ctx, s: Span): string[] | undefined {
  const { sk, text } = ctx;
  let start = s.start;
  if (ctx.lang === 'python' && /^[rRuU]['"]/.test(sk.slice(start, start + 2))) start++;
  const q = sk[start];
  if (q === '"' || q === "'" || q === '`') {
    const close = sk.indexOf(q, start + 1);
    if (close !== s.end - 1) return undefined;
    const raw = text.slice(start + 1, close);
    if (q === '`' && ctx.lang === 'js' && raw.includes('${')) return undefined;
    return [raw.replace(/\\(.)/g, '$1')];
  }
  if (q === '[' || q === '(' || (q === '{' && ctx.lang === 'java')) {
    const list = splitArgs(sk, start);
    if (!list || list.close !== s.end - 1) return undefined;
    const all: string[] = [];
    for (const a of list.args) {
      const one = readStrings(ctx, a);
      if (!one) return undefined;
      all.push(...one);
    }
    return all;
  }
  return undefined;
}

/** Keyword arguments (`k=v` in Python, `k = v` in Java annotations) and positional ones. */
export function keywordArgs(ctx: Ctx, args: Span[]): { positional: Span[]; named: Map<string, Span> } {
  const positional: Span[] = [];
  const named = new Map<string, Span>();
  for (const a of args) {
    const m = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(ctx.sk.slice(a.start, a.end));
    if (m) named.set(m[1]!, { start: a.start + m[0].length, end: a.end });
    else positional.push(a);
  }
  return { positional, named };
}

/** A registration's handler: named, inline, or the callee of a wrapper call. */
export interface Handler {
  name: string;
  /** Offset the registration's line is taken from. */
  at: number;
  inline: boolean;
  /** Where an inline handler ends (offset just past it). */
  end?: number;
  /** Set when `name` is a call's callee rather than a function reference. */
  wrapper?: boolean;
}

/** True when `s` starts with an arrow function: `async (req: Req): T => ...` or `ctx => ...`. */
function isArrow(sk: string, s: Span): boolean {
  let i = s.start;
  if (/^async\b/.test(sk.slice(i, i + 6))) i = skipSpace(sk, i + 5);
  if (sk[i] === '(') {
    const close = matchBracket(sk, i);
    if (close === -1 || close >= s.end) return false;
    i = close + 1;
  } else {
    const id = /^[A-Za-z_$][\w$]*/.exec(sk.slice(i, i + 100));
    if (!id) return false;
    i += id[0].length;
  }
  return /^\s*(?::[^=]*)?=>/.test(sk.slice(i, Math.min(s.end, i + 200)));
}

/** Describes a JS handler argument: a reference, an inline function, or a wrapper call around either (Go: routeHandlerGo). */
export function describeHandler(ctx: Ctx, s: Span): Handler | undefined {
  const { sk } = ctx;
  const src = sk.slice(s.start, s.end);
  if (/^['"`\d]/.test(src) || src.startsWith('{')) return undefined;
  const fn = /^(?:async\s+)?function\b\s*\*?\s*([A-Za-z_$][\w$]*)?/.exec(src);
  if (fn) return { name: fn[1] ?? '', at: s.start, inline: true, end: s.end };
  if (isArrow(sk, s)) return { name: '', at: s.start, inline: true, end: s.end };
  if (src.startsWith('[')) {
    const items = splitArgs(sk, s.start)?.args ?? [];
    return items.length ? describeHandler(ctx, items[items.length - 1]!) : undefined;
  }
  const chain = /^&?\s*((?:this\s*\.\s*)?[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*/.exec(src);
  if (!chain) return undefined;
  const name = chain[1]!.replace(/\s+/g, '').replace(/^this\./, '');
  const rest = src.slice(chain[0].length);
  if (rest === '') return { name, at: s.start, inline: false };
  if (rest.startsWith('(')) {
    const open = s.start + chain[0].length;
    const call = splitArgs(sk, open);
    if (!call) return undefined;
    if (name.endsWith('.bind')) return { name: name.slice(0, -5), at: s.start, inline: false };
    // A wrapper around a handler (`asyncHandler(fn)`, `http.HandlerFunc(f)`) names the handler;
    // when nothing inside is a function or a reference, the outermost call is the best name.
    const last = call.args[call.args.length - 1];
    const inner = last ? describeHandler(ctx, last) : undefined;
    return inner && !inner.wrapper ? inner : { name, at: s.start, inline: false, wrapper: true };
  }
  return undefined;
}

const MODIFIERS = /^(?:public|private|protected|static|async|override|readonly|abstract|final|synchronized|default)$/;

/** The method name after decorators/annotations and modifiers, or undefined if a class/field follows. */
export function methodAfterDecorators(sk: string, i: number): { name: string; at: number } | undefined {
  for (;;) {
    i = skipSpace(sk, i);
    if (sk[i] === '@') {
      const m = /^@\s*[\w$.]+\s*/.exec(sk.slice(i, i + 200));
      if (!m) return undefined;
      i += m[0].length;
      if (sk[i] === '(') i = matchBracket(sk, i) + 1;
      if (i === 0) return undefined;
      continue;
    }
    const w = /^[A-Za-z_$][\w$]*/.exec(sk.slice(i, i + 100))?.[0];
    if (!w) return undefined;
    if (MODIFIERS.test(w)) {
      i += w.length;
      continue;
    }
    if (/^(?:class|interface|enum|record)$/.test(w)) return undefined;
    // Java return types come before the name: the name is the last word before `(`.
    const head = /^[\w$<>[\],.?\s]*?([A-Za-z_$][\w$]*)\s*\(/.exec(sk.slice(i, i + 300));
    if (!head || /[;={}]/.test(head[0])) return undefined;
    return { name: head[1]!, at: i + head[0].lastIndexOf(head[1]!) };
  }
}
