import { emit, joinRoute, keywordArgs, readStrings } from './routeScanCommon';
import type { Ctx } from './routeScanCommon';
import { splitArgs } from './sourceLexer';
import type { Span } from './sourceLexer';

/** Flask and FastAPI route decorators, with Blueprint/APIRouter prefixes. */
export function scanPythonRoutes(ctx: Ctx): void {
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
