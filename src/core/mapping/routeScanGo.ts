import { describeHandler, emit, joinRoute, readStrings } from './routeScanCommon';
import type { Ctx } from './routeScanCommon';
import { matchBracket, splitArgs, wordBefore } from './sourceLexer';

const GO_CALL = /\.\s*(HandleFunc|Handle|Get|Post|Put|Delete|Patch|Head|Options|Connect|Trace|GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|Any|Method|MethodFunc|Route|Group)\s*\(/g;

/** net/http, chi, gin, echo and gorilla/mux registrations, with Group/Route prefixes. */
export function scanGoRoutes(ctx: Ctx): void {
  const { sk, text } = ctx;
  const lib = /"github\.com\/go-chi\/chi/.test(text) ? 'chi' : /"github\.com\/gin-gonic\/gin"/.test(text) ? 'gin'
    : /"github\.com\/labstack\/echo/.test(text) ? 'echo' : /"github\.com\/gorilla\/mux"/.test(text) ? 'gorilla/mux' : '';
  const scopes: { start: number; end: number; prefix: string }[] = [];
  const groups = new Map<string, string>();
  const scopePrefix = (at: number): string => scopes.filter((s) => s.start < at && at < s.end).pop()?.prefix ?? '';
  for (const m of sk.matchAll(GO_CALL)) {
    const word = wordBefore(sk, m.index);
    const verb = m[1]!;
    if (!word) continue;
    const recv = word.name;
    const call = splitArgs(sk, m.index + m[0].length - 1);
    if (!call || call.args.length === 0) continue;
    const strs = call.args.map((a) => readStrings(ctx, a)?.[0]);
    const base = groups.get(recv) ?? scopePrefix(m.index);
    if (verb === 'Group' || verb === 'Route') {
      const path = strs[0];
      if (path === undefined || !path.startsWith('/')) continue;
      const full = joinRoute(base, path);
      if (verb === 'Group') {
        const lhs = /([A-Za-z_]\w*)\s*:?=\s*$/.exec(sk.slice(Math.max(0, word.start - 80), word.start));
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
