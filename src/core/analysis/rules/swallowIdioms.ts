import type { Node } from 'web-tree-sitter';
import type { Language } from '../findings';
import { calleeSegments, callTypes, isComment, statementsOf } from '../syntax';
import type { RuleContext } from './context';
import { broadCatch } from './typedHandlers';

// Python/Java swallow idioms a reviewer reads as deliberate even under a broad catch (issue 11 §1): a
// function whose name or documentation promises a default, fallback chains, closing quietly, a log
// right after the try, detail for an error report, data-only lookups. Narrow types are expected
// failures on their own (typedHandlers.ts).

const FUNCTION_TYPES = ['function_definition', 'method_declaration', 'constructor_declaration', 'lambda', 'lambda_expression', 'class_definition', 'class_body', 'module', 'program'];

/** The enclosing function; null inside a lambda, whose contract is its caller's business. */
function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) {
    if (!FUNCTION_TYPES.includes(p.type)) continue;
    return p.type === 'function_definition' || p.type === 'method_declaration' ? p : null;
  }
  return null;
}

/** The docstring (Python) or Javadoc (Java) of a function, '' when there is none. */
function docOf(fn: Node): string {
  if (fn.type === 'function_definition') {
    const first = fn.childForFieldName('body')?.namedChildren.find((c) => c !== null && !isComment(c));
    return first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first.text : '';
  }
  const prev = fn.previousNamedSibling;
  const inside = fn.namedChildren.find((c) => c?.type === 'block_comment');
  return [prev?.type === 'block_comment' ? prev.text : '', inside?.text ?? ''].join('\n');
}

/** The try statement a handler belongs to. */
export function tryOf(handler: Node): Node | null {
  const p = handler.parent;
  return p && /^try(_with_resources)?_statement$/.test(p.type) ? p : null;
}

/** The block of a try statement. */
export function tryBody(tryStmt: Node): Node | null {
  return tryStmt.childForFieldName('body') ?? tryStmt.namedChildren.find((c) => c?.type === 'block') ?? null;
}

/** The next statement after a node in its block, comments skipped. */
function nextStatement(node: Node): Node | null {
  let n = node.nextNamedSibling;
  while (n && isComment(n)) n = n.nextNamedSibling;
  return n;
}

const DEFAULT_TEXT = /^(null|None|False|false|True|true|\{\}|\[\]|""|''|0|-1|Optional\.empty\(\)|Collections\.empty\w*\(\)|(List|Set|Map)\.of\(\)|new \w+\[\]\s*\{\s*\})$/;

/** A constant, a name (a default parameter or constant) or an empty collection. */
function isDefaultValue(node: Node | null | undefined): boolean {
  if (!node) return true; // bare `return`
  return DEFAULT_TEXT.test(node.text.replace(/\s+/g, ' ').trim()) || /^(identifier|string|string_literal|integer|float|decimal_integer_literal|number|true|false|none|null_literal)$/.test(node.type);
}

function returnValue(stmt: Node): Node | null {
  return stmt.namedChildren.find((c) => c !== null && !isComment(c)) ?? null;
}

/** What the handler gives its caller: its own `return X`, or, for an empty handler, the `return X` right after the try. */
function fallbackReturn(tryStmt: Node, stmts: readonly Node[], empty: boolean): { value: Node | null } | null {
  if (stmts.length === 1 && stmts[0].type === 'return_statement') return { value: returnValue(stmts[0]) };
  if (!empty) return null;
  const next = nextStatement(tryStmt);
  const value = next?.type === 'return_statement' ? returnValue(next) : undefined;
  // `return login` after `try { login = load(); } catch {}` returns whatever the try got, not a default
  if (value === undefined || (value?.type === 'identifier' && targetsIn(tryBody(tryStmt) ?? tryStmt).has(value.text))) return null;
  return { value };
}

const NAME_CONTRACT = /(OrNull|OrNone|OrDefault|OrEmpty|OrElse\w*|_or_none|_or_null|_or_default|_or_empty)$|^_*(opt|try)([A-Z_]\w*)?$/;
const PREDICATE = /^_*(is|has|can|should|supports?|exists?|contains)([A-Z_]\w*)?$|(_exists|Exists|_available|Available)$/;

/**
 * A function whose contract says it answers with a default: by name (`getBodyOrNull`, `decodeOrDefault`,
 * `opt`, `tryParse`, `*_or_none`, any caught type), by its documentation (`@return ... or null if`,
 * `None if ...`, a quoted fallback value), and, in Java, a predicate (`is*`/`has*`/`can*`) or an
 * `@Override` without `throws` answering a default for the checked `IOException` (narrower types are
 * expected failures on their own: typedHandlers.ts).
 */
export function contractReturn(language: Language, handler: Node, types: string, stmts: readonly Node[], empty: boolean): boolean {
  const tryStmt = tryOf(handler);
  const fn = enclosingFunction(handler);
  if (!tryStmt || !fn) return false;
  const name = fn.childForFieldName('name')?.text ?? '';
  const back = fallbackReturn(tryStmt, stmts, empty);
  if (back && isDefaultValue(back.value)) {
    const v = back.value?.text ?? 'None';
    if (NAME_CONTRACT.test(name)) return true;
    if (documentsFallback(docOf(fn), v)) return true;
    if (language === 'java' && PREDICATE.test(name) && /^(False|false)$/.test(v) && !broadCatch(language, types)) return true;
    if (language === 'java' && !broadCatch(language, types) && inheritedContract(fn)) return true;
  }
  // the fallback assigned rather than returned, documented as the answer (`('unknown', 'unknown') if the server ...`)
  const values = assignedValues(stmts);
  return values !== null && values.length > 0 && values.every((v) => /^(string|string_literal)$/.test(v.type) && documentsFallback(docOf(fn), v.text));
}

/** Whether documentation names the fallback value as an answer. */
function documentsFallback(doc: string, value: string): boolean {
  if (!doc) return false;
  if (/^(None|null)$/.test(value)) return /\b(or|else|otherwise|returns?|return)\s+(`|\{@code\s+)?(null|None)\b|\b(null|None)`?\s+(if|when|on|for)\b/i.test(doc);
  if (/^(False|false)$/.test(value)) return /\b(or|else|otherwise)\s+`?false\b|\bfalse`?\s+(if|when|on|otherwise)\b/i.test(doc);
  const literal = /^(['"])(.{2,})\1$/.exec(value);
  return literal !== null && (doc.includes(`'${literal[2]}'`) || doc.includes(`"${literal[2]}"`));
}

/** A Java `@Override` with no `throws`: the inherited signature cannot carry the checked exception. */
function inheritedContract(fn: Node): boolean {
  const mods = fn.namedChildren.find((c) => c?.type === 'modifiers')?.text ?? '';
  return /@Override\b/.test(mods) && !fn.namedChildren.some((c) => c?.type === 'throws');
}

/** The right-hand sides of a handler made only of assignments, or null. */
function assignedValues(stmts: readonly Node[]): Node[] | null {
  const out: Node[] = [];
  for (const s of stmts) {
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : null;
    if (!a || (a.type !== 'assignment' && a.type !== 'assignment_expression')) return null;
    const right = a.childForFieldName('right');
    if (!right) return null;
    out.push(right);
  }
  return out;
}

/** Every target assigned anywhere in a node (`x = ...`, `self.x = ...`, `x = ...;`, `Type x = ...;`). */
function targetsIn(node: Node): Set<string> {
  const out = new Set<string>();
  for (const a of node.descendantsOfType(['assignment', 'assignment_expression', 'variable_declarator'])) {
    const left = a?.childForFieldName('left') ?? a?.childForFieldName('name');
    if (left) out.add(left.text);
  }
  return out;
}

/**
 * A fallback chain: the try does one thing (`tok = AutoTokenizer.from_pretrained(id)`, `return
 * fast.newInstance()`) and the handler does the same with another call or input (`tok = LlamaTokenizer...`,
 * `return new SlowExecutor()`, `ip = gethostbyname("localhost")`): trying A, then B.
 */
export function fallbackChain(language: Language, handler: Node, stmts: readonly Node[]): boolean {
  const tryStmt = tryOf(handler);
  const inner = tryStmt ? statementsOf(tryBody(tryStmt)) : [];
  if (inner.length !== 1 || stmts.length !== 1 || inner[0].type !== stmts[0].type) return false;
  const calls = new Set(callTypes(language));
  const shape = (s: Node): { target: string; value: Node } | null => {
    if (s.type === 'return_statement') {
      const v = returnValue(s);
      return v ? { target: 'return', value: v } : null;
    }
    const a = s.type === 'expression_statement' ? s.namedChildren[0] : null;
    const left = a?.childForFieldName('left');
    const right = a?.childForFieldName('right');
    return left && right ? { target: left.text, value: right } : null;
  };
  const a = shape(inner[0]);
  const b = shape(stmts[0]);
  if (!a || !b || a.target !== b.target || !calls.has(a.value.type) || !calls.has(b.value.type)) return false;
  // the same call with the same arguments is a retry, not a fallback
  if (a.value.text.replace(/\s+/g, '') === b.value.text.replace(/\s+/g, '')) return false;
  // the same operation from another provider or input: the same method name (`from_pretrained`,
  // `gethostbyname`), or constructing one implementation, then another; `Token.parse` then
  // `Token.legacy` is a different operation, and a broad catch around it stays a finding
  const op = (v: Node): string => {
    const segs = calleeSegments(v);
    const last = segs[segs.length - 1] ?? '';
    return v.type === 'object_creation_expression' || last === 'newInstance' || (language === 'python' && /^[A-Z]/.test(last) && segs.length === 1) ? 'new' : last;
  };
  return op(a.value) === op(b.value);
}

const CLOSER = /^(close\w*|shutdown\w*|disconnect|release|dispose|destroy|terminate|unlink|cancel|stop)$/;

/** Closing quietly: an empty handler (not `Exception`/`Throwable`) around nothing but `close()`/`shutdown()` calls. */
export function closesQuietly(language: Language, handler: Node, types: string, empty: boolean): boolean {
  const tryStmt = tryOf(handler);
  if (!empty || !tryStmt || broadCatch(language, types)) return false;
  const inner = statementsOf(tryBody(tryStmt));
  const calls = new Set(callTypes(language));
  return (
    inner.length > 0 &&
    inner.every((s) => {
      const call = s.type === 'expression_statement' ? s.namedChildren[0] : null;
      if (!call || !calls.has(call.type)) return false;
      const segs = calleeSegments(call);
      return CLOSER.test(segs[segs.length - 1]);
    })
  );
}

/** An empty handler whose try is followed at once by a log call: the failure is logged below it. */
export function logsAfter(ctx: RuleContext, handler: Node, empty: boolean): boolean {
  const tryStmt = tryOf(handler);
  const next = empty && tryStmt ? nextStatement(tryStmt) : null;
  const call = next?.type === 'expression_statement' ? next.namedChildren[0] : null;
  return call !== null && call !== undefined && callTypes(ctx.language).includes(call.type) && ctx.isLogCall(call);
}

/** The statement a handler falls through to when it is empty: the `return` right after its try. */
export function returnAfter(handler: Node, empty: boolean): Node[] {
  const tryStmt = empty ? tryOf(handler) : null;
  const next = tryStmt ? nextStatement(tryStmt) : null;
  return next?.type === 'return_statement' ? [next] : [];
}

/**
 * Detail gathered for an error report already being made: a handler inside the constructor of an
 * exception class, a method that builds an exception, or a lambda handed to a logger
 * (`LOGGER.log(FINEST, () -> ...)`). Failing to read the detail must not replace the report.
 */
export function buildingErrorReport(ctx: RuleContext, handler: Node): boolean {
  for (let p = handler.parent; p; p = p.parent) {
    if (p.type === 'lambda_expression' || p.type === 'lambda') {
      const call = p.parent?.parent;
      return call !== null && call !== undefined && callTypes(ctx.language).includes(call.type) && ctx.isLogCall(call);
    }
    if (p.type === 'method_declaration') return /(Exception|Error)$/.test(p.childForFieldName('type')?.text ?? '');
    if (p.type === 'function_definition') {
      if (!/^__(init|str|repr)__$/.test(p.childForFieldName('name')?.text ?? '')) return false;
      const cls = p.parent?.parent;
      return cls?.type === 'class_definition' && /(Error|Exception)\b/.test(cls.childForFieldName('superclasses')?.text ?? '');
    }
  }
  return false;
}

/**
 * A try around nothing but data access (`name = issue["fields"]["assignee"]["name"]`): with no call
 * in it, the only failures are a missing key, index or attribute, so a handler that sets a constant
 * is a lookup miss with a default, whatever type it names.
 */
export function lookupOnly(language: Language, handler: Node, stmts: readonly Node[]): boolean {
  const tryStmt = tryOf(handler);
  const inner = tryStmt ? tryBody(tryStmt) : null;
  if (!inner || statementsOf(inner).length === 0 || inner.descendantsOfType(callTypes(language)).length > 0) return false;
  if (inner.descendantsOfType(['subscript', 'array_access', 'attribute', 'field_access']).length === 0) return false;
  const values = assignedValues(stmts);
  return values !== null && values.length > 0 && values.every((v) => isDefaultValue(v) && v.type !== 'identifier');
}
