import type { Node } from 'web-tree-sitter';
import type { Language } from '../findings';
import { calleeSegments, callTypes, isComment, statementsOf } from '../syntax';
import { tryBody, tryOf } from './swallowIdioms';

// Swallow shapes a reviewer reads as deliberate in every language (issue 11 §1): keeping the raw
// input when a transformation of it fails, reading detail for an error already being raised, and
// probing an optional dependency.

const FUNCTIONS = [
  'function_definition',
  'function_declaration',
  'method_definition',
  'method_declaration',
  'arrow_function',
  'function_expression',
  'function',
  'generator_function_declaration',
  'lambda',
  'lambda_expression',
];

function enclosingFunction(node: Node): Node | null {
  for (let p = node.parent; p; p = p.parent) if (FUNCTIONS.includes(p.type)) return p;
  return null;
}

/** `str(x)`, `String(x)`, `String.valueOf(x)`, `x.toString()`, `repr(x)`, or `x` itself: the raw value named `x`, or null. */
function rawName(node: Node | null | undefined): string | null {
  if (!node) return null;
  if (node.type === 'identifier') return node.text;
  const m = /^(?:str|repr|String|String\.valueOf)\(\s*([A-Za-z_$][\w$]*)\s*\)$|^([A-Za-z_$][\w$]*)\.toString\(\)$/.exec(node.text.replace(/\s+/g, ''));
  return m ? (m[1] ?? m[2]) : null;
}

/** Identifiers passed as arguments to calls inside a node. */
function argumentNames(node: Node, language: Language): Set<string> {
  const out = new Set<string>();
  for (const call of node.descendantsOfType(callTypes(language))) {
    const args = call?.childForFieldName('arguments');
    for (const id of args?.descendantsOfType('identifier') ?? []) if (id) out.add(id.text);
  }
  return out;
}

/** The target and value of an assignment statement (`x = v`, `x = v;`, `o[k] = v`), or null. */
function assignment(stmt: Node): { target: string; value: Node } | null {
  const a = stmt.type === 'expression_statement' ? stmt.namedChildren.find((c) => c !== null && !isComment(c)) : null;
  if (!a || (a.type !== 'assignment' && a.type !== 'assignment_expression')) return null;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  return left && right ? { target: left.text, value: right } : null;
}

/**
 * Keeping the raw input: the try transforms a value (`return json.dumps(output)`, `str =
 * decodeURIComponent(str)`, `props[k] = getBoolean(k, v)`, `open(key_or_path)`) and the handler gives
 * that value back unchanged (`return str(output)`, `props[k] = v`, `key = key_or_path`) or, when empty,
 * leaves the variable the try was rewriting from itself. Nothing is lost: the caller gets what it
 * passed in.
 */
export function keepsRawInput(language: Language, handler: Node, stmts: readonly Node[], empty: boolean): boolean {
  const tryStmt = tryOf(handler);
  const body = tryStmt ? tryBody(tryStmt) : null;
  if (!body) return false;
  const inner = statementsOf(body);
  if (empty) {
    // `str = decodeURIComponent(str)` alone in the try: on failure `str` keeps its raw value
    const a = inner.length === 1 ? assignment(inner[0]) : null;
    return a !== null && callTypes(language).includes(a.value.type) && argumentNames(a.value, language).has(a.target);
  }
  if (stmts.length !== 1) return false;
  const s = stmts[0];
  const used = argumentNames(body, language);
  if (s.type === 'return_statement') {
    const name = rawName(s.namedChildren.find((c) => c !== null && !isComment(c)));
    return name !== null && used.has(name);
  }
  const a = assignment(s);
  if (!a) return false;
  const name = rawName(a.value);
  const assignedInTry = inner.some((t) => assignment(t)?.target === a.target) || body.descendantsOfType(['assignment', 'assignment_expression']).some((x) => x?.childForFieldName('left')?.text === a.target);
  return name !== null && used.has(name) && assignedInTry;
}

/**
 * Detail read for an error already being raised: a handler in a function named for raising
 * (`_raise_for_error`, `throwApiError`) or whose last statement raises (`raise VaultError(...)`,
 * `throw new ApiError(...)`, `utils.raise_for_error(...)`). Failing to read the body's text must
 * not replace the error the function exists to raise.
 */
export function readsDetailForRaise(language: Language, handler: Node): boolean {
  const fn = enclosingFunction(handler);
  if (!fn) return false;
  if (/^_*(raise|throw)/i.test(fn.childForFieldName('name')?.text ?? '')) return true;
  const stmts = statementsOf(fn.childForFieldName('body'));
  const last = stmts[stmts.length - 1];
  if (!last) return false;
  if (last.type === 'raise_statement' || last.type === 'throw_statement') return true;
  const call = last.type === 'expression_statement' ? last.namedChildren[0] : null;
  if (!call || !callTypes(language).includes(call.type)) return false;
  const segs = calleeSegments(call);
  return /^(raise|throw)\w*$/i.test(segs[segs.length - 1] ?? '');
}

/**
 * Python: probing an optional dependency. The try imports a module (`import argcomplete`,
 * `import importlib.metadata`) and calls nothing but what it imported (`argcomplete.autocomplete(parser)`,
 * `importlib.metadata.version("jira")`): a missing or broken extra turns the feature off, whatever
 * the handler catches.
 */
export function optionalImport(language: Language, handler: Node): boolean {
  if (language !== 'python') return false;
  const tryStmt = tryOf(handler);
  const body = tryStmt ? tryBody(tryStmt) : null;
  if (!body) return false;
  const imported = new Set<string>();
  for (const imp of body.descendantsOfType(['import_statement', 'import_from_statement'])) {
    if (!imp) continue;
    for (const n of imp.descendantsOfType(['dotted_name', 'aliased_import'])) {
      if (!n) continue;
      const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : null;
      imported.add(alias ?? n.text.split('.')[0]);
    }
  }
  if (imported.size === 0) return false;
  return body.descendantsOfType('call').every((c) => c !== null && imported.has(calleeSegments(c)[0]));
}

// calls that only touch the local machine: a file, its metadata, the user database, parsing what was read
const LOCAL_FILE = /^(open|read|readline|readlines|read_text|read_bytes|load|loads|safe_load|stat|lstat|getpwuid|getgrgid|islice|get|str|int|list|len|strip|splitlines|expanduser|exists|is_file|isfile|Path)$/;
const OPENS_FILE = /^(open|read_text|read_bytes|stat|lstat)$/;
const CONSTANT = /^(string|integer|float|true|false|none|list|dictionary|tuple)$/;

/**
 * Python: a local file read with a default. The try only opens, reads, stats or parses a file on this
 * machine (`with open(cfg) as f: name = json.load(f).get("currentContext")`, `os.stat(p).st_uid`)
 * and the handler answers a constant (`return "default"`, `owner = "unknown"`, `return []`): an
 * unreadable optional file is the case, not an incident in production traffic.
 */
export function localFileDefault(language: Language, handler: Node, stmts: readonly Node[]): boolean {
  if (language !== 'python' || stmts.length !== 1) return false;
  const tryStmt = tryOf(handler);
  const body = tryStmt ? tryBody(tryStmt) : null;
  if (!body) return false;
  const s = stmts[0];
  const value = s.type === 'return_statement' ? s.namedChildren.find((c) => c !== null && !isComment(c)) : assignment(s)?.value;
  if (!value || !CONSTANT.test(value.type) || (/^(list|dictionary|tuple)$/.test(value.type) && value.namedChildren.length > 0)) return false;
  const calls = body
    .descendantsOfType('call')
    .filter((c): c is Node => c !== null)
    .map((c) => calleeSegments(c));
  const last = (segs: string[]) => (segs[segs.length - 1] ?? '').replace(/\(\)$/, '');
  return calls.some((segs) => OPENS_FILE.test(last(segs))) && calls.every((segs) => LOCAL_FILE.test(last(segs)) && !segs.some((x) => /^(requests|httpx|urllib\w*|session|client|\w*_client|aiohttp)$/.test(x)));
}

/**
 * Python: a predicate written as try/except/else, the handler answering `False` and the `else`
 * answering the question (`try: n = f.fileno() except Exception: return False else: return n == 0`):
 * the exception is one of the predicate's branches.
 */
export function elsePredicate(language: Language, handler: Node, stmts: readonly Node[]): boolean {
  if (language !== 'python' || stmts.length !== 1 || stmts[0].type !== 'return_statement') return false;
  if (stmts[0].namedChildren.find((c) => c !== null && !isComment(c))?.text !== 'False') return false;
  const tryStmt = tryOf(handler);
  const orElse = tryStmt?.namedChildren.find((c) => c?.type === 'else_clause');
  return (orElse?.descendantsOfType('return_statement').length ?? 0) > 0;
}

/**
 * Cleanup that must not replace the real outcome: a handler in a Python `__del__` or Java `finalize()`
 * (the runtime ignores what escapes a finalizer), or a try inside a `finally` block or inside a handler
 * that goes on to re-raise (`except BaseException: try: self.close() except Exception: pass; raise`):
 * the secondary failure of cleaning up is dropped so the first one surfaces.
 */
export function cleanupOfFailure(handler: Node): boolean {
  const tryStmt = tryOf(handler);
  if (!tryStmt) return false;
  for (let p = tryStmt.parent; p; p = p.parent) {
    if (FUNCTIONS.includes(p.type)) return /^(__del__|finalize)$/.test(p.childForFieldName('name')?.text ?? '');
    if (p.type === 'finally_clause') return true;
    if ((p.type === 'except_clause' || p.type === 'catch_clause') && p.descendantsOfType(['raise_statement', 'throw_statement']).some((r) => r !== null && r.startIndex > tryStmt.endIndex)) return true;
  }
  return false;
}

// recording telemetry: metrics, spans, tags and breadcrumbs
const RECORDS =
  /^(record\w*|observe|inc|increment|decrement|gauge|histogram|count|timing|distribution|set_tag|set_tags|set_data|set_attribute|set_attributes|set_measurement|add_event|add_breadcrumb|set_context|set_extra|set_status|capture_\w+|emit\w*)$/;

/**
 * Telemetry that must never break the code it observes: a try that only records metrics, span
 * attributes, tags or breadcrumbs (`collector.record_wait_time(...)`, `span.set_data(...)`). The
 * OpenTelemetry error-handling principle says instrumentation must not surface its own failures into
 * the application; a broad drop there is the design.
 */
export function recordsTelemetry(language: Language, handler: Node): boolean {
  const tryStmt = tryOf(handler);
  const body = tryStmt ? tryBody(tryStmt) : null;
  if (!body) return false;
  const calls = body.descendantsOfType(callTypes(language)).filter((c): c is Node => c !== null);
  // the outermost calls of each statement: arguments may compute the values being recorded
  const outer = calls.filter((c) => !calls.some((o) => o !== c && o.startIndex <= c.startIndex && o.endIndex >= c.endIndex));
  return (
    outer.length > 0 &&
    outer.every((c) => {
      const segs = calleeSegments(c);
      return RECORDS.test((segs[segs.length - 1] ?? '').replace(/\(\)$/, ''));
    })
  );
}

/**
 * Failover: a loop over several endpoints or candidates (`for slave in pool.rotate_slaves():`,
 * `for sentinel in self.sentinels:`) whose try uses the loop's item and leaves the loop on success
 * (`return self.connect_to(slave)`, or a return or break after the try), and whose handler only
 * `continue`s: a failing candidate means "try the next one", and running out is handled after the loop.
 */
export function failover(handler: Node, stmts: readonly Node[]): boolean {
  if (stmts.length !== 1 || stmts[0].type !== 'continue_statement') return false;
  const tryStmt = tryOf(handler);
  const loop = tryStmt?.parent?.parent;
  if (!tryStmt || !loop || !/^(for_statement|enhanced_for_statement|for_in_statement)$/.test(loop.type)) return false;
  const item = (loop.childForFieldName('left') ?? loop.childForFieldName('name'))?.text;
  const body = tryBody(tryStmt);
  if (!item || !body || !body.descendantsOfType('identifier').some((i) => i?.text === item)) return false;
  const leaves = (n: Node) => n.descendantsOfType(['return_statement', 'break_statement']).length > 0 || /^(return_statement|break_statement)$/.test(n.type);
  if (leaves(body)) return true;
  for (let next = tryStmt.nextNamedSibling; next; next = next.nextNamedSibling) if (leaves(next)) return true;
  return false;
}
