/**
 * A parsed file cut into units the incremental analysis re-checks one by one: top-level
 * statements, and the members of top-level classes (a Java file is one class; re-checking it
 * whole on every keystroke would be a full run). Each unit is either `code` (a function, method
 * or route registration: its findings depend on its own text and the file's context) or
 * `context` (imports, module-level variables, class shells: what other units' findings read).
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { GrammarLanguage } from './languages';
import { isJsFamily } from './languages';

/** A unit: offsets are UTF-16 indexes into the text, rows 0-based and inclusive. */
export interface Unit {
  start: number;
  end: number;
  startRow: number;
  endRow: number;
  type: string;
  /** Null until `classify` looked at the unit (matching units across edits needs no text). */
  kind: 'code' | 'context' | null;
  /** A class member (classified as one). */
  member?: boolean;
  /** Code that imports inside itself (`require()` in a function, a Python function-level import):
   *  re-checked alone like code, but always part of the view the import table is read from. */
  imports?: boolean;
  /** The node, for units that are one (class shells are not); valid only for the tree it came from. */
  node: Node | null;
  /** For a class header: the top-level statement holding the class. */
  top?: Node;
}

const JS_FUNCTIONS = new Set(['function_declaration', 'generator_function_declaration', 'method_definition', 'comment']);
const JS_FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);
const JS_CLASSES = new Set(['class_declaration', 'abstract_class_declaration', 'class']);
const JAVA_CLASSES = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration']);
// Constructors stay context: they create the clients (`this.http = axios.create()`) other methods call.
const JAVA_CODE = new Set(['method_declaration', 'line_comment', 'block_comment', 'class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration']);
// Imports anywhere feed the import table every unit is resolved against.
const JS_IMPORT_TEXT = /\brequire\s*\(/;
const PY_IMPORT_TEXT = /(^|\n)[ \t]*(import|from)[ \t]+[\w.]/;

/** Cuts a parsed file into units, in document order; `kind` is left for `classifyUnit` unless `classifyAll`. */
export function unitsOf(tree: Tree, language: GrammarLanguage, classifyAll = false): Unit[] {
  const out: Unit[] = [];
  for (const child of tree.rootNode.namedChildren) {
    if (!child) continue;
    if (!pushClassMembers(child, language, out)) out.push(unit(child, false));
  }
  if (classifyAll) for (const u of out) classifyUnit(u, language);
  return out;
}

/** Decides (once) whether a unit is code or context. */
export function classifyUnit(u: Unit, language: GrammarLanguage): Unit['kind'] {
  if (u.kind === null && u.node) {
    u.kind = u.member ? classifyMember(u.node, language) : classify(u.node, language);
    // A method that stores something on the instance (`this.http = axios.create()`) feeds other methods.
    // Top-level functions and constructor functions (`function Api() { this.http = … }`) too, but only
    // when `this`/`self` is assigned outside nested functions and classes, which have their own.
    if (u.kind === 'code' && (u.member ? SETS_INSTANCE.test(u.node.text) : setsOwnInstance(u.node))) u.kind = 'context';
    // Imports inside code feed the import table, which is compared after every edit: keep the unit in view.
    const importText = isJsFamily(language) ? JS_IMPORT_TEXT : language === 'python' ? PY_IMPORT_TEXT : null;
    if (u.kind === 'code' && importText?.test(u.node.text)) u.imports = true;
  }
  return u.kind ?? 'context';
}

const SETS_INSTANCE = /\b(self|this)\.[\w$.]+\s*=[^=]/;
const OWN_SCOPE_BREAKS = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'generator_function',
  'generator_function_declaration',
  'method_definition',
  'class_declaration',
  'class',
  'class_body',
  'function_definition',
  'class_definition',
]);

/** Whether a top-level function assigns to its own `this`/`self` (not a nested function's or class's). */
function setsOwnInstance(node: Node): boolean {
  if (!SETS_INSTANCE.test(node.text)) return false;
  const body = node.childForFieldName('body') ?? node;
  const stack: Node[] = [...body.namedChildren.filter((c): c is Node => c !== null)];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (OWN_SCOPE_BREAKS.has(n.type)) continue;
    if ((n.type === 'assignment_expression' || n.type === 'assignment' || n.type === 'augmented_assignment_expression') && /^(self|this)\./.test(n.childForFieldName('left')?.text ?? '')) return true;
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

function unit(node: Node, member: boolean): Unit {
  return { start: node.startIndex, end: node.endIndex, startRow: node.startPosition.row, endRow: node.endPosition.row, type: node.type, kind: null, member, node };
}

/** The class a top-level statement declares (through `export` and decorators), or null. */
function classOf(node: Node, language: GrammarLanguage): Node | null {
  if (isJsFamily(language)) {
    const inner = node.type === 'export_statement' ? node.childForFieldName('declaration') : node;
    return inner && JS_CLASSES.has(inner.type) ? inner : null;
  }
  if (language === 'python') {
    const inner = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    return inner?.type === 'class_definition' ? inner : null;
  }
  if (language === 'java') return JAVA_CLASSES.has(node.type) ? node : null;
  return null;
}

/**
 * Members of a top-level class as units, with the class's header and closing lines as context
 * units; false (nothing pushed) when the class is not worth cutting or shares rows with members.
 */
function pushClassMembers(top: Node, language: GrammarLanguage, out: Unit[]): boolean {
  const cls = classOf(top, language);
  const body = cls?.childForFieldName('body');
  if (!cls || !body) return false;
  const members = body.namedChildren.filter((m): m is Node => m !== null);
  const first = members[0];
  const last = members[members.length - 1];
  if (!first || !last) return false;
  const headerRows = first.startPosition.row - top.startPosition.row;
  const footerShared = last.endPosition.row === top.endPosition.row && last.endIndex !== top.endIndex;
  if (headerRows < 1 || footerShared) return false;
  out.push({ start: top.startIndex, end: first.startIndex, startRow: top.startPosition.row, endRow: first.startPosition.row - 1, type: 'class-header', kind: 'context', node: null, top });
  for (const m of members) out.push(unit(m, true));
  if (last.endIndex < top.endIndex) {
    out.push({ start: last.endIndex, end: top.endIndex, startRow: last.endPosition.row + 1, endRow: top.endPosition.row, type: 'class-footer', kind: 'context', node: null });
  }
  return true;
}

/** Whether a top-level statement is code (self-contained) or context (binds or configures things). */
function classify(node: Node, language: GrammarLanguage): 'code' | 'context' {
  let code = false;
  if (isJsFamily(language)) {
    const inner = node.type === 'export_statement' ? (node.childForFieldName('declaration') ?? node) : node;
    code = JS_FUNCTIONS.has(inner.type) || isFunctionBinding(inner) || isCallStatement(inner);
  } else if (language === 'python') {
    const inner = node.type === 'decorated_definition' ? (node.childForFieldName('definition') ?? node) : node;
    code = inner.type === 'function_definition' || inner.type === 'comment' || isCallStatement(inner);
  } else if (language === 'go') {
    code = node.type === 'function_declaration' || node.type === 'method_declaration' || node.type === 'comment';
  } else if (language === 'java') {
    code = node.type === 'line_comment' || node.type === 'block_comment';
  }
  return code ? 'code' : 'context';
}

function classifyMember(node: Node, language: GrammarLanguage): 'code' | 'context' {
  if (language === 'java') return JAVA_CODE.has(node.type) ? 'code' : 'context';
  if (language === 'python') {
    const fn = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
    return fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === '__init__' ? 'context' : classify(node, language);
  }
  if (node.type === 'method_definition' && node.childForFieldName('name')?.text === 'constructor') return 'context';
  if (node.type === 'method_definition' || node.type === 'comment') return 'code';
  // a field holding an arrow function is a method in all but name
  if (node.type === 'public_field_definition' || node.type === 'field_definition') {
    const value = node.childForFieldName('value');
    return value && JS_FUNCTION_VALUES.has(value.type) ? 'code' : 'context';
  }
  return 'context';
}

/** `const f = () => {}`: every declarator binds a function. */
function isFunctionBinding(node: Node): boolean {
  if (node.type !== 'lexical_declaration' && node.type !== 'variable_declaration') return false;
  const declarators = node.namedChildren.filter((d): d is Node => d?.type === 'variable_declarator');
  return declarators.length > 0 && declarators.every((d) => JS_FUNCTION_VALUES.has(d.childForFieldName('value')?.type ?? ''));
}

/** `app.get('/x', handler)` at module level: a call that binds nothing. */
function isCallStatement(node: Node): boolean {
  if (node.type !== 'expression_statement') return false;
  const expr = node.namedChildren[0];
  const call = expr?.type === 'await_expression' ? expr.namedChildren[0] : expr;
  return call?.type === 'call_expression' || call?.type === 'call';
}

/**
 * Nodes of a class header a search by type must still see: the statements wrapping the class
 * (export, decorators), the class itself, and what hangs off them outside the body, in document order.
 */
export function headerNodes(top: Node, types: ReadonlySet<string>): Node[] {
  const out: Node[] = [];
  const walk = (n: Node): void => {
    if (types.has(n.type)) out.push(n);
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'class_body' || c.type === 'block' || c.type === 'interface_body' || c.type === 'enum_body') continue;
      if (c.namedChildCount > 0 && (c.type === 'class_declaration' || c.type === 'class_definition' || c.type === 'abstract_class_declaration' || c.type === 'class' || JAVA_CLASSES.has(c.type))) walk(c);
      else for (const d of c.descendantsOfType([...types])) if (d) out.push(d);
    }
  };
  walk(top);
  return out;
}

/**
 * Names other units may refer to: imported names and module-level (and class-level) variables.
 * An edit that adds or removes a mention of one can change findings outside the edited unit.
 */
export function contextNames(units: readonly Unit[]): Set<string> {
  const names = new Set<string>();
  for (const u of units) {
    if (u.kind !== 'context' || !u.node) continue;
    for (const id of u.node.descendantsOfType(['identifier', 'field_identifier', 'type_identifier', 'package_identifier'])) {
      // the bound name is the first identifier of a declarator/assignment/import: collecting
      // every identifier over-approximates, which only costs an extra full run now and then
      if (id) names.add(id.text);
    }
  }
  return names;
}
