/**
 * Route registrations found by cheap regex scans over a source skeleton (see functionScan).
 *
 * Line rule: `line` is where the handler is written. For decorated handlers (NestJS, Flask,
 * FastAPI, Spring) that is the def/method name line; for an inline function (`app.get('/x',
 * async (req, res) => {`) the line where that function starts; for a named handler
 * (`r.Get("/x", listItems)`) the line of that name in the registration.
 */
import { LineMap, languageOf, matchBracket, skipSpace, sourceSkeleton, splitArgs } from './functionScan';
import type { SourceLanguage, Span } from './functionScan';

/** One route registration found in a source file. */
export interface RouteRegistration {
  /** Upper-case, or '*' for any method. */
  method: string;
  /** As written, prefixes joined. */
  route: string;
  /** `normalizeRoute(route)`. */
  pattern: string;
  file: string;
  /** 1-based line of the handler's registration (see the line rule above). */
  line: number;
  /** Handler function name, or '' for an anonymous inline handler. */
  handler: string;
  framework: string;
}

/** Turns every parameter syntax into `{}` and wildcards into `{*}` so routes from any framework compare. */
export function normalizeRoute(route: string): string {
  const segs = route.trim().split('/').map(normalizeSegment).filter((s) => s !== '');
  return '/' + segs.join('/');
}

function normalizeSegment(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; ) {
    const c = seg[i]!;
    if (c === '{') {
      let depth = 0;
      let j = i;
      for (; j < seg.length; j++) { if (seg[j] === '{') depth++; else if (seg[j] === '}' && --depth === 0) break; }
      const inner = seg.slice(i + 1, j).trim();
      // `{$}` (Go) only anchors the end; `{*p}` (Spring), `{p...}` (Go), `{p:path}` (Starlette) span segments.
      if (inner !== '$') out += inner.startsWith('*') || inner.endsWith('...') || /:\s*path$/.test(inner) ? '{*}' : '{}';
      i = j + 1;
    } else if (c === '<' && seg.indexOf('>', i) !== -1) {
      const j = seg.indexOf('>', i);
      out += /^path:/.test(seg.slice(i + 1, j)) ? '{*}' : '{}';
      i = j + 1;
    } else if (c === ':' && /[A-Za-z_$]/.test(seg[i + 1] ?? '') && (i === 0 || seg[i - 1] === '-' || seg[i - 1] === '.')) {
      let j = i + 1;
      while (j < seg.length && /[\w$]/.test(seg[j]!)) j++;
      if (seg[j] === '(') {
        let depth = 0;
        for (; j < seg.length; j++) { if (seg[j] === '(') depth++; else if (seg[j] === ')' && --depth === 0) break; }
        j++;
      }
      const mod = seg[j];
      out += mod === '*' || mod === '+' ? '{*}' : '{}';
      i = mod === '?' || mod === '*' || mod === '+' ? j + 1 : j;
    } else if (c === '*') {
      let j = i;
      while (seg[j] === '*') j++;
      while (j < seg.length && /[\w$]/.test(seg[j]!)) j++;
      out += '{*}';
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Joins a prefix and a path the way routers do: exactly one slash between, a leading slash. */
function joinRoute(prefix: string, path: string): string {
  if (!prefix) return path;
  const p = prefix.startsWith('/') ? prefix : '/' + prefix;
  if (!path) return p;
  return p.replace(/\/+$/, '') + '/' + path.replace(/^\/+/, '');
}

/** Scans one file for route registrations (language chosen by extension). */
export function scanRoutes(file: string, text: string): RouteRegistration[] {
  const lang = languageOf(file);
  if (!lang) return [];
  const ctx: Ctx = { file, text, sk: sourceSkeleton(text, lang), lines: new LineMap(text), lang, out: [] };
  if (lang === 'js') scanJs(ctx);
  else if (lang === 'python') scanPython(ctx);
  else if (lang === 'java') scanSpring(ctx);
  else scanGo(ctx);
  return ctx.out.sort((a, b) => a.line - b.line);
}

interface Ctx {
  file: string;
  text: string;
  sk: string;
  lines: LineMap;
  lang: SourceLanguage;
  out: RouteRegistration[];
}

function emit(ctx: Ctx, method: string, route: string, handler: Handler, framework: string): void {
  const m = method.toUpperCase();
  ctx.out.push({ method: m === 'ALL' || m === 'ANY' ? '*' : m, route, pattern: normalizeRoute(route), file: ctx.file, line: ctx.lines.lineAt(handler.at), handler: handler.name, framework });
}

/** String literal(s) filling `s`: one literal, or an array/tuple/Java array of literals. */
function readStrings(ctx: Ctx, s: Span): string[] | undefined {
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
function keywordArgs(ctx: Ctx, args: Span[]): { positional: Span[]; named: Map<string, Span> } {
  const positional: Span[] = [];
  const named = new Map<string, Span>();
  for (const a of args) {
    const m = /^([A-Za-z_]\w*)\s*=(?!=)\s*/.exec(ctx.sk.slice(a.start, a.end));
    if (m) named.set(m[1]!, { start: a.start + m[0].length, end: a.end });
    else positional.push(a);
  }
  return { positional, named };
}

interface Handler {
  name: string;
  /** Offset the registration's line is taken from. */
  at: number;
  inline: boolean;
  /** Set when `name` is a call's callee rather than a function reference. */
  wrapper?: boolean;
}

/** Describes a handler argument: a reference, an inline function, or a wrapper call around either. */
function describeHandler(ctx: Ctx, s: Span): Handler | undefined {
  const { sk } = ctx;
  const src = sk.slice(s.start, s.end);
  if (/^['"`\d]/.test(src) || src.startsWith('{')) return undefined;
  const fn = /^(?:async\s+)?function\b\s*\*?\s*([A-Za-z_$][\w$]*)?/.exec(src);
  if (fn) return { name: fn[1] ?? '', at: s.start, inline: true };
  if (/^func\s*\(/.test(src) || /^(?:async\s*)?(?:\([^]*?\)|[A-Za-z_$][\w$]*)\s*(?::[^=]*)?=>/.test(src)) return { name: '', at: s.start, inline: true };
  if (src.startsWith('[')) {
    const items = splitArgs(sk, s.start)?.args ?? [];
    return items.length ? describeHandler(ctx, items[items.length - 1]!) : undefined;
  }
  const chain = /^&?\s*((?:this\s*\.\s*)?[A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*/.exec(src);
  if (!chain) return undefined;
  const name = chain[1]!.replace(/\s+/g, '').replace(/^this\./, '');
  const rest = src.slice(chain[0].length);
  if (rest === '') return { name, at: s.start, inline: false };
  if (ctx.lang === 'go' && rest.startsWith('{')) return { name: `${name.split('.').pop()}.ServeHTTP`, at: s.start, inline: false };
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

/** Properties of the object literal filling `s`: `k: v`, shorthand `k`, method `k(...) {}`. */
function objectProps(ctx: Ctx, s: Span): Map<string, Span> {
  const props = new Map<string, Span>();
  if (ctx.sk[s.start] !== '{') return props;
  for (const p of splitArgs(ctx.sk, s.start)?.args ?? []) {
    const piece = ctx.sk.slice(p.start, p.end);
    const m = /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*(:|\(|$)/.exec(piece);
    if (!m) continue;
    if (m[2] === ':') props.set(m[1]!, { start: skipSpace(ctx.sk, p.start + m[0].length), end: p.end });
    else if (m[2] === '(') props.set(m[1]!, { start: p.start, end: p.end });
    else props.set(m[1]!, p);
  }
  return props;
}

const JS_METHODS = 'get|post|put|delete|del|patch|head|options|all';
const JS_METHOD_NAME = new RegExp(`^(?:${JS_METHODS})$`);
const CLIENT_NAMES = /^(?:axios|got|ky|superagent|request|fetch|http|https|\$http|client|httpClient|cache|redis|map|store|storage|session|headers|params|config|settings)$/;
const SERVER_NAMES = /^(?:app|router|server|fastify|instance|api|routes?)$|(?:Router|App|Server|Routes|Api)$/;

function jsReceivers(ctx: Ctx): Map<string, { server: boolean; prefix: string }> {
  const out = new Map<string, { server: boolean; prefix: string }>();
  for (const m of ctx.sk.matchAll(/\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=([^;\n]*)/g)) {
    const rhs = m[2]!;
    const server = /\b(?:express|[Ff]astify|Koa|Hono|polka|[A-Za-z]*Router)\s*\(/.test(rhs);
    const client = /\b(?:axios|got|ky|superagent)\b|\.create\s*\(|\bnew\s+(?:Map|WeakMap|Set|URLSearchParams|Headers|FormData)\b/.test(rhs);
    if (!server && !client) continue;
    const from = m.index + m[0].length - rhs.length;
    const prefix = /\bprefix\s*:\s*(['"`])([^'"`]*)\1/.exec(ctx.text.slice(from, from + rhs.length))?.[2] ?? '';
    out.set(m[1]!, { server: server && !client, prefix });
  }
  return out;
}

function scanJs(ctx: Ctx): void {
  const { sk, text } = ctx;
  const framework = /['"](?:@koa\/router|koa-router)['"]/.test(text) ? 'koa'
    : /['"]@hapi\/hapi['"]/.test(text) ? 'hapi'
    : /['"]fastify['"]|\bFastify[A-Z]\w*|\bfastify\s*\./.test(text) ? 'fastify' : 'express';
  const receivers = jsReceivers(ctx);
  const serverLike = (name: string): boolean => receivers.get(name)?.server ?? (!CLIENT_NAMES.test(name) && SERVER_NAMES.test(name));
  const isPath = (p: string): boolean => p.startsWith('/') || p === '*';

  // app.get('/x', ...handlers) / router.post(...) / fastify.get('/x', opts, handler)
  for (const m of sk.matchAll(new RegExp(`(?<![\\w$])([A-Za-z_$][\\w$]*)\\s*\\.\\s*(${JS_METHODS})\\s*\\(`, 'g'))) {
    if (!serverLike(m[1]!)) continue;
    const call = splitArgs(sk, m.index + m[0].length - 1);
    if (!call || call.args.length < 2) continue;
    let paths = readStrings(ctx, call.args[0]!);
    if (paths && !paths.every(isPath) && call.args.length >= 3) paths = readStrings(ctx, call.args[1]!); // koa named route
    if (!paths || !paths.every(isPath)) continue;
    let last = call.args[call.args.length - 1]!;
    if (sk[last.start] === '{') {
      const h = objectProps(ctx, last).get('handler');
      if (!h) continue;
      last = h;
    }
    const handler = describeHandler(ctx, last);
    if (!handler) continue;
    const prefix = receivers.get(m[1]!)?.prefix ?? '';
    for (const p of paths) emit(ctx, m[2] === 'del' ? 'DELETE' : m[2]!, joinRoute(prefix, p), handler, framework);
  }

  // app.route('/x').get(h).post(h2)  and  fastify.route({ method, url, handler })
  for (const m of sk.matchAll(/(?<![\w$])([A-Za-z_$][\w$]*)\s*\.\s*route\s*\(/g)) {
    if (!serverLike(m[1]!)) continue;
    const call = splitArgs(sk, m.index + m[0].length - 1);
    const first = call?.args[0];
    if (!call || !first) continue;
    if (sk[first.start] === '{') {
      const props = objectProps(ctx, first);
      const url = props.get('url') ?? props.get('path');
      const methods = props.get('method') ? readStrings(ctx, props.get('method')!) : undefined;
      const paths = url ? readStrings(ctx, url) : undefined;
      const h = props.get('handler');
      const handler = h ? describeHandler(ctx, h) : undefined;
      if (!paths?.length || !methods || !handler) continue;
      for (const method of methods) emit(ctx, method, paths[0]!, handler, framework);
      continue;
    }
    const paths = readStrings(ctx, first);
    if (!paths || !paths.every(isPath)) continue;
    for (let i = call.close + 1; ; ) {
      const link = /^\s*\.\s*([A-Za-z_$][\w$]*)\s*\(/.exec(sk.slice(i, i + 200));
      if (!link) break;
      const open = i + link[0].length - 1;
      const args = splitArgs(sk, open);
      if (!args) break;
      const last = args.args[args.args.length - 1];
      const handler = last && JS_METHOD_NAME.test(link[1]!) ? describeHandler(ctx, last) : undefined;
      if (handler) for (const p of paths) emit(ctx, link[1] === 'del' ? 'DELETE' : link[1]!, p, handler, framework);
      i = args.close + 1;
    }
  }

  scanNest(ctx);
}

function scanNest(ctx: Ctx): void {
  const { sk } = ctx;
  for (const c of sk.matchAll(/@(?:Controller|JsonController)\s*\(/g)) {
    const call = splitArgs(sk, c.index + c[0].length - 1);
    if (!call) continue;
    const arg = call.args[0];
    const prefixSpan = arg && sk[arg.start] === '{' ? objectProps(ctx, arg).get('path') : arg;
    const prefix = prefixSpan ? readStrings(ctx, prefixSpan)?.[0] ?? '' : '';
    const cls = /\bclass\b[^{]*\{/.exec(sk.slice(call.close));
    if (!cls) continue;
    const open = call.close + cls.index + cls[0].length - 1;
    const end = matchBracket(sk, open);
    const body = sk.slice(0, end === -1 ? sk.length : end);
    const re = /@(Get|Post|Put|Delete|Patch|Options|Head|All|Search)\s*\(/g;
    re.lastIndex = open;
    for (let d = re.exec(body); d; d = re.exec(body)) {
      const args = splitArgs(sk, d.index + d[0].length - 1);
      if (!args) continue;
      const paths = args.args.length ? readStrings(ctx, args.args[0]!) : [''];
      const method = methodAfterDecorators(sk, args.close + 1);
      if (!paths || !method) continue;
      for (const p of paths) emit(ctx, d[1]!, joinRoute(prefix, p) || '/', { name: method.name, at: method.at, inline: false }, 'nestjs');
    }
  }
}

const MODIFIERS = /^(?:public|private|protected|static|async|override|readonly|abstract|final|synchronized|default)$/;

/** The method name after decorators/annotations and modifiers, or undefined if a class/field follows. */
function methodAfterDecorators(sk: string, i: number): { name: string; at: number } | undefined {
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
    if (MODIFIERS.test(w)) { i += w.length; continue; }
    if (/^(?:class|interface|enum|record)$/.test(w)) return undefined;
    // Java return types come before the name: the name is the last word before `(`.
    const head = /^[\w$<>[\],.?\s]*?([A-Za-z_$][\w$]*)\s*\(/.exec(sk.slice(i, i + 300));
    if (!head || /[;={}]/.test(head[0])) return undefined;
    return { name: head[1]!, at: i + head[0].lastIndexOf(head[1]!) };
  }
}

function scanPython(ctx: Ctx): void {
  const { sk, text } = ctx;
  const fileFramework = /^\s*(?:from|import)\s+fastapi\b/m.test(text) ? 'fastapi' : /^\s*(?:from|import)\s+flask\b/m.test(text) ? 'flask' : '';
  const receivers = new Map<string, { framework: string; prefix: string }>();
  for (const m of sk.matchAll(/^[ \t]*([A-Za-z_]\w*)\s*(?::[^=\n]*)?=\s*(?:[A-Za-z_]\w*\.)?(FastAPI|APIRouter|Flask|Blueprint)\s*\(/gm)) {
    const call = splitArgs(sk, m.index + m[0].length - 1);
    const named = call ? keywordArgs(ctx, call.args).named : new Map<string, Span>();
    const p = named.get('prefix') ?? named.get('url_prefix');
    const framework = m[2] === 'FastAPI' || m[2] === 'APIRouter' ? 'fastapi' : 'flask';
    receivers.set(m[1]!, { framework, prefix: (p && readStrings(ctx, p)?.[0]) ?? '' });
  }
  const defRe = /^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/gm;
  for (const m of sk.matchAll(/^[ \t]*@[ \t]*([A-Za-z_]\w*)\s*\.\s*(route|api_route|get|post|put|delete|patch|head|options|trace)\s*\(/gm)) {
    const call = splitArgs(sk, m.index + m[0].length - 1);
    if (!call) continue;
    const { positional, named } = keywordArgs(ctx, call.args);
    const pathSpan = positional[0] ?? named.get('rule') ?? named.get('path');
    const path = pathSpan ? readStrings(ctx, pathSpan)?.[0] : undefined;
    if (path === undefined || !path.startsWith('/')) continue;
    const ms = named.get('methods');
    const methods = ms ? readStrings(ctx, ms) : m[2] === 'route' || m[2] === 'api_route' ? ['GET'] : [m[2]!];
    defRe.lastIndex = call.close;
    const def = defRe.exec(sk);
    if (!methods || !def) continue;
    const recv = receivers.get(m[1]!);
    const framework = recv?.framework || fileFramework || (m[2] === 'route' || path.includes('<') ? 'flask' : 'fastapi');
    const at = def.index + def[0].length - def[1]!.length;
    for (const method of methods) emit(ctx, method, joinRoute(recv?.prefix ?? '', path), { name: def[1]!, at, inline: false }, framework);
  }
}

const SPRING = /@(RequestMapping|GetMapping|PostMapping|PutMapping|DeleteMapping|PatchMapping)\b/g;

function scanSpring(ctx: Ctx): void {
  const { sk } = ctx;
  const prefixes: { open: number; close: number; prefix: string }[] = [];
  const methods: { at: number; paths: string[]; verbs: string[]; name: string; nameAt: number }[] = [];
  for (const m of sk.matchAll(SPRING)) {
    let i = m.index + m[0].length;
    let paths = [''];
    let verbs = m[1] === 'RequestMapping' ? ['*'] : [m[1]!.replace('Mapping', '')];
    if (sk[skipSpace(sk, i)] === '(') {
      const call = splitArgs(sk, skipSpace(sk, i));
      if (!call) continue;
      const { positional, named } = keywordArgs(ctx, call.args);
      const p = positional[0] ?? named.get('value') ?? named.get('path');
      paths = p ? readStrings(ctx, p) ?? [] : [''];
      const v = named.get('method');
      if (v) verbs = [...sk.slice(v.start, v.end).matchAll(/\b(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|TRACE)\b/g)].map((x) => x[1]!);
      i = call.close + 1;
    }
    const method = methodAfterDecorators(sk, i);
    if (method) { methods.push({ at: m.index, paths, verbs, name: method.name, nameAt: method.at }); continue; }
    const cls = /^[^;{]*?\b(?:class|interface)\b[^{]*\{/.exec(sk.slice(i));
    if (!cls) continue;
    const open = i + cls[0].length - 1;
    prefixes.push({ open, close: matchBracket(sk, open), prefix: paths[0] ?? '' });
  }
  for (const m of methods) {
    const owner = prefixes.filter((p) => p.open < m.at && m.at < p.close).pop();
    for (const path of m.paths) {
      for (const verb of m.verbs) emit(ctx, verb, joinRoute(owner?.prefix ?? '', path) || '/', { name: m.name, at: m.nameAt, inline: false }, 'spring');
    }
  }
}

const GO_CALL = /(?<![\w$])([A-Za-z_]\w*)\s*\.\s*(HandleFunc|Handle|Get|Post|Put|Delete|Patch|Head|Options|Connect|Trace|GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|Any|Method|MethodFunc|Route|Group)\s*\(/g;

function scanGo(ctx: Ctx): void {
  const { sk, text } = ctx;
  const lib = /"github\.com\/go-chi\/chi/.test(text) ? 'chi' : /"github\.com\/gin-gonic\/gin"/.test(text) ? 'gin'
    : /"github\.com\/labstack\/echo/.test(text) ? 'echo' : /"github\.com\/gorilla\/mux"/.test(text) ? 'gorilla/mux' : '';
  const scopes: { start: number; end: number; prefix: string }[] = [];
  const groups = new Map<string, string>();
  const scopePrefix = (at: number): string => scopes.filter((s) => s.start < at && at < s.end).pop()?.prefix ?? '';
  for (const m of sk.matchAll(GO_CALL)) {
    const [, recv, verb] = m as unknown as [string, string, string];
    const call = splitArgs(sk, m.index + m[0].length - 1);
    if (!call || call.args.length === 0) continue;
    const strs = call.args.map((a) => readStrings(ctx, a)?.[0]);
    const base = groups.get(recv) ?? scopePrefix(m.index);
    if (verb === 'Group' || verb === 'Route') {
      const path = strs[0];
      if (path === undefined || !path.startsWith('/')) continue;
      const full = joinRoute(base, path);
      if (verb === 'Group') {
        const lhs = /([A-Za-z_]\w*)\s*:?=\s*$/.exec(sk.slice(Math.max(0, m.index - 80), m.index));
        if (lhs) groups.set(lhs[1]!, full);
      } else {
        const fn = call.args[1];
        const open = fn ? sk.indexOf('{', fn.start) : -1;
        if (open !== -1 && open < fn!.end) scopes.push({ start: open, end: matchBracket(sk, open), prefix: full });
      }
      continue;
    }
    let method: string;
    let pathIdx = 0;
    if (verb === 'Method' || verb === 'MethodFunc' || (verb === 'Handle' && call.args.length >= 3 && strs[0] && !strs[0].startsWith('/'))) {
      method = strs[0] ?? '';
      pathIdx = 1;
    } else if (verb === 'HandleFunc' || verb === 'Handle') method = '*';
    else method = verb;
    let path = strs[pathIdx];
    // Handlers are never string literals: that shape is a client call like `c.Post(url, "text/plain", body)`.
    if (!method || path === undefined || call.args.length < pathIdx + 2 || strs.slice(pathIdx + 1).some((x) => x !== undefined)) continue;
    // Go 1.22 patterns: "GET /items/{id}", optionally with a host before the path.
    const pat = /^(?:([A-Z]+)\s+)?([^/\s]*)(\/.*)$/.exec(path);
    if (!pat) continue;
    if (pat[1]) method = pat[1];
    path = pat[3]!;
    const handlerArg = lib === 'echo' && verb === verb.toUpperCase() ? call.args[pathIdx + 1]! : call.args[call.args.length - 1]!;
    const handler = describeHandler(ctx, handlerArg);
    if (!handler) continue;
    let methods = [method];
    const chained = /^\s*\.\s*Methods\s*\(/.exec(sk.slice(call.close + 1, call.close + 100));
    if (chained) methods = readStrings(ctx, { start: call.close + 1 + chained[0].length - 1, end: matchBracket(sk, call.close + chained[0].length) + 1 }) ?? methods;
    const framework = /^[A-Z]+$/.test(verb) || verb === 'Any' ? (lib === 'echo' ? 'echo' : 'gin') : verb.startsWith('Handle') && lib !== 'chi' && lib !== 'gorilla/mux' ? 'net/http' : lib || 'net/http';
    for (const me of methods) emit(ctx, me, joinRoute(base, path), handler, framework);
  }
}
