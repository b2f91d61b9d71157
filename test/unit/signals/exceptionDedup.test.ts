import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorGroupKey, identityMessage, typeFamily } from '../../../src/core/signals/errorGroups';
import { ExceptionDedup, exceptionIdentity } from '../../../src/core/signals/exceptionDedup';

test('types and messages compare across producers', () => {
  assert.equal(typeFamily('requests.exceptions.HTTPError'), 'HTTPError');
  assert.equal(typeFamily('java.lang.IllegalArgumentException'), 'IllegalArgumentException');
  assert.equal(typeFamily('*errors.errorString'), 'errorString');
  assert.equal(typeFamily('Outer$Inner'), 'Inner');
  // Python: the span event carries str(KeyError('durian')), the logging record the bare key.
  assert.equal(identityMessage("'durian'"), identityMessage('durian'));
  assert.equal(errorGroupKey('s', 'e', 'requests.exceptions.HTTPError', "'x'", 'f'), errorGroupKey('s', 'e', 'HTTPError', 'x', 'f'));
  assert.notEqual(identityMessage("it's 'x'"), identityMessage('x'));
});

test('one identity counts once per trace, separately per trace and per service', () => {
  const d = new ExceptionDedup();
  const id = exceptionIdentity('shop', 'prod', 'KeyError', "'durian'", 'pricing.py:unit_price');
  assert.equal(d.isNew('t1', id, 1_000), true);
  assert.equal(d.isNew('t1', exceptionIdentity('shop', 'prod', 'builtins.KeyError', 'durian', 'pricing.py:unit_price'), 1_000), false);
  assert.equal(d.isNew('t2', id, 1_000), true);
  assert.equal(d.isNew('t1', exceptionIdentity('billing', 'prod', 'KeyError', 'durian', 'pricing.py:unit_price'), 1_000), true);
  assert.equal(d.duplicates, 1);
});

test('a log record without a trace id pairs with one occurrence close in time, not with every one', () => {
  const d = new ExceptionDedup(100, 2_000);
  const id = exceptionIdentity('shop', 'prod', 'E', 'boom', 'a.js:f');
  assert.equal(d.isNew('t1', id, 10_000), true);
  assert.equal(d.isNew('t2', id, 10_500), true);
  assert.equal(d.isNew('', id, 10_600), false, 'pairs with t1');
  assert.equal(d.isNew('', id, 10_700), false, 'pairs with t2');
  assert.equal(d.isNew('', id, 10_800), true, 'nothing left to pair with');
  assert.equal(d.isNew('', id, 30_000), true, 'too far from any occurrence');
});
