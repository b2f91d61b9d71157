import type { Node } from 'web-tree-sitter';
import { argumentsOf, escapeRegExp } from '../syntax';
import type { RuleContext } from './context';

// request factories whose bare constructor sets no timeout (`.requestFactory(SimpleClientHttpRequestFactory::new)`)
const BARE_FACTORY = /^\w*ClientHttpRequestFactory::new$/;

/** Method names called along a fluent chain starting at `node` (`X.newBuilder().a().b().build()`). */
export function chainFrom(node: Node): string[] {
  const names: string[] = [];
  let cur = node;
  while (cur.parent?.type === 'method_invocation' && cur.parent.childForFieldName('object')?.id === cur.id) {
    cur = cur.parent;
    names.push(cur.childForFieldName('name')?.text ?? '');
  }
  return names;
}

/**
 * `RestTemplate rt = new RestTemplate(); rt.setRequestFactory(factory)` (the factory is where the
 * timeouts live), or `((SimpleClientHttpRequestFactory) rt.getRequestFactory()).setReadTimeout(...)`.
 */
export function factoryConfiguredLater(ctx: RuleContext, creation: Node): boolean {
  const p = creation.parent;
  let name: string | undefined;
  if (p?.type === 'variable_declarator') name = p.childForFieldName('name')?.text;
  else if (p?.type === 'assignment_expression') name = p.childForFieldName('left')?.text.replace(/^this\./, '');
  if (!name) return false;
  const n = `(?:this\\.)?${escapeRegExp(name)}`;
  if (new RegExp(`\\b${n}\\.setRequestFactory\\(`).test(ctx.text)) return true;
  return new RegExp(`\\b${n}\\.getRequestFactory\\(\\)`).test(ctx.text) && /\.set(Connect|Read)Timeout\(/.test(ctx.text);
}

/**
 * A `RestTemplateBuilder` chain given a request factory (`.requestFactory(() -> factory)`,
 * `.requestFactorySettings(settings)`): the factory carries the timeouts, configured where we may
 * not see it. A bare `SomeClientHttpRequestFactory::new` has none.
 */
export function builderGetsFactory(build: Node): boolean {
  for (let cur: Node | null = build; cur?.type === 'method_invocation'; cur = cur.childForFieldName('object')) {
    const name = cur.childForFieldName('name')?.text ?? '';
    if (!/^requestFactory(Settings)?$/.test(name)) continue;
    const arg = argumentsOf(cur)[0];
    return !!arg && !BARE_FACTORY.test(arg.text.replace(/\s+/g, ''));
  }
  return false;
}

/**
 * An `HttpClient` without `connectTimeout` whose every request in this file is built with
 * `.timeout(...)`: the request timeout bounds the whole exchange, connecting included, so there is
 * a deadline. Files that build no request keep the finding (the requests are elsewhere).
 */
export function everyRequestHasTimeout(ctx: RuleContext): boolean {
  const chains = ctx
    .calls()
    .filter((c) => c.segments.length === 2 && c.segments[0] === 'HttpRequest' && c.segments[1] === 'newBuilder')
    .map((c) => chainFrom(c.node))
    .filter((chain) => chain.includes('build'));
  return chains.length > 0 && chains.every((chain) => chain.includes('timeout'));
}

/**
 * An `HttpRequest` sent in the same method with `sendAsync(...)` whose future has a deadline
 * (`.orTimeout(...)`, `.completeOnTimeout(...)`, `.get(5, TimeUnit.SECONDS)`).
 */
export function sentWithDeadline(request: Node): boolean {
  let scope: Node | null = request.parent;
  while (scope && !['method_declaration', 'constructor_declaration', 'lambda_expression'].includes(scope.type)) scope = scope.parent;
  const text = scope?.text ?? '';
  return /\.sendAsync\(/.test(text) && /\.(orTimeout|completeOnTimeout)\(|\.get\(\s*[^,()]+,\s*(java\.util\.concurrent\.)?TimeUnit\./.test(text);
}
