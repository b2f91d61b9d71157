/**
 * What differs between two answers to the same request, as difference keys the noise rule counts:
 * `status`, `shape:<path>` (a field added, removed or retyped), `value:<path>` (a compared field's
 * value) and `header:<name>` (a compared header's value). Bodies and headers are compared only
 * when the statuses agree: a 500 against a 200 is one status difference, not a list of fields.
 */
import type { ShapeChange } from '../api/shadowReport';
import type { ReplayAnswer } from './replayExchange';
import { type BodyShape, bodyShape, diffShapes, diffValues } from './responseShape';
import type { VolatileRules } from './volatile';

/** An answer read once for comparing: its shape and its compared headers. */
export interface ReadAnswer {
  status: number;
  shape: BodyShape | null;
  /** Lower-case name -> values joined with `, `, volatile headers left out. */
  headers: Map<string, string>;
}

/** The differences of one pair of answers. */
export interface AnswerDiff {
  status: boolean;
  shape: ShapeChange[];
  values: string[];
  headers: string[];
}

/** Reads an answer's body shape and compared headers. */
export function readAnswer(answer: ReplayAnswer, rules: VolatileRules): ReadAnswer {
  const headers = new Map<string, string>();
  for (const [name, value] of answer.headers) {
    const key = name.toLowerCase();
    if (rules.isVolatileHeader(key)) continue;
    const before = headers.get(key);
    headers.set(key, before === undefined ? value : `${before}, ${value}`);
  }
  return { status: answer.status, shape: answer.status > 0 ? bodyShape(answer.body, rules, headers.get('content-type')) : null, headers };
}

/** What differs from `before` (the reference) to `after`. */
export function diffAnswers(before: ReadAnswer, after: ReadAnswer): AnswerDiff {
  if (before.status !== after.status) return { status: true, shape: [], values: [], headers: [] };
  const headers: string[] = [];
  for (const [name, value] of before.headers) if (after.headers.get(name) !== value) headers.push(name);
  for (const name of after.headers.keys()) if (!before.headers.has(name)) headers.push(name);
  if (before.shape === null || after.shape === null) {
    // One side JSON and the other not is a change of the whole body's shape.
    const shape: ShapeChange[] = before.shape === after.shape ? [] : [shapeOfWhole(before.shape, after.shape)];
    return { status: false, shape, values: [], headers };
  }
  return { status: false, shape: diffShapes(before.shape, after.shape), values: diffValues(before.shape, after.shape), headers };
}

/** The noise rule's keys of a diff (see noise.ts). */
export function diffKeys(diff: AnswerDiff): string[] {
  const keys: string[] = [];
  if (diff.status) keys.push('status');
  for (const s of diff.shape) keys.push(`shape:${s.path}`);
  for (const v of diff.values) keys.push(`value:${v}`);
  for (const h of diff.headers) keys.push(`header:${h}`);
  return keys;
}

function shapeOfWhole(before: BodyShape | null, after: BodyShape | null): ShapeChange {
  const from = before?.types.get('$') ?? 'text';
  const to = after?.types.get('$') ?? 'text';
  return { path: '$', change: 'retyped', from, to, requests: 1 };
}
