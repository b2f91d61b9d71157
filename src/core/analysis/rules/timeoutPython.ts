import type { Node } from 'web-tree-sitter';
import { argumentsOf, calleeSegments, hasKwargsSplat, indentOf, keywordArgument, positionalArguments, rangeOf, stringValue } from '../syntax';
import type { CallSite, RuleContext } from './context';
import { appendArgument, fix, insertAt, replaceNode } from './fixes';
import { checkAiohttpCall, checkAiohttpSessionCall, collectAiohttpSessions } from './aiohttpTimeouts';
import { collectSessions, unsafeSessionAt } from './pythonSessions';

const VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'request'];

function dotted(call: CallSite): string | null {
  const q = call.qualified;
  return q ? (q.path ? `${q.module}.${q.path}` : q.module) : null;
}

/** Checks Python calls for missing timeouts (requests, httpx, urllib; aiohttp in aiohttpTimeouts.ts). */
export function checkPythonTimeouts(ctx: RuleContext): void {
  const seconds = formatSeconds(ctx.options.fixTimeoutMs);
  const sessions = collectSessions(ctx);
  const aiohttpSessions = collectAiohttpSessions(ctx);
  for (const call of ctx.calls()) {
    const name = dotted(call);
    const node = call.node;
    if (name && /^requests(\.api)?\.(get|post|put|patch|delete|head|options|request)$/.test(name)) {
      requireTimeout(ctx, node, `no timeout on ${name.replace('.api', '')}`, seconds);
    } else if (name && /^httpx\.(get|post|put|patch|delete|head|options|request|stream|Client|AsyncClient|Timeout)$/.test(name)) {
      const t = name === 'httpx.Timeout' ? (positionalArguments(node)[0] ?? keywordArgument(node, 'timeout')) : keywordArgument(node, 'timeout');
      // `def embed(..., timeout=httpx.Timeout(None))`: a parameter's default; the callers pass the deadline
      if (t?.type === 'none' && !isParameterDefault(node) && !inProcessTransport(ctx, node))
        ctx.report('missing-timeout', node, `timeout disabled on ${name} (timeout=None)`, fix('Set a timeout', replaceNode(t, seconds)));
    } else if (name === 'urllib.request.urlopen') {
      if (!keywordArgument(node, 'timeout') && positionalArguments(node).length < 3 && !hasKwargsSplat(node)) {
        ctx.report('missing-timeout', node, 'no timeout on urllib.request.urlopen', fix('Add timeout=', appendArgument(node, `timeout=${seconds}`)));
      }
    } else if (!checkAiohttpCall(ctx, call, seconds)) {
      const receiver = call.segments.slice(0, -1).join('.');
      const method = call.segments[call.segments.length - 1];
      const session = sessions.get(receiver);
      if (session && VERBS.includes(method) && unsafeSessionAt(ctx, node, receiver, session) && !reboundToOtherLibrary(ctx, node, receiver)) {
        requireTimeout(ctx, node, `no timeout on requests.Session.${method}`, seconds);
      } else {
        checkAiohttpSessionCall(ctx, call, aiohttpSessions, seconds);
      }
    }
  }
}

function requireTimeout(ctx: RuleContext, node: Node, message: string, seconds: string): void {
  const t = keywordArgument(node, 'timeout');
  if (t && t.type !== 'none') return;
  const splats = argumentsOf(node).filter((a) => a.type === 'dictionary_splat');
  let passThrough: PassThrough | null = null;
  for (const s of splats) {
    // with an explicit `timeout=None` a `**` value cannot carry another one (it would be a TypeError)
    if (t) break;
    const e = s.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!e) return;
    if (dictLacksTimeout(ctx, e)) continue;
    const own = ownKwargs(ctx, node, e);
    if (!own) return; // a `**` value we cannot see into may carry it
    passThrough = own;
  }
  if (passThrough) {
    const { name } = passThrough;
    const edit = setdefaultEdit(ctx, node, passThrough, seconds);
    ctx.report('missing-timeout', node, `${message} unless every caller passes one through **${name}`, edit ? fix(`Default the timeout: ${name}.setdefault("timeout", ${seconds})`, edit) : undefined);
    return;
  }
  const edit = t ? replaceNode(t, seconds) : appendArgument(node, `timeout=${seconds}`);
  ctx.report('missing-timeout', node, t ? message.replace('no timeout', 'timeout=None') : message, fix('Add timeout=', edit));
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(3).replace(/0+$/, '');
}

/**
 * Sessions are known by name for the whole module, so `async with aiohttp.ClientSession() as
 * session` in one function must not turn its `session.request(...)` into a requests call because
 * another function has `session = requests.Session()`: a binding of the name, in the call's own
 * function, to a call of another imported library wins.
 */
function reboundToOtherLibrary(ctx: RuleContext, call: Node, receiver: string): boolean {
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition') fn = fn.parent;
  if (!fn) return false;
  const f = fn;
  return ctx.calls().some((c) => {
    if (c.node.startIndex < f.startIndex || c.node.endIndex > f.endIndex || !c.qualified || c.qualified.module === 'requests') return false;
    const p = c.node.parent;
    const target = p?.type === 'assignment' ? p.childForFieldName('left') : p?.type === 'as_pattern' ? p.childForFieldName('alias') : null;
    return target?.text === receiver;
  });
}

/**
 * `requests.post(**self._post_kwargs(...))`: a `**` argument that is a dict literal, a `dict(...)`
 * call, or a call to the one function of this file with that name whose every `return` is one of
 * those has known options, so a missing `timeout` is a finding.
 */
/** true: a dict without `timeout`; false: it has one, or we cannot tell. */
function dictLacksTimeout(ctx: RuleContext, e: Node): boolean {
  const literal = literalLacksTimeout(e);
  if (literal !== null) return literal;
  if (e.type !== 'call') return false;
  const segs = calleeSegments(e);
  const local = segs.length === 1 && !ctx.imports.bindings.has(segs[0]);
  const method = segs.length === 2 && (segs[0] === 'self' || segs[0] === 'cls');
  if (!local && !method) return false;
  const defs = ctx.nodes(['function_definition']).filter((d) => d.childForFieldName('name')?.text === segs[segs.length - 1]);
  if (defs.length !== 1) return false;
  const returns = ownReturns(defs[0]);
  return (
    returns.length > 0 &&
    returns.every((r) => {
      const value = r.namedChildren.find((c) => c !== null && c.type !== 'comment');
      return value ? literalLacksTimeout(value) === true : false;
    })
  );
}

/** A dict literal or `dict(...)` call: true without a `timeout` key, false with one; null when not such a literal or it spreads something in. */
function literalLacksTimeout(e: Node): boolean | null {
  if (e.type === 'dictionary') {
    for (const c of e.namedChildren) {
      if (c?.type === 'dictionary_splat') return null;
      if (c?.type === 'pair' && stringValue(c.childForFieldName('key')) === 'timeout') return false;
    }
    return true;
  }
  if (e.type === 'call' && e.childForFieldName('function')?.text === 'dict') {
    if (keywordArgument(e, 'timeout')) return false;
    return argumentsOf(e).every((a) => a.type === 'keyword_argument') ? true : null;
  }
  return null;
}

/** The return statements of a function, not those of functions or lambdas nested in it. */
function ownReturns(fn: Node): Node[] {
  return fn.descendantsOfType('return_statement').filter((r): r is Node => {
    if (!r) return false;
    for (let p = r.parent; p && p.id !== fn.id; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return false;
    return true;
  });
}

/** A wrapper's own `**name` parameter passed on to the call, and the function that declares it. */
interface PassThrough {
  name: string;
  fn: Node;
}

// uses of the `**` dict that cannot put a `timeout` into it
const READ_ONLY_METHODS = new Set(['get', 'pop', 'items', 'keys', 'values', 'copy']);

/**
 * `def get(self, url, **kwargs): return requests.get(url, **kwargs)`: the splat is the enclosing
 * function's own `**` parameter, and nothing in that function can have put a `timeout` into it
 * (no `'timeout'` string in it, the dict only read, no decorator that talks about timeouts). Then
 * the call has no timeout unless every caller passes one. Null otherwise.
 */
function ownKwargs(ctx: RuleContext, call: Node, e: Node): PassThrough | null {
  if (e.type !== 'identifier') return null;
  let fn: Node | null = call.parent;
  while (fn && fn.type !== 'function_definition' && fn.type !== 'lambda') fn = fn.parent;
  const params = fn?.childForFieldName('parameters');
  if (!fn || !params) return null;
  // `**kwargs` or, annotated, `**kwargs: Any` (a typed_parameter around the pattern)
  const declared = params.namedChildren.some((p) => {
    const pattern = p?.type === 'typed_parameter' ? p.namedChildren[0] : p;
    return pattern?.type === 'dictionary_splat_pattern' && pattern.namedChildren[0]?.text === e.text;
  });
  if (!declared) return null;
  const body = fn.childForFieldName('body');
  if (!body || mentionsTimeout(body) || !onlyReadsDict(body, e.text)) return null;
  if (fn.parent?.type === 'decorated_definition' && decoratorsMentionTimeout(ctx, fn.parent)) return null;
  return { name: e.text, fn };
}

/** A `'timeout'` key anywhere in the wrapper (`kwargs.get('timeout')`, `'timeout' in kwargs`): it deals with it. */
function mentionsTimeout(body: Node): boolean {
  return body.descendantsOfType('string').some((s) => s !== null && stringValue(s) === 'timeout');
}

/** Every use of `name` in the body is the `**name` of a call or a read (`.get`, `[key]`, `in`). */
function onlyReadsDict(body: Node, name: string): boolean {
  return body.descendantsOfType('identifier').every((id) => {
    if (!id || id.text !== name) return true;
    const p = id.parent;
    if (!p) return false;
    if (p.type === 'dictionary_splat' && p.parent?.type === 'argument_list') return true;
    if (p.type === 'attribute' && p.childForFieldName('object')?.id === id.id) return READ_ONLY_METHODS.has(p.childForFieldName('attribute')?.text ?? '');
    if (p.type === 'subscript' && p.childForFieldName('value')?.id === id.id) return !isAssignedTo(p);
    if (p.type === 'comparison_operator') return /\bin\b/.test(p.text.slice(0, id.startIndex - p.startIndex)) && p.lastNamedChild?.id === id.id;
    return false;
  });
}

/** Whether a node is the target of an assignment, an augmented assignment or a `del`. */
function isAssignedTo(n: Node): boolean {
  const p = n.parent;
  if (!p) return false;
  if (p.type === 'assignment' || p.type === 'augmented_assignment') return p.childForFieldName('left')?.id === n.id;
  return p.type === 'delete_statement' || (p.type === 'expression_list' && isAssignedTo(p)) || (p.type === 'pattern_list' && isAssignedTo(p));
}

/** A decorator that mentions a timeout, or names a function of this file that does, may set one in the kwargs. */
function decoratorsMentionTimeout(ctx: RuleContext, decorated: Node): boolean {
  return decorated.namedChildren.some((d) => {
    if (d?.type !== 'decorator') return false;
    if (/timeout/i.test(d.text)) return true;
    const head = /^@\s*([\w.]+)/.exec(d.text)?.[1].split('.').pop();
    return ctx.nodes(['function_definition']).some((f) => f.childForFieldName('name')?.text === head && /timeout/i.test(f.text));
  });
}

/**
 * `kwargs.setdefault("timeout", 10)` on a line of its own before the statement holding the call:
 * the caller's own timeout still wins. Only when that statement starts its line inside the
 * function and uses the dict nowhere else (so no other call starts receiving a timeout).
 */
function setdefaultEdit(ctx: RuleContext, call: Node, own: PassThrough, seconds: string): ReturnType<typeof insertAt> | null {
  let stmt: Node | null = call;
  while (stmt && stmt.parent?.type !== 'block') stmt = stmt.parent;
  while (stmt && stmt.id !== own.fn.id) {
    const lineStart = ctx.text.lastIndexOf('\n', stmt.startIndex - 1) + 1;
    if (stmt.parent?.type === 'block' && /^[ \t]*$/.test(ctx.text.slice(lineStart, stmt.startIndex))) break;
    stmt = stmt.parent;
  }
  if (!stmt || stmt.id === own.fn.id || own.fn.type !== 'function_definition') return null;
  const s = stmt;
  const elsewhere = s.descendantsOfType('identifier').some((id) => id !== null && id.text === own.name && (id.startIndex < call.startIndex || id.endIndex > call.endIndex));
  if (elsewhere) return null;
  return insertAt(rangeOf(s).line, 1, `${indentOf(ctx.text, s)}${own.name}.setdefault("timeout", ${seconds})\n`);
}

/** Whether a call is the default value of a function parameter (`timeout: T = httpx.Timeout(None)`). */
function isParameterDefault(call: Node): boolean {
  const p = call.parent;
  return (p?.type === 'default_parameter' || p?.type === 'typed_default_parameter') && p.childForFieldName('value')?.id === call.id;
}

const IN_PROCESS = /^(ASGITransport|WSGITransport|MockTransport)$/;

/**
 * Whether the client being configured answers in-process: a sibling `transport=` argument or
 * `"transport":` key that is an `httpx.ASGITransport`/`WSGITransport`/`MockTransport`, directly or
 * through a module-level name. No socket, nothing to wait for (as a Go stub transport).
 */
function inProcessTransport(ctx: RuleContext, call: Node): boolean {
  let holder: Node | null = call.parent;
  while (holder && holder.type !== 'argument_list' && holder.type !== 'dictionary') holder = holder.parent;
  if (!holder) return false;
  for (const item of holder.namedChildren) {
    if (!item) continue;
    const key = item.type === 'keyword_argument' ? item.childForFieldName('name')?.text : item.type === 'pair' ? stringValue(item.childForFieldName('key')) : null;
    if (key !== 'transport') continue;
    let value = item.childForFieldName('value');
    if (value?.type === 'identifier') {
      const name = value.text;
      const assigned = ctx.nodes(['assignment']).find((a) => a.parent?.parent?.type === 'module' && a.childForFieldName('left')?.text === name);
      value = assigned?.childForFieldName('right') ?? null;
    }
    if (value?.type === 'call') {
      const segs = calleeSegments(value);
      return IN_PROCESS.test(segs[segs.length - 1] ?? '');
    }
  }
  return false;
}
