import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SparkPoint } from '../../../src/core/api/signals';
import { base64Ascii, sparklineSvg, svgDataUri } from '../../../src/core/render/sparklineSvg';

const point = (t: number, count: number, avgMs: number, errors = 0): SparkPoint => ({ t, count, errors, avgMs, maxMs: avgMs * 2 });

test('nothing to draw gives an empty string', () => {
  assert.equal(sparklineSvg([]), '');
  assert.equal(sparklineSvg([point(0, 0, 0), point(1, 0, 0)]), '');
});

test('a line per run of minutes with calls, a dot for a lone minute, a tick per minute with errors', () => {
  const svg = sparklineSvg([point(0, 5, 10), point(1, 5, 20), point(2, 0, 0), point(3, 2, 40, 1), point(4, 0, 0), point(5, 1, 5, 2)], { width: 100, height: 30 });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="100" height="30"/);
  assert.equal(svg.match(/<polyline/g)?.length, 1);
  assert.equal(svg.match(/<circle/g)?.length, 2);
  assert.equal(svg.match(/<rect/g)?.length, 2);
  // The slowest minute (40 ms at x=60) touches the top margin.
  assert.match(svg, /<circle cx="60" cy="2"/);
  assert.doesNotMatch(svg, /NaN|Infinity/);
});

test('a single point is centred', () => {
  assert.match(sparklineSvg([point(0, 1, 3)], { width: 100, height: 30 }), /<circle cx="50"/);
});

test('base64 matches Node and the data URI is markdown-safe', () => {
  for (const text of ['', 'a', 'ab', 'abc', 'abcd', '<svg width="1"/>']) assert.equal(base64Ascii(text), Buffer.from(text, 'latin1').toString('base64'));
  const uri = svgDataUri(sparklineSvg([point(0, 1, 3), point(1, 1, 4)]));
  assert.match(uri, /^data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+$/);
  assert.match(Buffer.from(uri.split(',')[1], 'base64').toString('latin1'), /<polyline/);
});
