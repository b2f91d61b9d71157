import type { Node } from 'web-tree-sitter';
import type { FixHint } from '../findings';
import { isJsFamily } from '../languages';
import { calleeSegments, callTypes, indentOf, isComment, rangeOf, statementsOf } from '../syntax';
import type { Rule, RuleContext } from './context';
import { commentedEmpty, documented, parseOrDefault, reportsOrExits, walkCallbackError } from './deliberateSwallow';
import { jsProbe, promiseProbe } from './jsProbes';
import { swallowDoubt } from './swallowConfidence';
import { cleanupOfFailure, elsePredicate, failover, keepsRawInput, localFileDefault, optionalImport, readsDetailForRaise, recordsTelemetry } from './swallowShapes';
import { dropsWrite, expectedByType } from './typedHandlers';
import { insertAt, replaceNode } from './fixes';
import { buildingErrorReport, closesQuietly, contractReturn, fallbackChain, logsAfter, lookupOnly, returnAfter, tryBody, tryOf } from './swallowIdioms';

const RAISE = ['throw_statement', 'raise_statement'];

/** `swallowed-error`: an error path that neither propagates nor logs. */
export const swallowedError: Rule = {
  id: 'swallowed-error',
  languages: ['typescript', 'tsx', 'javascript', 'python', 'go', 'java'],
  check(ctx) {
    if (ctx.language === 'go') {
      checkGo(ctx);
      return checkGoBlankErr(ctx);
    }
    const handlers = ctx.nodes([isJsFamily(ctx.language) ? 'catch_clause' : ctx.language === 'python' ? 'except_clause' : 'catch_clause']);
    for (const h of handlers) checkHandler(ctx, h);
    if (isJsFamily(ctx.language)) checkPromiseCatch(ctx);
  },
};

/** The bound error name and the body of a catch/except clause. */
function handlerParts(ctx: RuleContext, h: Node): { name: string | null; body: Node | null; types: string } {
  if (ctx.language === 'python') {
    const value = h.childForFieldName('value') ?? h.namedChildren.find((c) => c !== null && c.type !== 'block' && !isComment(c)) ?? null;
    const alias = value?.type === 'as_pattern' ? (value.childForFieldName('alias')?.text ?? null) : null;
    const types = value?.type === 'as_pattern' ? (value.namedChildren[0]?.text ?? '') : (value?.text ?? '');
    return { name: alias, body: h.namedChildren.find((c) => c?.type === 'block') ?? null, types };
  }
  if (ctx.language === 'java') {
    const param = h.namedChildren.find((c) => c?.type === 'catch_formal_parameter');
    return { name: param?.childForFieldName('name')?.text ?? null, body: h.childForFieldName('body'), types: param?.text ?? '' };
  }
  const p = h.childForFieldName('parameter');
  return { name: p?.type === 'identifier' ? p.text : null, body: h.childForFieldName('body'), types: '' };
}

/** Whether a body propagates (throws, uses the error, calls a logger) the error. */
function handles(ctx: RuleContext, body: Node, name: string | null): boolean {
  if (body.descendantsOfType(RAISE).length > 0) return true;
  if (name && body.descendantsOfType('identifier').some((i) => i?.text === name)) return true;
  for (const call of body.descendantsOfType(callTypes(ctx.language))) {
    if (!call) continue;
    if (ctx.isLogCall(call) || reportsOrExits(call)) return true;
    // Java: restoring the interrupt flag is the correct handling of InterruptedException
    if (/\binterrupt\(\)$/.test(call.text)) return true;
    // Python: the active exception read without a name (`sys.exc_info()`, `traceback.format_exc()`),
    // re-raised by a helper (`reraise(*exc_info)`) or handed to an error reporter (`capture_exception(e)`)
    if (ctx.language === 'python' && /^(sys\.exc_info|sys\.exception|traceback\.\w+|(\w+\.)*_?capture_\w*exception\w*)$/.test(calleeSegments(call).join('.'))) return true;
    // a helper that raises for the handler (`raise_exception()`, `_capture_and_reraise()`, `throwApiError(res)`)
    if (/(^|_)(re)?raise(_|$)|^(re)?raise|^throw[A-Z_]|_throw(_|$)/.test(calleeSegments(call).pop() ?? '')) return true;
    // JS: reject()/next()/callback() hand the failure on even without the error object
    if (isJsFamily(ctx.language) && /^(reject|next|done|cb|callback|fail)$/.test(call.childForFieldName('function')?.text ?? '')) return true;
  }
  // Python bare `raise` inside the handler body is a raise_statement; `sys.exit` etc. count as calls above
  return false;
}

function checkHandler(ctx: RuleContext, h: Node): void {
  const { name, body, types } = handlerParts(ctx, h);
  if (!body) return;
  // optional-dependency idiom: `except ImportError: X = None`
  if (ctx.language === 'python' && /\b(ImportError|ModuleNotFoundError)\b/.test(types)) return;
  const stmts = statementsOf(body).filter((s) => !(s.type === 'expression_statement' && s.namedChildren[0]?.type === 'string'));
  const empty = stmts.length === 0 || stmts.every((s) => s.type === 'pass_statement' || (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'ellipsis'));
  if (!empty && handles(ctx, body, name)) return;
  if ((!empty && parseOrDefault(h, stmts)) || documented(ctx, h)) return;
  if (acknowledged(ctx, h, name, empty)) return;
  const l = ctx.language;
  const tryStmt = tryOf(h);
  if (expectedByType(l, types) && !dropsWrite(l, types, tryStmt ? tryBody(tryStmt) : null, empty)) return;
  if (keepsRawInput(l, h, stmts, empty) || readsDetailForRaise(l, h) || optionalImport(l, h) || carveOut(ctx, h)) return;
  if (localFileDefault(l, h, stmts) || elsePredicate(l, h, stmts) || cleanupOfFailure(h) || recordsTelemetry(l, h) || failover(h, stmts)) return;
  if (isJsFamily(l) && jsProbe(h, stmts)) return;
  if ((l === 'python' || l === 'java') && deliberateIdiom(ctx, h, types, stmts, empty)) return;
  const what = ctx.language === 'python' ? 'except' : 'catch';
  const message = empty ? `empty ${what} swallows the error: nothing logs or rethrows it, and no comment says why` : `${what} falls back without logging or rethrowing the error, and no comment says why`;
  ctx.report('swallowed-error', h, message, logFix(ctx, body, name, stmts), undefined, swallowDoubt(l, types) ?? undefined);
}

/**
 * The author acknowledged the drop: a comment in an empty handler (ESLint's `no-empty` convention),
 * or, in Java, a catch parameter named `ignored`/`expected` (the IntelliJ and Error Prone convention).
 */
function acknowledged(ctx: RuleContext, h: Node, name: string | null, empty: boolean): boolean {
  if (empty && commentedEmpty(ctx, h)) return true;
  return ctx.language === 'java' && name !== null && /^(ignored?|expected)$/.test(name);
}

/**
 * A handler carved out before one that handles: `except RequestException: pass` then `except
 * Exception as e: log.warning(e)`. The author weighed the failures and chose to drop only this one.
 */
function carveOut(ctx: RuleContext, h: Node): boolean {
  for (let next = h.nextNamedSibling; next; next = next.nextNamedSibling) {
    if (next.type !== h.type) continue;
    const { name, body } = handlerParts(ctx, next);
    if (body && handles(ctx, body, name)) return true;
  }
  return false;
}

/** Python/Java idioms of a deliberate swallow (swallowIdioms.ts), cheapest first. */
function deliberateIdiom(ctx: RuleContext, h: Node, types: string, stmts: Node[], empty: boolean): boolean {
  const l = ctx.language;
  return (
    logsAfter(ctx, h, empty) ||
    (empty && parseOrDefault(h, returnAfter(h, empty))) ||
    buildingErrorReport(ctx, h) ||
    closesQuietly(l, h, types, empty) ||
    fallbackChain(l, h, stmts) ||
    lookupOnly(l, h, stmts) ||
    contractReturn(l, h, types, stmts, empty)
  );
}

/** `promise.catch(() => fallback)` without logging. */
function checkPromiseCatch(ctx: RuleContext): void {
  for (const call of ctx.calls()) {
    if (call.segments[call.segments.length - 1] !== 'catch' || call.segments.length < 2) continue;
    const fn = call.node.childForFieldName('arguments')?.namedChildren[0];
    if (!fn || (fn.type !== 'arrow_function' && fn.type !== 'function_expression')) continue;
    const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
    const name = params?.descendantsOfType('identifier')[0]?.text ?? (params?.type === 'identifier' ? params.text : null);
    const body = fn.childForFieldName('body');
    if (!body || handles(ctx, body, name) || documented(ctx, fn) || promiseProbe(call.node, call.segments[0])) continue;
    ctx.report('swallowed-error', call.node, '.catch() replaces the error with a fallback without logging it, and no comment says why', undefined, undefined, swallowDoubt(ctx.language) ?? undefined);
  }
}

/** Go: `if err != nil { return nil }` (or an empty block) that drops err. */
function checkGo(ctx: RuleContext): void {
  for (const stmt of ctx.nodes(['if_statement'])) {
    const cond = stmt.childForFieldName('condition');
    if (cond?.type !== 'binary_expression') continue;
    const left = cond.childForFieldName('left');
    const right = cond.childForFieldName('right');
    if (right?.type !== 'nil' || left?.type !== 'identifier' || !/^(err|\w*Err|\w*Error)$/.test(left.text) || !cond.text.includes('!=')) continue;
    const body = stmt.childForFieldName('consequence');
    if (!body) continue;
    const name = left.text;
    const stmts = statementsOf(body);
    if (stmts.some((s) => s.type === 'continue_statement' || s.type === 'break_statement' || s.type === 'goto_statement')) continue; // loop control: a different concern
    // only the dropping shapes: an empty block, or a return whose error slot is nil
    const returns = body.descendantsOfType('return_statement').filter((r): r is Node => r !== null);
    const dropsOnReturn = returns.some((r) => /(^|,)\s*nil\s*$/.test(r.namedChildren[0]?.text ?? ''));
    if (stmts.length > 0 && !dropsOnReturn) continue;
    const usesErr = body.descendantsOfType('identifier').some((i) => i?.text === name);
    const calls = body.descendantsOfType('call_expression').filter((c): c is Node => c !== null);
    if (usesErr || calls.some((c) => ctx.isLogCall(c) || reportsOrExits(c))) continue;
    if (walkCallbackError(stmt, name) || documented(ctx, stmt) || (stmts.length === 0 && commentedEmpty(ctx, body))) continue;
    const message =
      stmts.length === 0
        ? `empty \`if ${name} != nil\` block drops the error: nothing logs or returns it, and no comment says why`
        : `\`if ${name} != nil\` returns nil instead of ${name}: the caller sees success, nothing is logged, and no comment says why`;
    ctx.report('swallowed-error', stmt, message, goFix(ctx, body, name, stmts));
  }
}

/** Go: `_ = err`, an error assigned to the blank identifier, named by the call it came from. */
function checkGoBlankErr(ctx: RuleContext): void {
  for (const stmt of ctx.nodes(['assignment_statement'])) {
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    if (left?.text !== '_' || !right || !/^(err|\w*Err|\w*Error)$/.test(right.text)) continue;
    if (documented(ctx, stmt)) continue;
    const source = errSource(stmt, right.text);
    const from = source ? ` of ${source}` : '';
    ctx.report('swallowed-error', stmt, `\`_ = ${right.text}\` discards the error${from}: nothing logs or returns it, and no comment says why`);
  }
}

/** The call whose error a name last received before a statement in the same block (`f, err := os.Open(p)` -> `os.Open`). */
function errSource(stmt: Node, name: string): string | null {
  for (let prev = stmt.previousNamedSibling; prev; prev = prev.previousNamedSibling) {
    if (prev.type !== 'short_var_declaration' && prev.type !== 'assignment_statement') continue;
    const names =
      prev
        .childForFieldName('left')
        ?.text.split(',')
        .map((n) => n.trim()) ?? [];
    if (!names.includes(name)) continue;
    const call = prev.childForFieldName('right')?.namedChildren.find((c) => c?.type === 'call_expression');
    return call?.childForFieldName('function')?.text ?? null;
  }
  return null;
}

function goFix(ctx: RuleContext, body: Node, name: string, stmts: Node[]): FixHint | undefined {
  const log = [...ctx.imports.bindings].find(([, b]) => b.module === 'log/slog' || b.module === 'log');
  if (!log) return undefined;
  const call = log[1].module === 'log/slog' ? `${log[0]}.Error("operation failed", "err", ${name})` : `${log[0]}.Printf("operation failed: %v", ${name})`;
  return insertLine(ctx, body, stmts, call);
}

/** Inserts a log call as the first statement of the handler body, using a logger the file already has. */
function logFix(ctx: RuleContext, body: Node, name: string | null, stmts: Node[]): FixHint | undefined {
  let call: string | null = null;
  if (isJsFamily(ctx.language)) {
    if (!name) return undefined;
    call = `console.error(${name});`;
  } else if (ctx.language === 'python') {
    const logger = pythonLogger(ctx);
    if (!logger) return undefined;
    call = `${logger}.exception("unexpected error")`;
  } else if (ctx.language === 'java') {
    const field = ctx.nodes(['variable_declarator']).find((d) => /getLogger|LoggerFactory|LogManager/.test(d.childForFieldName('value')?.text ?? ''));
    const logger = field?.childForFieldName('name')?.text;
    if (!logger || !name) return undefined;
    call = `${logger}.warn("unexpected error", ${name});`;
  }
  if (!call) return undefined;
  if (ctx.language === 'python' && stmts.length === 1 && stmts[0].type === 'pass_statement') {
    return { title: 'Log the error', edits: [replaceNode(stmts[0], call)] };
  }
  return insertLine(ctx, body, stmts, call);
}

function insertLine(ctx: RuleContext, body: Node, stmts: Node[], call: string): FixHint {
  const first = stmts[0] ?? body.namedChildren.find((c) => c !== null && isComment(c));
  if (first) {
    const r = rangeOf(first);
    return { title: 'Log the error', edits: [insertAt(r.line, r.column, `${call}\n${indentOf(ctx.text, first)}`)] };
  }
  // `{ }` (possibly on one line): rewrite the braces with the call on its own line
  const outer = indentOf(ctx.text, body.parent ?? body);
  const unit = ctx.language === 'go' || outer.includes('\t') ? '\t' : '    ';
  return { title: 'Log the error', edits: [replaceNode(body, `{\n${outer}${unit}${call}\n${outer}}`)] };
}

function pythonLogger(ctx: RuleContext): string | null {
  for (const a of ctx.nodes(['assignment'])) {
    if (a.parent?.parent?.type !== 'module') continue;
    if (/getLogger|get_logger/.test(a.childForFieldName('right')?.text ?? '')) return a.childForFieldName('left')?.text ?? null;
  }
  return ctx.imports.bindings.get('logging')?.module === 'logging' ? 'logging' : null;
}
