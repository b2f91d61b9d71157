/** `--fail-if` conditions: parsing (with one clear line for a bad one) and evaluation against a summary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShadowSummary } from '../../../src/core/api/shadowReport';
import { evaluateFailIf, parseFailIf } from '../../../src/core/shadow/failIf';

const summary: ShadowSummary = { statusMismatches: 3, newErrors: 0, shapeChanges: 1, newCalls: 2, p95Ratio: 1.35, valueChanges: 0 };

function parse(expr: string) {
  const r = parseFailIf(expr);
  assert.ok('conditions' in r, 'error' in r ? r.error : '');
  return r.conditions;
}

describe('--fail-if', () => {
  it('parses the documented conditions and says which held', () => {
    const conditions = parse('status_mismatch>0, new_errors>0,p95_ratio>1.2,new_calls>0,shape_changes>0');
    assert.deepEqual(
      conditions.map((c) => [c.field, c.op, c.value]),
      [
        ['statusMismatches', '>', 0],
        ['newErrors', '>', 0],
        ['p95Ratio', '>', 1.2],
        ['newCalls', '>', 0],
        ['shapeChanges', '>', 0],
      ],
    );
    assert.deepEqual(
      evaluateFailIf(conditions, summary).map((h) => [h.text, h.actual]),
      [
        ['status_mismatch>0', 3],
        ['p95_ratio>1.2', 1.35],
        ['new_calls>0', 2],
        ['shape_changes>0', 1],
      ],
    );
  });

  it('knows every operator, and the JSON field names too', () => {
    const held = (expr: string): boolean => evaluateFailIf(parse(expr), summary).length === 1;
    assert.ok(held('newCalls>=2') && !held('new_calls>=3'));
    assert.ok(held('p95_ratio<2') && !held('p95_ratio<1'));
    assert.ok(held('shape_changes<=1') && !held('shape_changes<=0'));
    assert.ok(held('status_mismatches==3') && !held('status_mismatches==2'));
    assert.ok(held('value_changes==0'));
  });

  it('holds nothing on a figure the run could not measure', () => {
    assert.deepEqual(evaluateFailIf(parse('p95_ratio>1.2,p95_ratio<1'), { ...summary, p95Ratio: null }), []);
  });

  it('rejects a bad condition with one line naming it', () => {
    for (const [expr, says] of [
      ['latency>2', /unknown name "latency" in "latency>2"; known: status_mismatch/],
      ['new_errors=>1', /cannot read "new_errors=>1": expected NAME OP NUMBER/],
      ['new_errors>', /cannot read "new_errors>"/],
      ['p95_ratio>1.2,', null],
      [' , ', /no condition given/],
    ] as const) {
      const r = parseFailIf(expr);
      if (says === null) assert.ok('conditions' in r);
      else {
        assert.ok('error' in r, expr);
        assert.match(r.error, says);
        assert.ok(!r.error.includes('\n'));
      }
    }
  });
});
