import type { Node } from 'web-tree-sitter';
import type { FixHint } from '../findings';
import { argumentListOf, pointAfter, rangeOf } from '../syntax';

type Edit = FixHint['edits'][number];

/** Inserts text at a 1-based point. */
export function insertAt(line: number, column: number, text: string): Edit {
  return { line, column, endLine: line, endColumn: column, text };
}

/** Replaces a node's text. */
export function replaceNode(node: Node, text: string): Edit {
  const r = rangeOf(node);
  return { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, text };
}

/** Inserts text right after a node. */
export function insertAfter(node: Node, text: string): Edit {
  const p = pointAfter(node);
  return insertAt(p.line, p.column, text);
}

/** Inserts text right before a node. */
export function insertBefore(node: Node, text: string): Edit {
  const r = rangeOf(node);
  return insertAt(r.line, r.column, text);
}

/** Adds `entry` (e.g. `timeout: 10000`) to an object/dict/composite literal whose first char is the brace. */
export function addToObject(obj: Node, entry: string, open = '{', close = '}'): Edit {
  const hasEntries = obj.namedChildren.some((c) => c !== null && c.type !== 'comment');
  if (!hasEntries) return replaceNode(obj, `${open}${entry}${close}`);
  const r = rangeOf(obj);
  return insertAt(r.line, r.column + 1, ` ${entry},`);
}

/** Adds an argument at the end of a call's argument list. */
export function appendArgument(call: Node, text: string): Edit | null {
  const args = argumentListOf(call);
  if (!args) return null;
  const named = args.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const last = named[named.length - 1];
  if (last) return insertAfter(last, `, ${text}`);
  const r = rangeOf(args);
  return insertAt(r.line, r.column + 1, text);
}

/** A fix with one or more edits. */
export function fix(title: string, ...edits: (Edit | null)[]): FixHint | undefined {
  const real = edits.filter((e): e is Edit => e !== null);
  return real.length === edits.length && real.length > 0 ? { title, edits: real } : undefined;
}
