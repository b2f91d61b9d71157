import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { split, splitDecimalNanos } from '../../../src/core/ingest/nanoTime';

test('a decimal nanosecond timestamp splits into whole milliseconds and the nanoseconds left, exactly', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (text) => {
      assert.equal(splitDecimalNanos(text), true);
      const nanos = BigInt(text);
      assert.equal(split.ms, Number(nanos / 1_000_000n));
      assert.equal(split.ns, Number(nanos % 1_000_000n));
    }),
    { numRuns: 5_000 },
  );
  for (const text of ['1796469951253000000', '18446744073709551615', '000000000000000000001', '999999', '1000000']) {
    const valid = text.length <= 20;
    assert.equal(splitDecimalNanos(text), valid, text);
    if (valid) assert.equal(split.ms * 1e6 + split.ns, Number(BigInt(text)), text);
  }
  for (const bad of ['', '-1', '1.5', '1e9', ' 1', '12a4', '１２']) assert.equal(splitDecimalNanos(bad), false, JSON.stringify(bad));
});
