import { emit, joinRoute, keywordArgs, methodAfterDecorators, readStrings } from './routeScanCommon';
import type { Ctx } from './routeScanCommon';
import { matchBracket, skipSpace, splitArgs } from './sourceLexer';

const SPRING = /@(RequestMapping|GetMapping|PostMapping|PutMapping|DeleteMapping|PatchMapping)\b/g;

/** Spring `@*Mapping` annotations, with class-level `@RequestMapping` prefixes. */
export function scanSpringRoutes(ctx: Ctx): void {
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
      paths = p ? (readStrings(ctx, p) ?? []) : [''];
      const v = named.get('method');
      if (v) verbs = [...sk.slice(v.start, v.end).matchAll(/\b(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS|TRACE)\b/g)].map((x) => x[1]!);
      i = call.close + 1;
    }
    const method = methodAfterDecorators(sk, i);
    if (method) {
      methods.push({ at: m.index, paths, verbs, name: method.name, nameAt: method.at });
      continue;
    }
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
