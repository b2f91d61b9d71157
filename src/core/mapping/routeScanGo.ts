import { emit, joinRoute, readStrings } from './routeScanCommon';
import type { Ctx } from './routeScanCommon';
import { enclosingDecl, goFuncDecls } from './goDecls';
import type { GoFuncDecl } from './goDecls';
import { describeGoHandler } from './routeHandlerGo';
import type { GoFileInfo } from './routeHandlerGo';
import { matchBracket, splitArgs, wordBefore } from './sourceLexer';
import type { Span } from './sourceLexer';

const GO_CALL = /\.\s*(HandleFunc|Handle|Get|Post|Put|Delete|Patch|Head|Options|Connect|Trace|GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|CONNECT|TRACE|Any|Match|Add|Method|MethodFunc|Route|Group|Mount)\s*\(/g;
const HTTP_METHODS = /^(?:GET|HEAD|POST|PUT|PATCH|DELETE|CONNECT|OPTIONS|TRACE)$/;

type Lib = 'chi' | 'gin' | 'echo' | 'gorilla/mux' | '';

/** A call that gives the routes below it a path prefix: a chi Route body, a mounted sub-router function, or a group variable. */
interface Prefixer {
  /** Offset of the call, and the receiver it was made on (its own prefix comes first). */
  at: number;
  recv: string;
  path: string;
  /** Body this prefix covers (Route/Mount), or the variable it names within `start..end` (Group). */
  start: number;
  end: number;
  variable?: string;
}

/** One `.Verb(` call with its receiver (after `.With(...)`/`.Group("/x")` chains) and arguments. */
interface GoCall {
  at: number;
  verb: string;
  recv: string;
  /** Prefix contributed by a chained `.Group("/x")` between the receiver and the verb. */
  chained: string;
  args: Span[];
  close: number;
}

/** net/http (Go 1.22 patterns), chi, gin, echo and gorilla/mux registrations, with Route/Mount/Group prefixes. */
export function scanGoRoutes(ctx: Ctx): void {
  const { sk, text } = ctx;
  const lib: Lib = /"github\.com\/go-chi\/chi/.test(text)
    ? 'chi'
    : /"github\.com\/gin-gonic\/gin"/.test(text)
      ? 'gin'
      : /"github\.com\/labstack\/echo/.test(text)
        ? 'echo'
        : /"github\.com\/gorilla\/mux"/.test(text)
          ? 'gorilla/mux'
          : '';
  const info: GoFileInfo = { decls: goFuncDecls(sk) };
  const calls = [...sk.matchAll(GO_CALL)].map((m) => goCall(ctx, m)).filter((c): c is GoCall => c !== undefined);
  const prefixers = collectPrefixers(ctx, calls, info.decls, lib);
  const prefixAt = prefixResolver(prefixers);
  const muxes = new Map<string, boolean>();
  const isMux = (recv: string): boolean => {
    if (!muxes.has(recv)) muxes.set(recv, recv === 'http' || isServeMux(sk, recv));
    return muxes.get(recv)!;
  };
  for (const c of calls) {
    if (c.verb === 'Group' || c.verb === 'Route' || c.verb === 'Mount') continue;
    const reg = registration(ctx, c, lib, isMux(c.recv));
    if (!reg) continue;
    const handler = describeGoHandler(ctx, reg.handlerArg, info);
    if (!handler) continue;
    const full = joinRoute(joinRoute(prefixAt(c.at, c.recv), c.chained), reg.path);
    for (const method of reg.methods) emit(ctx, method, full || '/', handler, reg.framework);
  }
}

function goCall(ctx: Ctx, m: RegExpMatchArray): GoCall | undefined {
  const { sk } = ctx;
  let chained = '';
  let dot = m.index!;
  // `r.With(mw).Get(...)` (chi) and `r.Group("/x").GET(...)` (gin, echo) register on `r`.
  for (let guard = 0; sk[dot - 1] === ')' && guard < 8; guard++) {
    const open = openingParen(sk, dot - 1);
    const link = open === -1 ? null : /\.\s*(With|Group|Use)\s*$/.exec(sk.slice(Math.max(0, open - 40), open));
    if (!link) return undefined;
    if (link[1] === 'Group') {
      const args = splitArgs(sk, open);
      const path = args?.args[0] ? readStrings(ctx, args.args[0])?.[0] : undefined;
      if (path === undefined) return undefined;
      chained = joinRoute(path, chained);
    }
    dot = open - link[0].length;
  }
  const word = wordBefore(sk, dot);
  const call = splitArgs(sk, m.index! + m[0].length - 1);
  if (!word || !call || call.args.length === 0) return undefined;
  return { at: m.index!, verb: m[1]!, recv: word.name, chained, args: call.args, close: call.close };
}

function openingParen(sk: string, close: number): number {
  // Bounded: a chain link is a short call; an unbalanced skeleton must not make this quadratic.
  for (let i = close, depth = 0; i >= Math.max(0, close - 2000); i--) {
    const c = sk[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if ((c === '(' || c === '[' || c === '{') && --depth === 0) return c === '(' ? i : -1;
  }
  return -1;
}

/** Route bodies (chi), same-file sub-router functions mounted under a path (chi), and group variables (gin, echo, chi). */
function collectPrefixers(ctx: Ctx, calls: GoCall[], decls: GoFuncDecl[], lib: Lib): Prefixer[] {
  const { sk } = ctx;
  const out: Prefixer[] = [];
  for (const c of calls) {
    if (c.verb !== 'Group' && c.verb !== 'Route' && c.verb !== 'Mount') continue;
    const path = readStrings(ctx, c.args[0]!)?.[0];
    if (path === undefined || (lib !== 'gin' && lib !== 'echo' && !path.startsWith('/'))) continue;
    const full = joinRoute(c.chained, path);
    if (c.verb === 'Route') {
      const fn = c.args[1];
      const open = fn && /^func\s*\(/.test(sk.slice(fn.start, fn.end)) ? sk.indexOf('{', sk.indexOf(')', fn.start)) : -1;
      if (open !== -1 && open < fn!.end) out.push({ at: c.at, recv: c.recv, path: full, start: open, end: matchBracket(sk, open) });
    } else if (c.verb === 'Mount') {
      const target = c.args[1] ? sk.slice(c.args[1].start, c.args[1].end) : '';
      const callee = /(?:^|\.)\s*([A-Za-z_]\w*)\s*\(\s*[\s\S]*\)$/.exec(target)?.[1];
      const sub = /^[A-Za-z_]\w*$/.test(target) ? undefined : decls.find((d) => d.name === callee);
      if (sub) out.push({ at: c.at, recv: c.recv, path: full, start: sub.open, end: sub.close });
      else if (/^[A-Za-z_]\w*$/.test(target)) out.push(groupVar(c, target, full, decls, sk));
    } else {
      const lhs = /([A-Za-z_]\w*)\s*:?=\s*$/.exec(sk.slice(Math.max(0, c.at - 200), wordStart(sk, c.at)));
      if (lhs) out.push(groupVar(c, lhs[1]!, full, decls, sk));
    }
  }
  // gorilla/mux: `s := r.PathPrefix("/api").Subrouter()`.
  for (const m of sk.matchAll(/([A-Za-z_]\w*)\s*:?=\s*([A-Za-z_]\w*)\s*\.\s*PathPrefix\s*\(/g)) {
    const args = splitArgs(sk, m.index + m[0].length - 1);
    const path = args?.args[0] ? readStrings(ctx, args.args[0])?.[0] : undefined;
    if (!args || path === undefined || !/^\s*\.\s*Subrouter\s*\(/.test(sk.slice(args.close + 1, args.close + 40))) continue;
    out.push(groupVar({ at: m.index + m[0].length, verb: 'PathPrefix', recv: m[2]!, chained: '', args: args.args, close: args.close }, m[1]!, path, decls, sk));
  }
  return out;
}

function wordStart(sk: string, dot: number): number {
  return wordBefore(sk, dot)?.start ?? dot;
}

/** A variable holding a prefixed router, visible in the function that declares it. */
function groupVar(c: GoCall, variable: string, path: string, decls: GoFuncDecl[], sk: string): Prefixer {
  const encl = enclosingDecl(decls, c.at);
  return { at: c.at, recv: c.recv, path, start: encl?.open ?? 0, end: encl?.close ?? sk.length, variable };
}

/** Prefix in force for a call on `recv` at `at`: its group variable's, else the innermost Route/Mount body's, recursively. */
function prefixResolver(prefixers: Prefixer[]): (at: number, recv: string) => string {
  const resolve = (at: number, recv: string, depth: number): string => {
    if (depth > 16) return '';
    const inside = prefixers.filter((p) => p.start < at && at < p.end && p.at !== at);
    // The latest assignment before the call wins (`g = r.Group("/b")` after `g := r.Group("/a")`).
    const named = inside.filter((p) => p.variable === recv);
    const group = named.filter((p) => p.at < at).pop() ?? named[0];
    if (group) return joinRoute(resolve(group.at, group.recv, depth + 1), group.path);
    const body = inside.filter((p) => p.variable === undefined).sort((a, b) => b.start - a.start)[0];
    return body ? joinRoute(resolve(body.at, body.recv, depth + 1), body.path) : '';
  };
  return (at, recv) => resolve(at, recv, 0);
}

/** Methods named by an argument: a literal, `http.MethodGet`, or `[]string{...}` of either. */
function methodsOf(ctx: Ctx, s: Span): string[] | undefined {
  const src = ctx.sk.slice(s.start, s.end);
  const constant = /^http\s*\.\s*Method([A-Z][a-z]+)$/.exec(src);
  if (constant) return [constant[1]!.toUpperCase()];
  const list = /^\[\]\s*string\s*\{/.exec(src);
  if (list) {
    const items = splitArgs(ctx.sk, s.start + list[0].length - 1);
    const all = items?.args.map((a) => methodsOf(ctx, a));
    return all && all.every((x) => x !== undefined) ? (all.flat() as string[]) : undefined;
  }
  const lit = readStrings(ctx, s);
  return lit?.length === 1 && HTTP_METHODS.test(lit[0]!.toUpperCase()) ? [lit[0]!.toUpperCase()] : lit?.length === 1 && /^(?:ANY|ALL|\*)$/i.test(lit[0]!) ? ['*'] : undefined;
}

/** Method(s), path, handler argument and framework of a registration call, or undefined for anything else. */
function registration(ctx: Ctx, c: GoCall, lib: Lib, netHttp: boolean): { methods: string[]; path: string; handlerArg: Span; framework: string } | undefined {
  const { sk } = ctx;
  const strs = c.args.map((a) => readStrings(ctx, a)?.[0]);
  const explicit = c.verb === 'Method' || c.verb === 'MethodFunc' || c.verb === 'Add' || c.verb === 'Match' || (c.verb === 'Handle' && c.args.length >= 3 && methodsOf(ctx, c.args[0]!) !== undefined);
  let methods = explicit ? methodsOf(ctx, c.args[0]!) : c.verb === 'HandleFunc' || c.verb === 'Handle' || c.verb === 'Any' ? ['*'] : [c.verb.toUpperCase()];
  const pathIdx = explicit ? 1 : 0;
  let path = strs[pathIdx];
  // Handlers are never string literals: that shape is a client call like `c.Post(url, "text/plain", body)`.
  if (!methods || path === undefined || c.args.length < pathIdx + 2 || strs.slice(pathIdx + 1).some((x) => x !== undefined)) return undefined;
  const upper = /^[A-Z]+$/.test(c.verb) || c.verb === 'Any' || c.verb === 'Match' || c.verb === 'Add';
  const framework = netHttp ? 'net/http' : upper ? (lib === 'echo' ? 'echo' : 'gin') : c.verb.startsWith('Handle') && lib !== 'chi' && lib !== 'gorilla/mux' && lib !== 'gin' ? 'net/http' : lib || 'net/http';
  if (c.verb === 'Handle' || c.verb === 'HandleFunc') {
    // Go 1.22 patterns (chi accepts them too): "[METHOD ][HOST]/PATH".
    const pat = explicit ? /^()()(\/.*)$/.exec(path) : /^(?:([A-Za-z]+)[ \t]+)?([^/\s]*)(\/.*)$/.exec(path);
    if (!pat) return undefined;
    if (pat[1]) methods = [pat[1].toUpperCase()];
    path = pat[3]!;
  } else if (!path.startsWith('/') && !(upper && (framework === 'gin' || framework === 'echo'))) return undefined; // gin and echo join relative paths
  if (!/^[\w\-.~:*{}$<>()[\]+?,@!=/%]*$/.test(path)) return undefined;
  const handlerArg = framework === 'echo' ? c.args[pathIdx + 1]! : c.args[c.args.length - 1]!;
  const chainedMethods = /^\s*\.\s*Methods\s*\(/.exec(sk.slice(c.close + 1, c.close + 100));
  if (chainedMethods) {
    const open = c.close + 1 + chainedMethods[0].length - 1;
    const list = splitArgs(sk, open);
    const ms = list?.args.map((a) => methodsOf(ctx, a));
    if (ms && ms.length && ms.every((x) => x !== undefined)) methods = ms.flat() as string[];
  }
  return { methods, path, handlerArg, framework };
}

/** True when `recv` is declared in the file as a standard library ServeMux. */
function isServeMux(sk: string, recv: string): boolean {
  if (!/\bhttp\s*\.\s*(?:NewServeMux|ServeMux)\b/.test(sk)) return false;
  const name = recv.replace(/\$/g, '');
  return new RegExp(`\\b${name}\\s*:?=\\s*(?:&\\s*)?http\\.(?:NewServeMux\\s*\\(|ServeMux\\s*\\{)|\\b${name}\\s+\\*?\\s*http\\.ServeMux\\b|\\bvar\\s+${name}\\s*=\\s*http\\.NewServeMux`).test(sk);
}
