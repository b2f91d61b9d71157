import type { Node } from 'web-tree-sitter';
import type { FixHint } from '../findings';
import { argumentsOf, escapeRegExp, indentOf, rangeOf } from '../syntax';
import type { CallSite, RuleContext } from './context';
import { addToObject, insertAt, insertBefore, replaceNode } from './fixes';

const DB_METHODS = ['Query', 'QueryRow', 'Exec', 'Prepare', 'Begin', 'Ping'];
const CLIENT_METHODS = ['Do', 'Get', 'Post', 'Head', 'PostForm'];

/** Checks Go code: http.Get & co, clients without Timeout, requests and queries without a context. */
export function checkGoTimeouts(ctx: RuleContext): void {
  const dbNames = collectDbNames(ctx);
  for (const call of ctx.calls()) {
    const q = call.qualified;
    const segs = call.segments;
    if (q?.module === 'net/http' && ['Get', 'Post', 'Head', 'PostForm'].includes(q.path)) {
      ctx.report('missing-timeout', call.node, `no timeout on http.${q.path} (http.DefaultClient has none)`);
    } else if (q?.module === 'net/http' && /^DefaultClient\.(Do|Get|Post|Head|PostForm)$/.test(q.path)) {
      ctx.report('missing-timeout', call.node, `no timeout on http.${q.path} (http.DefaultClient has none)`);
    } else if (q?.module === 'net/http' && q.path === 'NewRequest') {
      if (!requestGetsContext(ctx, call.node)) {
        ctx.report('missing-timeout', call.node, 'no context on http.NewRequest (use NewRequestWithContext with a deadline)', contextFix(ctx, call, 'NewRequestWithContext'));
      }
    } else if (segs.length >= 2 && DB_METHODS.includes(segs[segs.length - 1]) && dbNames.has(segs[segs.length - 2])) {
      const method = segs[segs.length - 1];
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
    const name = boundName(lit);
    if (name && new RegExp(`\\b${escapeRegExp(name)}\\.Timeout\\s*=`).test(ctx.text)) continue;
    const used = name === null || ctx.calls().some((c) => c.segments.length >= 2 && c.segments[c.segments.length - 2] === name && CLIENT_METHODS.includes(c.segments[c.segments.length - 1]));
    if (!used) continue;
    const edits: FixHint['edits'] = body ? [addToObject(body, `Timeout: ${goDuration(ctx.options.fixTimeoutMs)}`)] : [];
    const imp = importEdits(ctx, ['time']);
    ctx.report('missing-timeout', lit, 'http.Client without Timeout', body ? { title: 'Add Timeout', edits: [...edits, ...imp] } : undefined);
  }
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

function requestGetsContext(ctx: RuleContext, call: Node): boolean {
  const decl = call.parent?.parent;
  const name = decl?.childForFieldName('left')?.namedChildren[0]?.text;
  if (!name) return false;
  const fn = enclosingFunction(call);
  return new RegExp(`\\b${escapeRegExp(name)}\\.(WithContext|Clone)\\(`).test(fn?.text ?? ctx.text);
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
