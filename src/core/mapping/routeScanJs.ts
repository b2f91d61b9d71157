import { describeHandler, emit, joinRoute, methodAfterDecorators, readStrings } from './routeScanCommon';
import type { Ctx } from './routeScanCommon';
import { matchBracket, skipSpace, splitArgs, wordBefore } from './sourceLexer';
import type { Span } from './sourceLexer';

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

/** What the file's own declaration of `name` says: a server/router (with a Koa prefix), a client, or nothing. */
function jsReceiver(ctx: Ctx, name: string): { server: boolean; prefix: string } | undefined {
  const decl = new RegExp(`\\b(?:const|let|var)\\s+${name.replace(/\$/g, '\\$')}\\s*(?::[^=;]+)?=([^;\\n]*)`).exec(ctx.sk);
  if (!decl) return undefined;
  const rhs = decl[1]!;
  const server = /\b(?:express|[Ff]astify|Koa|Hono|polka|[A-Za-z]*Router)\s*\(/.test(rhs);
  const client = /\b(?:axios|got|ky|superagent)\b|\.create\s*\(|\bnew\s+(?:Map|WeakMap|Set|URLSearchParams|Headers|FormData)\b/.test(rhs);
  if (!server && !client) return undefined;
  const from = decl.index + decl[0].length - rhs.length;
  const prefix = /\bprefix\s*:\s*(['"`])([^'"`]*)\1/.exec(ctx.text.slice(from, from + rhs.length))?.[2] ?? '';
  return { server: server && !client, prefix };
}

/** Express, Koa, Fastify and Hapi style registrations, then NestJS controllers. */
export function scanJsRoutes(ctx: Ctx): void {
  const { sk, text } = ctx;
  const framework = /['"](?:@koa\/router|koa-router)['"]/.test(text) ? 'koa' : /['"]@hapi\/hapi['"]/.test(text) ? 'hapi' : /['"]fastify['"]|\bFastify[A-Z]\w*|\bfastify\s*\./.test(text) ? 'fastify' : 'express';
  const receivers = new Map<string, { server: boolean; prefix: string } | undefined>();
  const receiver = (name: string): { server: boolean; prefix: string } | undefined => {
    if (!receivers.has(name)) receivers.set(name, jsReceiver(ctx, name));
    return receivers.get(name);
  };
  const serverLike = (name: string): boolean => receiver(name)?.server ?? (!CLIENT_NAMES.test(name) && SERVER_NAMES.test(name));
  const isPath = (p: string): boolean => p.startsWith('/') || p === '*';

  // app.get('/x', ...handlers) / router.post(...) / fastify.get('/x', opts, handler)
  for (const m of sk.matchAll(new RegExp(`\\.\\s*(${JS_METHODS})\\s*\\(`, 'g'))) {
    const recv = wordBefore(sk, m.index)?.name;
    if (!recv || !serverLike(recv)) continue;
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
    const prefix = receiver(recv)?.prefix ?? '';
    for (const p of paths) emit(ctx, m[1] === 'del' ? 'DELETE' : m[1]!, joinRoute(prefix, p), handler, framework);
  }

  // app.route('/x').get(h).post(h2)  and  fastify.route({ method, url, handler })
  for (const m of sk.matchAll(/\.\s*route\s*\(/g)) {
    const recv = wordBefore(sk, m.index)?.name;
    if (!recv || !serverLike(recv)) continue;
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
    const prefix = prefixSpan ? (readStrings(ctx, prefixSpan)?.[0] ?? '') : '';
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
