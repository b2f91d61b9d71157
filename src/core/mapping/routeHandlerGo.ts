import type { Ctx, Handler } from './routeScanCommon';
import { enclosingDecl, paramType } from './goDecls';
import type { GoFuncDecl } from './goDecls';
import { splitArgs } from './sourceLexer';
import type { Span } from './sourceLexer';

/** Wrappers that hand the request to one of their arguments: callee -> index of that argument (-1 = last). */
const PASS_THROUGH = new Map<string, number>([
  ['http.HandlerFunc', 0],
  ['HandlerFunc', 0],
  ['chi.HandlerFunc', 0],
  ['http.TimeoutHandler', 0],
  ['http.MaxBytesHandler', 0],
  ['http.AllowQuerySemicolons', 0],
  ['http.StripPrefix', 1],
  ['otelhttp.NewHandler', 0],
  ['otelhttp.WithRouteTag', 1],
  ['gin.WrapF', 0],
  ['gin.WrapH', 0],
  ['echo.WrapHandler', 0],
]);

/** Parameter types that make a function a request handler (net/http, gin, echo, fiber-style contexts). */
const HANDLER_PARAMS = /\bhttp\.ResponseWriter\b|\*\s*gin\.Context\b|\becho\.Context\b/;

const CHAIN = /^&?\s*([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*/;

/** What a Go file declares that handler names are resolved against. */
export interface GoFileInfo {
  decls: GoFuncDecl[];
}

/**
 * Describes a Go handler argument: a func literal (inline), a function or method value, a
 * composite literal implementing ServeHTTP, or a call returning a handler. Calls are unwrapped
 * through known pass-through wrappers and middleware around a handler; a factory call
 * (`handleLogin(store)`, `panicHandler()`) names the factory, whose closure serves the request.
 */
export function describeGoHandler(ctx: Ctx, s: Span, info: GoFileInfo, depth = 0): Handler | undefined {
  const { sk } = ctx;
  const src = sk.slice(s.start, s.end);
  if (depth > 8 || /^['"`\d]/.test(src) || src.startsWith('{') || src.startsWith('[')) return undefined;
  if (/^func\s*\(/.test(src)) return { name: '', at: s.start, inline: true, end: s.end };
  const chain = CHAIN.exec(src);
  if (!chain) return undefined;
  const written = chain[1]!.replace(/\s+/g, '');
  const rest = src.slice(chain[0].length);
  if (rest === '') return { name: resolveName(sk, written, s.start, info), at: s.start, inline: false };
  if (rest.startsWith('{')) return { name: `${written.split('.').pop()}.ServeHTTP`, at: s.start, inline: false };
  if (!rest.startsWith('(')) return undefined;
  const call = splitArgs(sk, s.start + chain[0].length);
  if (!call) return undefined;
  const outer: Handler = { name: resolveName(sk, written, s.start, info), at: s.start, inline: false, wrapper: true };
  // Curried middleware: `mw(cfg)(next)` serves `next`.
  if (sk[call.close + 1] === '(') {
    const second = splitArgs(sk, call.close + 1);
    const last = second?.args[second.args.length - 1];
    const inner = last ? describeGoHandler(ctx, last, info, depth + 1) : undefined;
    if (inner) return inner;
  }
  const through = PASS_THROUGH.get(written);
  if (through !== undefined) {
    const arg = call.args[through === -1 ? call.args.length - 1 : through];
    const inner = arg ? describeGoHandler(ctx, arg, info, depth + 1) : undefined;
    // A library handler inside (`http.StripPrefix("/s/", http.FileServer(...))`): the outermost call names it.
    return inner && !(inner.wrapper && inner.name.startsWith('http.')) ? inner : outer;
  }
  // Library handlers (`http.FileServer(dir)`, `http.NotFoundHandler()`) have no in-app code to unwrap.
  if (written.startsWith('http.')) return outer;
  const receiver = written.includes('.') ? written.slice(0, written.indexOf('.')) : '';
  let best: Handler | undefined;
  for (const arg of call.args) {
    const a = sk.slice(arg.start, arg.end);
    if (/^func\s*\(/.test(a)) best = { name: '', at: arg.start, inline: true };
    else if (/^&?\s*[A-Za-z_][\w.\s]*\(/.test(a) && !/^http\s*\./.test(a)) best = describeGoHandler(ctx, arg, info, depth + 1) ?? best;
    else if (CHAIN.test(a) && CHAIN.exec(a)![0].length === a.length && isHandlerRef(a.replace(/[\s&]/g, ''), receiver, info)) {
      best = { name: resolveName(sk, a.replace(/[\s&]/g, ''), arg.start, info), at: arg.start, inline: false };
    }
  }
  return best ?? outer;
}

/** True when `ref` names a handler: a same-file function with a handler's parameters, or a method of the wrapper's own receiver. */
function isHandlerRef(ref: string, wrapperReceiver: string, info: GoFileInfo): boolean {
  const dot = ref.lastIndexOf('.');
  const name = ref.slice(dot + 1);
  const owner = dot === -1 ? '' : ref.slice(0, dot);
  if (info.decls.some((d) => d.name === name && (dot === -1 ? d.recvType === '' : d.recvType !== '') && HANDLER_PARAMS.test(d.params))) return true;
  if (owner && owner === wrapperReceiver) return true;
  return /^(?:handle|serve)[A-Z_]|Handler$/.test(name);
}

/**
 * The name a Go handler reference has where it is declared: a method value `s.home` on a
 * variable of type Server is `Server.home` (receiver of the enclosing method, a typed
 * parameter, a `x := &T{}` or `x := NewT()` local, or the file's only method of that name);
 * anything else (a package function `pricing.Handler`, a plain function) stays as written.
 */
export function resolveName(sk: string, written: string, at: number, info: GoFileInfo): string {
  const parts = written.split('.');
  if (parts.length !== 2) return written;
  const [v, method] = parts as [string, string];
  const encl = enclosingDecl(info.decls, at);
  let type: string | undefined;
  if (encl && encl.recvVar === v) type = encl.recvType;
  if (!type && encl) type = paramType(encl.params, v);
  if (!type && encl) type = localType(sk, v, encl, info);
  const methods = info.decls.filter((d) => d.name === method && d.recvType !== '');
  if (!type && methods.length === 1) type = methods[0]!.recvType;
  return type ? `${type}.${method}` : written;
}

/** Type of a local declared in `encl` as `v := &T{`, `v := T{`, `var v T` or `v := F(...)` with F a same-file func returning `*T`. */
function localType(sk: string, v: string, encl: GoFuncDecl, info: GoFileInfo): string | undefined {
  const body = sk.slice(encl.open, encl.close);
  const name = v.replace(/\$/g, '');
  const lit = new RegExp(`\\b${name}\\s*:?=\\s*&?\\s*([A-Za-z_]\\w*)\\s*\\{`).exec(body) ?? new RegExp(`\\bvar\\s+${name}\\s+\\*?([A-Za-z_]\\w*)\\b`).exec(body);
  if (lit) return lit[1];
  const made = new RegExp(`\\b${name}\\s*:?=\\s*([A-Za-z_]\\w*)\\s*\\(`).exec(body);
  const fn = made ? info.decls.find((d) => d.name === made[1] && d.recvType === '') : undefined;
  return fn ? /^\(?\s*\*?\s*([A-Za-z_]\w*)\s*(?:,|\)|$)/.exec(fn.results)?.[1] : undefined;
}
