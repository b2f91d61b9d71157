/**
 * `--fail-if` conditions: a comma-separated list like `status_mismatch>0,new_errors>0,p95_ratio>1.2`,
 * each a summary figure, an operator (`>`, `>=`, `<`, `<=`, `==`) and a number. Parsing rejects a
 * bad condition with one line naming it; evaluation says which conditions held.
 */
import type { ShadowSummary } from '../api/shadowReport';

/** A comparison operator of a condition. */
export type FailOperator = '>' | '>=' | '<' | '<=' | '==';

/** The summary figures a condition may name. */
export type FailField = 'statusMismatches' | 'newErrors' | 'shapeChanges' | 'newCalls' | 'p95Ratio' | 'valueChanges';

/** One parsed condition. */
export interface FailCondition {
  /** As written, trimmed: `p95_ratio>1.2`. */
  text: string;
  field: FailField;
  op: FailOperator;
  value: number;
}

/** A condition that held, with the figure that made it hold. */
export interface HeldCondition extends FailCondition {
  actual: number;
}

/** Names accepted in conditions (snake case as on the command line, and the JSON field names). */
const FIELDS: ReadonlyMap<string, FailField> = new Map([
  ['status_mismatch', 'statusMismatches'],
  ['status_mismatches', 'statusMismatches'],
  ['new_errors', 'newErrors'],
  ['new_error', 'newErrors'],
  ['shape_changes', 'shapeChanges'],
  ['shape_change', 'shapeChanges'],
  ['new_calls', 'newCalls'],
  ['new_call', 'newCalls'],
  ['p95_ratio', 'p95Ratio'],
  ['value_changes', 'valueChanges'],
  ['value_change', 'valueChanges'],
  ...(['statusMismatches', 'newErrors', 'shapeChanges', 'newCalls', 'p95Ratio', 'valueChanges'] as const).map((f) => [f.toLowerCase(), f] as const),
]);

const CONDITION = /^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|>|<)\s*(-?(?:\d+(?:\.\d*)?|\.\d+))$/;

/** Parses a `--fail-if` expression; an error is one line naming the bad condition and what is accepted. */
export function parseFailIf(expr: string): { conditions: FailCondition[] } | { error: string } {
  const conditions: FailCondition[] = [];
  const parts = expr.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) return { error: '--fail-if: no condition given (e.g. status_mismatch>0,p95_ratio>1.2)' };
  for (const text of parts) {
    if (text === '') continue;
    const m = CONDITION.exec(text);
    if (m === null) return { error: `--fail-if: cannot read "${clip(text)}": expected NAME OP NUMBER with OP one of > >= < <= == (e.g. p95_ratio>1.2)` };
    const field = FIELDS.get(m[1]!.toLowerCase());
    if (field === undefined) return { error: `--fail-if: unknown name "${clip(m[1]!)}" in "${clip(text)}"; known: status_mismatch, new_errors, shape_changes, new_calls, p95_ratio, value_changes` };
    conditions.push({ text, field, op: m[2] as FailOperator, value: Number(m[3]) });
  }
  return { conditions };
}

/** The conditions that hold for a summary; a figure the run could not measure (p95 ratio without a baseline) holds nothing. */
export function evaluateFailIf(conditions: readonly FailCondition[], summary: ShadowSummary): HeldCondition[] {
  const held: HeldCondition[] = [];
  for (const c of conditions) {
    const actual = summary[c.field] ?? (c.field === 'valueChanges' ? 0 : null);
    if (actual === null || !compare(actual, c.op, c.value)) continue;
    held.push({ ...c, actual });
  }
  return held;
}

function compare(a: number, op: FailOperator, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '==':
      return a === b;
  }
}

function clip(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 60);
}
