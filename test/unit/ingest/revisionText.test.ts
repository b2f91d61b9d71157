import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_REVISION_CHARS, plausibleRevision } from '../../../src/core/ingest/revisionText';
import { HOSTILE_REVISION, HOSTILE_VERSION } from '../../support/hostileText';

test('commits, tags and versions are plausible (trimmed)', () => {
  for (const ok of ['4b825dc', '4B825DC642CB6EB9A060E54BF8D69288FBEE4904', 'a'.repeat(64), 'v1.4.2', '1.4.2+build.5', '2.0.0-rc.1', 'release/2024-06', 'sha256:ab12', 'r123@main']) {
    assert.equal(plausibleRevision(ok), ok, ok);
  }
  assert.equal(plausibleRevision('  v1.2.3\n'), 'v1.2.3');
});

test('markup, whitespace, controls, URLs, option-like and overlong names are not plausible', () => {
  const bad = [
    HOSTILE_REVISION,
    HOSTILE_VERSION,
    'abc def',
    'abc\tdef',
    'abc`def',
    'v1$(bell)',
    '[x](y)',
    'a<b',
    'a\u0000b',
    'a\u202eb',
    'a\u009bb',
    'http://evil.example/x',
    '-c core.pager=x',
    '--output=x',
    '.hidden',
    'x'.repeat(MAX_REVISION_CHARS + 1),
    '',
    '   ',
  ];
  for (const text of bad) assert.equal(plausibleRevision(text), '', JSON.stringify(text));
  assert.equal(plausibleRevision('x'.repeat(MAX_REVISION_CHARS)), 'x'.repeat(MAX_REVISION_CHARS));
  assert.equal(plausibleRevision(undefined as unknown as string), '');
});
