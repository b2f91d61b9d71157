import type { Node } from 'web-tree-sitter';
import { isJsFamily } from '../languages';
import { argumentsOf, callTypes, calleeSegments, segments, stringValue } from '../syntax';
import type { Rule, RuleContext } from './context';

/** Paths that name a health, readiness or liveness probe. */
export const HEALTH_PATH = /\/(health|healthz|healthcheck|health-check|ready|readyz|readiness|live|livez|liveness)\/?$/i;

const ROUTE_METHODS = /^(get|all|head|route|use|handle|HandleFunc|Handle|GET|HEAD|Any|add_url_route|add_api_route|api_route)$/;
/** Calls that are about building the response, not about any dependency. */
const BENIGN =
  /^(Date|JSON|Math|process|os\.(Getpid|Hostname)|time|datetime|fmt|json|strconv|ResponseEntity|Map|Collections|List|Set|HttpStatus|Response|JSONResponse|PlainTextResponse|jsonify|make_response|dict|str|int|len|HttpResponse|JsonResponse|Health|Status|String|Integer|Instant|System\.currentTimeMillis|io|json\.NewEncoder|json\.Marshal|Ok|ok)(\.|$|\(\)$)/;

/** `hollow-health-check`: a probe route whose handler returns success without touching any dependency. */
export const hollowHealthCheck: Rule = {
  id: 'hollow-health-check',
  languages: ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'],
  check(ctx) {
    if (ctx.language === 'python') return checkPython(ctx);
    if (ctx.language === 'java') return checkJava(ctx);
    for (const call of ctx.calls()) {
      const method = call.segments[call.segments.length - 1];
      if (call.segments.length < 2 && method !== 'HandleFunc') continue;
      if (!ROUTE_METHODS.test(method)) continue;
      const args = argumentsOf(call.node);
      const path = stringValue(args[0]);
      if (!path || !HEALTH_PATH.test(path)) continue;
      const handler = resolveHandler(ctx, args[args.length - 1]);
      if (!handler || handler === args[0]) continue;
      if (isHollow(ctx, handler)) ctx.report('hollow-health-check', call.node, `health check ${path} returns success without checking any dependency`);
    }
  },
};

/** The handler function: an inline function, or a function declared in the file by that name. */
function resolveHandler(ctx: RuleContext, arg: Node | undefined): Node | null {
  if (!arg) return null;
  if (['arrow_function', 'function_expression', 'function', 'func_literal'].includes(arg.type)) return arg;
  if (arg.type === 'identifier') {
    const types = isJsFamily(ctx.language) ? ['function_declaration'] : ['function_declaration', 'method_declaration'];
    const decl = ctx.nodes(types).find((d) => d.childForFieldName('name')?.text === arg.text);
    if (decl) return decl;
    const v = ctx.nodes(['variable_declarator']).find((d) => d.childForFieldName('name')?.text === arg.text);
    const value = v?.childForFieldName('value');
    if (value && ['arrow_function', 'function_expression'].includes(value.type)) return value;
  }
  return null;
}

/** Hollow: no await and no call that is not about the response (a dependency would need one). */
function isHollow(ctx: RuleContext, fn: Node): boolean {
  const body = fn.childForFieldName('body');
  if (!body) return false;
  if (body.descendantsOfType(['await_expression', 'await']).length > 0) return false;
  const params = new Set<string>();
  for (const id of fn.childForFieldName('parameters')?.descendantsOfType('identifier') ?? []) if (id) params.add(id.text);
  const single = fn.childForFieldName('parameter');
  if (single) params.add(single.text);
  // reading a dependency's state (`redis.isReady`, `db.Stats()`) counts as touching it
  const allowedRoots = new Set([...params, ...[...ctx.imports.bindings].filter(([, b]) => b.module === 'net/http').map(([n]) => n)]);
  for (const m of body.descendantsOfType(['member_expression', 'attribute', 'selector_expression', 'field_access'])) {
    if (!m || (m.parent && ['member_expression', 'attribute', 'selector_expression', 'field_access'].includes(m.parent.type))) continue;
    const segs = segments(m);
    if (allowedRoots.has(segs[0]) || BENIGN.test(segs.join('.')) || isCallee(m)) continue;
    return false;
  }
  for (const call of body.descendantsOfType(callTypes(ctx.language))) {
    if (!call) continue;
    const segs = calleeSegments(call);
    if (call.type === 'object_creation_expression') {
      if (/^(HashMap|LinkedHashMap|Health\.Builder|ResponseEntity|String)/.test(call.childForFieldName('type')?.text ?? '')) continue;
      return false;
    }
    // methods on the handler's own parameters (res.status(200).json, w.Header().Set, c.JSON)
    if (params.has(segs[0]) && segs.slice(1, -1).every((s) => s.endsWith('()'))) continue;
    if (!BENIGN.test(segs.join('.'))) return false;
  }
  return true;
}

function checkPython(ctx: RuleContext): void {
  for (const dec of ctx.nodes(['decorator'])) {
    const call = dec.namedChildren[0];
    if (call?.type !== 'call') continue;
    const segs = calleeSegments(call);
    if (!ROUTE_METHODS.test(segs[segs.length - 1]) && segs[segs.length - 1] !== 'route') continue;
    const path = stringValue(argumentsOf(call)[0]);
    if (!path || !HEALTH_PATH.test(path)) continue;
    const fn = dec.parent?.childForFieldName('definition');
    if (fn && isHollow(ctx, fn)) ctx.report('hollow-health-check', fn.childForFieldName('name') ?? fn, `health check ${path} returns success without checking any dependency`);
  }
}

function checkJava(ctx: RuleContext): void {
  for (const m of ctx.nodes(['method_declaration'])) {
    const mods = m.namedChildren.find((c) => c?.type === 'modifiers');
    const ann = mods?.namedChildren.find((a) => a !== null && /^(Get|Request)Mapping$/.test(a.childForFieldName('name')?.text ?? ''));
    const path = ann
      ? ann
          .descendantsOfType('string_literal')
          .map((s) => stringValue(s))
          .find((p) => p !== null && HEALTH_PATH.test(p))
      : undefined;
    if (!path) continue;
    if (isHollow(ctx, m)) ctx.report('hollow-health-check', m.childForFieldName('name') ?? m, `health check ${path} returns success without checking any dependency`);
  }
}

/** Whether a member expression is the callee of a call (calls are judged on their own). */
function isCallee(m: Node): boolean {
  const p = m.parent;
  return p !== null && (p.childForFieldName('function')?.id === m.id || p.type === 'method_invocation');
}
