/**
 * Where a Go request's deadline comes from: the request's context, traced through assignments
 * (`req = req.WithContext(ctx)`), `context.WithTimeout`/`WithDeadline` in the same function, and
 * the callers in the same file of a function whose `ctx` parameter it is. Unknown stays unknown:
 * the rule reports only what it has seen to lack a deadline.
 */
import type { Node } from 'web-tree-sitter';
import { resolveName } from '../imports';
import { argumentsOf, calleeSegments, escapeRegExp } from '../syntax';
import type { RuleContext } from './context';

/** What is known of a request's or a context's deadline; `why` completes "no deadline: ...". */
export type Deadline = { kind: 'yes' } | { kind: 'no'; why: string } | { kind: 'unknown' };

const YES: Deadline = { kind: 'yes' };
const UNKNOWN: Deadline = { kind: 'unknown' };
const FN_TYPES = ['function_declaration', 'method_declaration', 'func_literal'];
const DEADLINE_CTORS = ['WithTimeout', 'WithDeadline', 'WithTimeoutCause', 'WithDeadlineCause'];
/** Derived contexts that keep their parent's deadline. */
const INHERITING_CTORS = ['WithCancel', 'WithCancelCause', 'WithValue'];
const MAX_DEPTH = 8;

// a response read as it arrives (SSE, line streams, websockets, flushed proxies): a client Timeout would cut it
const STREAM_RE = /bufio\.New(?:Scanner|Reader(?:Size)?)\(\s*[\w.]+\.Body\b|\.Flush\(\)|text\/event-stream|[Ww]eb[Ss]ocket|\.Body\.Read\(|\.More\(\)|io\.Copy\(\s*\w+\s*,\s*[\w.]+\.Body\s*\)/;

/** Functions enclosing a node, innermost first. */
export function enclosingFunctions(node: Node): Node[] {
  const out: Node[] = [];
  for (let p = node.parent; p; p = p.parent) if (FN_TYPES.includes(p.type)) out.push(p);
  return out;
}

/**
 * Where a node is, for a message: `in NAME` of its enclosing named function, else ''. Messages name
 * places by function, never by line: the editor re-analyses only changed functions, and a line
 * number in an unchanged function's message would go stale when lines above it move.
 */
export function placeOf(node: Node): string {
  for (const fn of enclosingFunctions(node)) {
    const name = fn.childForFieldName('name')?.text;
    if (name) return ` in ${name}`;
  }
  return '';
}

/** The top-level function (or, outside any, the file) a node lies in: closures see its assignments. */
export function outerScope(node: Node): Node {
  const fns = enclosingFunctions(node);
  let root = node;
  while (root.parent) root = root.parent;
  return fns[fns.length - 1] ?? root;
}

/** Whether the function around a send reads the response as a stream. */
export function readsStream(send: Node): boolean {
  return STREAM_RE.test(outerScope(send).text);
}

/** The value last assigned to `name` by a statement that ends before `at` (a tuple's call for `a, err := f()`). */
export function lastAssignment(scope: Node, name: string, at: number): Node | null {
  let best: Node | null = null;
  let bestStart = -1;
  for (const d of scope.descendantsOfType(['short_var_declaration', 'assignment_statement', 'var_spec'])) {
    if (!d || d.endIndex > at || d.startIndex < bestStart) continue;
    const names = d.type === 'var_spec' ? d.childrenForFieldName('name').map((n) => n?.text) : (d.childForFieldName('left')?.namedChildren.map((n) => n?.text) ?? []);
    const i = names.indexOf(name);
    if (i < 0) continue;
    const values = d.childForFieldName(d.type === 'var_spec' ? 'value' : 'right')?.namedChildren.filter((n): n is Node => n !== null) ?? [];
    const value = values.length === 1 ? values[0] : values[i];
    if (value) {
      best = value;
      bestStart = d.startIndex;
    }
  }
  return best;
}

/** Reads request and context deadlines in one Go file. */
export class GoDeadlines {
  constructor(private readonly ctx: RuleContext) {}

  /** The deadline of the request an expression evaluates to (the argument of `client.Do`). */
  request(expr: Node, depth = 0): Deadline {
    if (depth > MAX_DEPTH) return UNKNOWN;
    if (expr.type === 'parenthesized_expression' && expr.namedChildren[0]) return this.request(expr.namedChildren[0], depth + 1);
    if (expr.type === 'identifier') {
      const value = lastAssignment(outerScope(expr), expr.text, expr.startIndex);
      return value ? this.request(value, depth + 1) : UNKNOWN;
    }
    if (expr.type !== 'call_expression') return UNKNOWN;
    const segs = calleeSegments(expr);
    const q = resolveName(segs, this.ctx.imports);
    const args = argumentsOf(expr);
    if (q?.module === 'net/http' && q.path === 'NewRequest') return { kind: 'no', why: `the request is built by ${segs.join('.')}, which gives it no context` };
    if (q?.module === 'net/http' && q.path === 'NewRequestWithContext') return args[0] ? this.context(args[0], depth + 1) : UNKNOWN;
    const last = segs[segs.length - 1];
    if ((last === 'WithContext' || last === 'Clone') && args.length === 1) return this.context(args[0]!, depth + 1);
    // a helper that builds the request (`c.newRequest(ctx, ...)`): judge by the context it is handed
    for (const a of args) {
      if (!looksLikeContext(a, this.ctx)) continue;
      const d = this.context(a, depth + 1);
      if (d.kind !== 'unknown') return d;
    }
    return UNKNOWN;
  }

  /** The deadline of a context expression. */
  context(expr: Node, depth = 0): Deadline {
    if (depth > MAX_DEPTH) return UNKNOWN;
    if (expr.type === 'parenthesized_expression' && expr.namedChildren[0]) return this.context(expr.namedChildren[0], depth + 1);
    if (expr.type === 'call_expression') {
      const segs = calleeSegments(expr);
      const q = resolveName(segs, this.ctx.imports);
      const args = argumentsOf(expr);
      if (q?.module === 'context') {
        if (DEADLINE_CTORS.includes(q.path)) return YES;
        if (INHERITING_CTORS.includes(q.path) && args[0]) return this.context(args[0], depth + 1);
        if (q.path === 'Background' || q.path === 'TODO' || q.path === 'WithoutCancel') return { kind: 'no', why: `its context is ${expr.text}, with no deadline` };
        return UNKNOWN;
      }
      // an incoming request's context ends when the caller hangs up, not after a time
      if (segs.length === 2 && segs[1] === 'Context' && args.length === 0 && this.isRequestParam(expr, segs[0]!)) {
        return { kind: 'no', why: `its context ${expr.text} (the incoming request's) has no deadline` };
      }
      return UNKNOWN;
    }
    if (expr.type !== 'identifier') return UNKNOWN;
    const value = lastAssignment(outerScope(expr), expr.text, expr.startIndex);
    if (value) return this.context(value, depth + 1);
    return this.fromCallers(expr, depth);
  }

  /** A `ctx context.Context` parameter: a deadline when every caller in this file passes one. */
  private fromCallers(expr: Node, depth: number): Deadline {
    for (const fn of enclosingFunctions(expr)) {
      const index = paramIndex(fn, expr.text, (type) => /(^|\.)Context$/.test(type));
      if (index === -2) continue; // not a parameter of this function: look further out
      if (index < 0 || fn.type === 'func_literal') return UNKNOWN;
      const name = fn.childForFieldName('name')?.text;
      if (!name) return UNKNOWN;
      // a library's exported API takes the caller's ctx, and the deadline is theirs to set (Go's convention)
      if (libraryApi(this.ctx, fn)) return UNKNOWN;
      const method = fn.type === 'method_declaration';
      const callers = this.ctx
        .calls()
        .filter((c) => (method ? c.segments.length >= 2 : c.segments.length === 1) && c.segments[c.segments.length - 1] === name && !(c.node.startIndex >= fn.startIndex && c.node.endIndex <= fn.endIndex));
      // callers in other files are not read: a deadline not seen is not assumed
      if (callers.length === 0) return { kind: 'no', why: `its context ${expr.text} comes from the callers of ${name}, and none in this file gives it a deadline` };
      let unknown = false;
      for (const c of callers) {
        const arg = argumentsOf(c.node)[index];
        const d = arg ? this.context(arg, depth + 1) : UNKNOWN;
        if (d.kind === 'no') return { kind: 'no', why: `its context ${expr.text} comes from the call of ${name}${placeOf(c.node)}, where the context ${d.why.replace(/^its context /, '')}` };
        if (d.kind === 'unknown') unknown = true;
      }
      return unknown ? UNKNOWN : YES;
    }
    return UNKNOWN;
  }

  /** `name` is the request parameter of a handler (beside a ResponseWriter), not a RoundTripper's outgoing request. */
  private isRequestParam(at: Node, name: string): boolean {
    return enclosingFunctions(at).some(
      (fn) =>
        paramIndex(fn, name, (type) => /^\*(\w+\.)?Request$/.test(type)) >= 0 &&
        fn.childForFieldName('parameters')?.namedChildren.some((p) => /(^|\.)ResponseWriter$/.test(p?.childForFieldName('type')?.text ?? '')) === true,
    );
  }
}

/**
 * Position of parameter `name` in a function's parameter list when its type passes `typeOk`;
 * -1 when the parameter exists with another type, -2 when there is no such parameter.
 */
function paramIndex(fn: Node, name: string, typeOk: (type: string) => boolean): number {
  let i = 0;
  for (const p of fn.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p?.type !== 'parameter_declaration' && p?.type !== 'variadic_parameter_declaration') continue;
    const names = p.childrenForFieldName('name').filter((n): n is Node => n !== null);
    for (const n of names.length > 0 ? names : [null]) {
      if (n?.text === name) return typeOk(p.childForFieldName('type')?.text ?? '') ? i : -1;
      i++;
    }
  }
  return -2;
}

function looksLikeContext(arg: Node, ctx: RuleContext): boolean {
  if (arg.type === 'identifier') return /ctx|context/i.test(arg.text);
  if (arg.type === 'call_expression') return resolveName(calleeSegments(arg), ctx.imports)?.module === 'context';
  return false;
}

/**
 * Names of local test servers: bound to `httptest.NewServer` & co or to a helper named like
 * `NewTestServer()`, or declared `*httptest.Server`. Requests to their `.URL` never leave the process.
 */
export function testServerNames(ctx: RuleContext): string[] {
  const out: string[] = [];
  for (const call of ctx.calls()) {
    const q = call.qualified;
    const last = call.segments[call.segments.length - 1] ?? '';
    if (!(q?.module === 'net/http/httptest' && /^New(TLS|Unstarted)?Server$/.test(q.path)) && !/TestServer$/i.test(last)) continue;
    const decl = call.node.parent?.parent;
    const left = decl?.childForFieldName('left') ?? null;
    const name = left?.namedChildren[0]?.text ?? (decl?.type === 'var_spec' ? decl.childForFieldName('name')?.text : undefined);
    if (name) out.push(name.split('.').pop()!);
  }
  const servers = [...ctx.imports.bindings].filter(([, b]) => b.module === 'net/http/httptest' && !b.member).map(([n]) => n);
  if (servers.length > 0) {
    const typeRe = new RegExp(`^\\*?(${servers.map(escapeRegExp).join('|')})\\.Server$`);
    for (const d of ctx.nodes(['parameter_declaration', 'field_declaration', 'var_spec'])) {
      if (!typeRe.test(d.childForFieldName('type')?.text ?? '')) continue;
      for (const n of d.childrenForFieldName('name')) if (n) out.push(n.text);
    }
  }
  return out;
}

/** Whether code mentions a test server's URL or client (`srv.URL + "/x"`, `srv.Client()`). */
export function mentionsTestServer(text: string, servers: readonly string[]): boolean {
  return servers.length > 0 && new RegExp(`\\b(${servers.map(escapeRegExp).join('|')})\\.(URL|Client\\(\\))`).test(text);
}

/**
 * An exported function or method of a library package: not `package main`, not under `cmd/` or
 * `internal/`. Its caller is the library's user, who sets the deadline on the context it passes or
 * on the client it is handed.
 */
export function libraryApi(ctx: RuleContext, fn: Node): boolean {
  if (!/^[A-Z]/.test(fn.childForFieldName('name')?.text ?? '')) return false;
  if (/(^|\/)(cmd|internal|main)\//.test(ctx.file)) return false;
  const pkg = ctx.tree.rootNode.namedChildren.find((c) => c?.type === 'package_clause');
  return pkg !== undefined && pkg !== null && !/\bmain$/.test(pkg.text);
}
