import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RecordedHttpRequest } from '../../../src/core/api/signals';
import { packRequest, unpackRequest } from '../../../src/core/ingest/packedRequest';

test('a packed request unpacks to what was packed, optional fields included or left out', () => {
  const full: RecordedHttpRequest = {
    path: '/api/quotes/"7"',
    query: 'a=1&b=\u00e9',
    status: 201,
    headers: [
      ['accept', 'application/json'],
      ['x-tag', 'a'],
      ['x-tag', 'b'],
    ],
    scheme: 'https',
    body: '{"items":[1,2],"note":"line\\nbreak \u2603"}',
  };
  assert.deepEqual(unpackRequest(packRequest(full)), full);
  const bare: RecordedHttpRequest = { path: '', query: '', status: 0, headers: [] };
  const back = unpackRequest(packRequest(bare));
  assert.deepEqual(back, bare);
  assert.equal('scheme' in back || 'body' in back, false);
});

test('each unpack is a fresh object: a reader changing it changes nothing held', () => {
  const packed = packRequest({ path: '/a', query: '', status: 200, headers: [['accept', '*/*']] });
  const first = unpackRequest(packed);
  first.headers[0][1] = 'changed';
  first.path = '/b';
  assert.deepEqual(unpackRequest(packed), { path: '/a', query: '', status: 200, headers: [['accept', '*/*']] });
});

test('the short form (status, path, query) and the JSON form both hold line feeds and brackets in paths', () => {
  for (const r of [
    { path: '/a\nb', query: 'x=\n', status: 404, headers: [] },
    { path: '[not json', query: '', status: 0, headers: [] },
    { path: '/plain', query: 'q=[1]', status: 200, headers: [] },
  ] satisfies RecordedHttpRequest[]) {
    assert.deepEqual(unpackRequest(packRequest(r)), r);
  }
  assert.equal(packRequest({ path: '/plain', query: '', status: 200, headers: [] }), '200\n/plain\n');
});
