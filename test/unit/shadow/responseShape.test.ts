/**
 * Response shapes and volatile fields: JSON paths with `[]` for array elements, what changed
 * between two bodies (added, removed, retyped), value differences that ignore order and volatile
 * fields, and the default and configured volatile lists.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffAnswers, diffKeys, readAnswer } from '../../../src/core/shadow/answerDiff';
import type { ReplayAnswer } from '../../../src/core/shadow/replayExchange';
import { bodyShape, diffShapes, diffValues } from '../../../src/core/shadow/responseShape';
import { VolatileRules } from '../../../src/core/shadow/volatile';

const rules = new VolatileRules();
const shape = (body: unknown) => bodyShape(JSON.stringify(body), rules)!;

describe('response shape', () => {
  it('lists every path with its JSON type, array elements unified as []', () => {
    const s = shape({
      total: 2.5,
      items: [
        { sku: 'a1', price: 1 },
        { sku: 'b2', price: null, tags: ['x'] },
      ],
      'odd.key': true,
    });
    assert.deepEqual(Object.fromEntries(s.types), {
      $: 'object',
      '$.total': 'number',
      '$.items': 'array',
      '$.items[]': 'object',
      '$.items[].sku': 'string',
      '$.items[].price': 'null|number',
      '$.items[].tags': 'array',
      '$.items[].tags[]': 'string',
      '$["odd.key"]': 'boolean',
    });
  });

  it('has no shape for a body that is not JSON, or that was cut at the cap', () => {
    assert.equal(bodyShape('<html>oops</html>', rules, 'text/html'), null);
    assert.equal(bodyShape('{"items":[{"sku":"a1"},{"sk', rules, 'application/json'), null);
    assert.equal(bodyShape('', rules, 'application/json'), null);
    assert.deepEqual(Object.fromEntries(bodyShape('42', rules, 'application/json')!.types), { $: 'number' });
  });

  it('finds added, removed and retyped fields', () => {
    const before = shape({ total: 2.5, currency: 'EUR', items: [{ price: 1 }] });
    const after = shape({ total: '2.50', items: [{ price: 1, discount: 0 }] });
    assert.deepEqual(
      diffShapes(before, after).map((c) => [c.path, c.change, c.from, c.to]),
      [
        ['$.total', 'retyped', 'number', 'string'],
        ['$.currency', 'removed', 'string', undefined],
        ['$.items[].discount', 'added', undefined, 'number'],
      ],
    );
  });

  it('says nothing about the fields under an array that is empty on one side', () => {
    assert.deepEqual(diffShapes(shape({ items: [{ price: 1 }] }), shape({ items: [] })), []);
    assert.deepEqual(diffShapes(shape({ items: [] }), shape({ items: [{ price: 1 }] })), []);
  });

  it('compares values without regard to array order, and skips volatile fields and values', () => {
    const a = shape({ tags: ['a', 'b', 'c'], id: 7, orderId: 9, createdAt: 'x', at: '2026-11-21T12:00:00.000Z', ref: '0b7e8c1e-2f5d-4c6a-9a0e-3c2d1b0a9f8e', n: 1 });
    const b = shape({ tags: ['c', 'a', 'b'], id: 8, orderId: 10, createdAt: 'y', at: '2026-11-21T12:00:01.000Z', ref: '5c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f', n: 1 });
    assert.deepEqual(diffValues(a, b), []);
    assert.deepEqual(diffValues(a, shape({ tags: ['a', 'b', 'd'], n: 2 })), ['$.tags[]', '$.n']);
  });
});

describe('volatile lists', () => {
  it('match key names by the default patterns, case-sensitively only where the pattern has capitals', () => {
    for (const k of ['id', 'ID', 'uuid', 'order_id', 'orderId', 'requestId', 'traceId', 'timestamp', 'created_at', 'updatedAt', 'time', 'Date', 'now', 'nonce', 'expires']) assert.ok(rules.isVolatileKey(k), k);
    for (const k of ['paid', 'valid', 'price', 'status', 'items', 'format', 'idle']) assert.ok(!rules.isVolatileKey(k), k);
    assert.ok(rules.isVolatileHeader('ETag') && rules.isVolatileHeader('traceparent') && !rules.isVolatileHeader('content-type'));
    assert.ok(rules.isVolatileValue('Sat, 21 Nov 2026 12:00:00 GMT') && !rules.isVolatileValue('EUR') && !rules.isVolatileValue(42));
  });

  it('take additions and removals from the options', () => {
    const custom = new VolatileRules({ headers: { add: ['X-Build'], remove: ['etag'] }, fields: { add: ['score', 'seq*'], remove: ['id'] }, byValue: false });
    assert.ok(custom.isVolatileHeader('x-build') && !custom.isVolatileHeader('ETag'));
    assert.ok(custom.isVolatileKey('score') && custom.isVolatileKey('seqNo') && !custom.isVolatileKey('id') && custom.isVolatileKey('order_id'));
    assert.ok(!custom.isVolatileValue('2026-11-21T12:00:00Z'));
  });
});

describe('answer diff', () => {
  const answer = (status: number, body: unknown, headers: [string, string][] = []): ReplayAnswer => ({
    status,
    headers: [['Content-Type', 'application/json'], ...headers],
    body: JSON.stringify(body),
    durationMs: 3,
    spans: [],
  });

  it('compares bodies and compared headers only when the statuses agree', () => {
    const base = readAnswer(
      answer(200, { total: 1 }, [
        ['Date', 'Sat, 21 Nov 2026 12:00:00 GMT'],
        ['Cache-Control', 'no-store'],
      ]),
      rules,
    );
    const same = readAnswer(
      answer(200, { total: 1 }, [
        ['Date', 'Sat, 21 Nov 2026 12:00:09 GMT'],
        ['Cache-Control', 'no-store'],
      ]),
      rules,
    );
    assert.deepEqual(diffKeys(diffAnswers(base, same)), []);
    const changed = readAnswer(answer(200, { total: 2 }, [['Cache-Control', 'max-age=60']]), rules);
    assert.deepEqual(diffKeys(diffAnswers(base, changed)), ['value:$.total', 'header:cache-control']);
    const failed = readAnswer(answer(500, { error: 'x' }), rules);
    assert.deepEqual(diffKeys(diffAnswers(base, failed)), ['status']);
    const html = readAnswer({ ...answer(200, {}), headers: [['Content-Type', 'application/json']], body: '<html></html>' }, rules);
    assert.deepEqual(diffAnswers(base, html).shape, [{ path: '$', change: 'retyped', from: 'object', to: 'text', requests: 1 }]);
  });
});
