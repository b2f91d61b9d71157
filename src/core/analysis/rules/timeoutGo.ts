import type { Node } from 'web-tree-sitter';
import type { FixHint } from '../findings';
import { argumentsOf, calleeSegments, escapeRegExp, indentOf, rangeOf } from '../syntax';
import type { CallSite, RuleContext } from './context';
import { addToObject, insertAt, insertBefore, replaceNode } from './fixes';
import { GoDeadlines, lastAssignment, libraryApi, mentionsTestServer, outerScope, placeOf, readsStream, testServerNames } from './goDeadlines';

const DB_METHODS = ['Query', 'QueryRow', 'Exec', 'Prepare', 'Begin', 'Ping'];
const CLIENT_METHODS = ['Do', 'Get', 'Post', 'Head', 'PostForm'];
/** Client methods that build their own request, with no context and so no deadline of its own. */
const CONTEXTLESS = ['Get', 'Post', 'Head', 'PostForm'];

/**
 * Checks Go code. A request is a finding only where it is sent (`client.Do`, `http.Get`,
 * `transport.RoundTrip`) with neither a client Timeout nor a context deadline; building one
 * (`http.NewRequest`) or handing it to a recorder or handler sends nothing.
 */
export function checkGoTimeouts(ctx: RuleContext): void {
  const dbNames = collectDbNames(ctx);
  const deadlines = new GoDeadlines(ctx);
  const servers = testServerNames(ctx);
  const defaultNames = defaultClientNames(ctx);
  for (const call of ctx.calls()) {
    const q = call.qualified;
    const segs = call.segments;
    const method = segs[segs.length - 1]!;
    const viaDefault = (q?.module === 'net/http' && /^DefaultClient\.\w+$/.test(q.path)) || (segs.length >= 2 && defaultNames.has(segs[segs.length - 2]!));
    if ((q?.module === 'net/http' && CONTEXTLESS.includes(q.path)) || (viaDefault && CONTEXTLESS.includes(method))) {
      if (mentionsTestServer(call.node.text, servers)) continue;
      ctx.report('missing-timeout', call.node, `no timeout on ${segs.join('.')}: it sends with http.DefaultClient, which has no Timeout, and cannot carry a context`);
    } else if (viaDefault && method === 'Do') {
      const req = argumentsOf(call.node)[0];
      if (!req || mentionsTestServer(requestOrigin(req)?.text ?? '', servers)) continue;
      const d = deadlines.request(req);
      if (d.kind !== 'no') continue;
      const origin = requestOrigin(req);
      const build = origin ? ctx.calls().find((c) => c.node.id === origin.id && c.qualified?.module === 'net/http' && c.qualified.path === 'NewRequest') : undefined;
      const client = q?.module === 'net/http' ? 'http.DefaultClient has' : `${segs.slice(0, -1).join('.')} is http.DefaultClient, which has`;
      ctx.report(
        'missing-timeout',
        call.node,
        `no deadline on the request sent by ${segs.join('.')}: ${client} no Timeout and ${d.why}${streamAdvice(call.node)}`,
        build ? contextFix(ctx, build, 'NewRequestWithContext') : undefined,
      );
    } else if (method === 'RoundTrip' && segs.length >= 2) {
      const req = argumentsOf(call.node)[0];
      // a RoundTripper passing on its caller's request leaves the deadline to that caller
      if (!req || mentionsTestServer(requestOrigin(req)?.text ?? '', servers)) continue;
      const d = deadlines.request(req);
      if (d.kind === 'no') ctx.report('missing-timeout', call.node, `no deadline on the request sent by ${segs.join('.')}: a transport has no overall timeout and ${d.why}`);
    } else if (segs.length >= 2 && DB_METHODS.includes(method) && dbNames.has(segs[segs.length - 2]!)) {
      const ctxName = method === 'Begin' ? 'BeginTx' : `${method}Context`;
      ctx.report('missing-timeout', call.node, `no context on ${segs.join('.')} (use ${ctxName} with a deadline)`, method === 'Begin' ? undefined : contextFix(ctx, call, ctxName));
    }
  }
  for (const lit of ctx.nodes(['composite_literal'])) {
    const type = lit.childForFieldName('type');
    if (!type || type.type !== 'qualified_type') continue;
    const pkg = ctx.imports.bindings.get(type.childForFieldName('package')?.text ?? '');
    if (pkg?.module !== 'net/http' || type.childForFieldName('name')?.text !== 'Client') continue;
    const body = lit.childForFieldName('body');
    const keys = body?.namedChildren.filter((c) => c?.type === 'keyed_element').map((k) => k!.namedChildren[0]?.text) ?? [];
    if (keys.includes('Timeout')) continue;
    // a Transport made from a func literal answers in-process (a stub): nothing to wait for
    const transport = body?.namedChildren.find((c) => c?.type === 'keyed_element' && c.namedChildren[0]?.text === 'Transport');
    if (transport && /\bfunc\s*\(/.test(transport.namedChildren[1]?.text ?? '')) continue;
    const name = boundName(lit);
    if (name && new RegExp(`\\b${escapeRegExp(name)}\\.Timeout\\s*=`).test(ctx.text)) continue;
    // a library's exported constructor hands its default client to the user, who sets the deadline (resty.New, github.NewClient)
    const fn = enclosingFunction(lit);
    if (name === null && fn && libraryApi(ctx, fn)) continue;
    let message = 'http.Client without Timeout, handed on from here: no request it sends has an overall deadline';
    let streaming = false;
    if (name !== null) {
      const unbounded = unboundedSends(ctx, lit, name, deadlines, servers);
      if (!unbounded) continue;
      streaming = readsStream(unbounded.call.node);
      const at = `${unbounded.call.segments.join('.')}${placeOf(unbounded.call.node)}`;
      message = streaming
        ? `http.Client without Timeout streams responses (${at}) and ${unbounded.why}: give each request a deadline with context.WithTimeout (a client Timeout would cut the stream)`
        : `http.Client without Timeout, and the request sent by ${at} has no deadline: ${unbounded.why}`;
    }
    const edits: FixHint['edits'] = body ? [addToObject(body, `Timeout: ${goDuration(ctx.options.fixTimeoutMs)}`)] : [];
    const imp = importEdits(ctx, ['time']);
    ctx.report('missing-timeout', lit, message, body && !streaming ? { title: 'Add Timeout', edits: [...edits, ...imp] } : undefined);
  }
}

/** The first send through the client bound to `name` that has no deadline of its own, and why. */
function unboundedSends(ctx: RuleContext, lit: Node, name: string, deadlines: GoDeadlines, servers: readonly string[]): { call: CallSite; why: string } | null {
  // a client made inside a function is that function's; a package-level one or a field, the file's
  const scope = enclosingFunction(lit) ? outerScope(lit) : null;
  for (const call of scope ? ctx.callsIn(scope) : ctx.calls()) {
    const segs = call.segments;
    if (segs.length < 2 || segs[segs.length - 2] !== name || !CLIENT_METHODS.includes(segs[segs.length - 1]!)) continue;
    if (segs[segs.length - 1] !== 'Do') {
      if (mentionsTestServer(call.node.text, servers)) continue;
      return { call, why: `${segs[segs.length - 1]} cannot carry a context` };
    }
    const req = argumentsOf(call.node)[0];
    if (!req || mentionsTestServer(requestOrigin(req)?.text ?? '', servers)) continue;
    const d = deadlines.request(req);
    if (d.kind === 'no') return { call, why: d.why };
  }
  return null;
}

/** The `http.NewRequest...` call a request expression was built by, followed through assignments and WithContext. */
function requestOrigin(expr: Node, depth = 0): Node | null {
  if (depth > 4) return null;
  if (expr.type === 'identifier') {
    const value = lastAssignment(outerScope(expr), expr.text, expr.startIndex);
    return value ? requestOrigin(value, depth + 1) : null;
  }
  if (expr.type !== 'call_expression') return null;
  const segs = calleeSegments(expr);
  const last = segs[segs.length - 1];
  if ((last === 'WithContext' || last === 'Clone') && segs.length >= 2) {
    const receiver = expr.childForFieldName('function')?.childForFieldName('operand');
    return receiver ? requestOrigin(receiver, depth + 1) : null;
  }
  return expr;
}

/** Names bound to `http.DefaultClient` (`client: http.DefaultClient`, `c.client = http.DefaultClient`). */
function defaultClientNames(ctx: RuleContext): Set<string> {
  const aliases = [...ctx.imports.bindings].filter(([, b]) => b.module === 'net/http' && !b.member).map(([n]) => n);
  const out = new Set<string>();
  if (aliases.length === 0) return out;
  const re = new RegExp(`\\b(\\w+)\\s*(?::=|=|:)\\s*(?:${aliases.map(escapeRegExp).join('|')})\\.DefaultClient\\b`, 'g');
  for (const m of ctx.text.matchAll(re)) out.add(m[1]!);
  return out;
}

function streamAdvice(send: Node): string {
  return readsStream(send) ? ' (the response is streamed: give the request a deadline with context.WithTimeout rather than a client Timeout)' : '';
}

/** Go duration literal for a millisecond count. */
function goDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} * time.Second` : `${ms} * time.Millisecond`;
}

function boundName(lit: Node): string | null {
  let n: Node | null = lit.parent;
  if (n?.type === 'unary_expression') n = n.parent;
  if (n?.type === 'literal_element') n = n.parent;
  if (n?.type === 'keyed_element') return n.namedChildren[0]?.text ?? null;
  if (n?.type === 'expression_list') {
    const decl = n.parent;
    const left = decl?.childForFieldName('left') ?? decl?.childForFieldName('name');
    return left ? left.text.split(',')[0].trim() : null;
  }
  return null;
}

function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (['function_declaration', 'method_declaration', 'func_literal'].includes(p.type)) return p;
  return null;
}

/** Names typed *sql.DB / *sql.Tx / *sql.Conn (params, fields, vars) or bound to sql.Open. */
function collectDbNames(ctx: RuleContext): Set<string> {
  const out = new Set<string>();
  const sqlAliases = [...ctx.imports.bindings].filter(([, b]) => b.module === 'database/sql' || b.module === 'github.com/jmoiron/sqlx').map(([n]) => n);
  if (sqlAliases.length === 0) return out;
  const typeRe = new RegExp(`^\\*?(${sqlAliases.map(escapeRegExp).join('|')})\\.(DB|Tx|Conn|Stmt)$`);
  for (const d of ctx.nodes(['parameter_declaration', 'field_declaration', 'var_spec'])) {
    const type = d.childForFieldName('type');
    if (!type || !typeRe.test(type.text)) continue;
    for (const n of d.childrenForFieldName('name')) if (n) out.add(n.text);
  }
  for (const call of ctx.calls()) {
    const q = call.qualified;
    if (!q || !sqlAliases.includes(call.segments[0]) || !/^(Open|OpenDB|Connect|MustConnect)$/.test(q.path)) continue;
    const decl = call.node.parent?.parent;
    const left = decl?.childForFieldName('left')?.namedChildren[0];
    if (left) out.add(left.text.split('.').pop()!);
  }
  return out;
}

/**
 * Rewrites `x.Method(args)` to `x.MethodContext(ctx, args)` with `ctx, cancel := context.WithTimeout(parent, d)`
 * and `defer cancel()` on the lines before the statement; parent is the function's context
 * parameter, the request's context, or context.Background().
 */
function contextFix(ctx: RuleContext, call: CallSite, newMethod: string): FixHint | undefined {
  const fnNode = call.node.childForFieldName('function');
  const field = fnNode?.childForFieldName('field');
  const args = call.node.childForFieldName('arguments');
  let stmt: Node | null = call.node;
  while (stmt?.parent && stmt.parent.type !== 'statement_list' && stmt.parent.type !== 'block') stmt = stmt.parent;
  if (!field || !args || !stmt || !stmt.parent) return undefined;
  const fn = enclosingFunction(call.node);
  const parent = parentContext(fn);
  const indent = indentOf(ctx.text, stmt);
  const first = argumentsOf(call.node)[0];
  const ar = rangeOf(args);
  const edits: FixHint['edits'] = [
    insertBefore(stmt, `ctx, cancel := context.WithTimeout(${parent}, ${goDuration(ctx.options.fixTimeoutMs)})\n${indent}defer cancel()\n${indent}`),
    replaceNode(field, newMethod),
    first ? insertBefore(first, 'ctx, ') : insertAt(ar.line, ar.column + 1, 'ctx'),
    ...importEdits(ctx, ['context', 'time']),
  ];
  return { title: 'Add a context with timeout', edits };
}

function parentContext(fn: Node | null): string {
  const params = fn?.childForFieldName('parameters');
  for (const p of params?.namedChildren ?? []) {
    const type = p?.childForFieldName('type')?.text ?? '';
    const name = p?.childForFieldName('name')?.text;
    if (!name) continue;
    if (type === 'context.Context') return name;
    if (type === '*http.Request') return `${name}.Context()`;
  }
  return 'context.Background()';
}

/** Edits that add missing imports to the file's import block (or a new import after the package clause). */
function importEdits(ctx: RuleContext, paths: string[]): FixHint['edits'] {
  const missing = paths.filter((p) => ![...ctx.imports.bindings.values()].some((b) => b.module === p));
  if (missing.length === 0) return [];
  const list = ctx.nodes(['import_spec_list'])[0];
  if (list) {
    const r = rangeOf(list);
    return [insertAt(r.line, r.column + 1, missing.map((p) => `\n\t"${p}"`).join(''))];
  }
  const anchor = ctx.nodes(['import_declaration'])[0] ?? ctx.nodes(['package_clause'])[0];
  if (!anchor) return [];
  const r = rangeOf(anchor);
  return [insertAt(r.endLine, r.endColumn, missing.map((p) => `\nimport "${p}"`).join(''))];
}
