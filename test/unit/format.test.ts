import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAgo, formatCount, formatMs, formatPercent, formatRate } from '../../src/core/format';

test('formatMs picks ms below a second and seconds above, without rounding up a unit boundary wrongly', () => {
  assert.equal(formatMs(0.44), '0.4 ms');
  assert.equal(formatMs(3), '3 ms');
  assert.equal(formatMs(9.96), '10 ms');
  assert.equal(formatMs(12.4), '12 ms');
  assert.equal(formatMs(340), '340 ms');
  assert.equal(formatMs(999.6), '1.0 s');
  assert.equal(formatMs(1234), '1.2 s');
  assert.equal(formatMs(12_345), '12 s');
  assert.equal(formatMs(90_000), '1.5 min');
  assert.equal(formatMs(Number.NaN), '–');
  assert.equal(formatMs(-1), '–');
});

test('formatPercent keeps one decimal under 10% and never rounds a partial failure to 100%', () => {
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(0.000_5), '<0.1%');
  assert.equal(formatPercent(0.008), '0.8%');
  assert.equal(formatPercent(0.01), '1%');
  assert.equal(formatPercent(0.37), '37%');
  assert.equal(formatPercent(0.998), '99%');
  assert.equal(formatPercent(1), '100%');
});

test('formatRate and formatCount shorten large numbers', () => {
  assert.equal(formatRate(0), '0');
  assert.equal(formatRate(0.04), '<0.1');
  assert.equal(formatRate(0.5), '0.5');
  assert.equal(formatRate(120.4), '120');
  assert.equal(formatRate(1234), '1.2k');
  assert.equal(formatCount(37), '37');
  assert.equal(formatCount(999.6), '1k');
  assert.equal(formatCount(12_500), '13k');
  assert.equal(formatCount(3_400_000), '3.4M');
});

test('formatAgo reads relative to now', () => {
  const now = 1_700_000_000_000;
  assert.equal(formatAgo(now - 2_000, now), 'just now');
  assert.equal(formatAgo(now - 12_000, now), '12 s ago');
  assert.equal(formatAgo(now - 3 * 60_000, now), '3 min ago');
  assert.equal(formatAgo(now - 2 * 3_600_000, now), '2 h ago');
  assert.equal(formatAgo(now - 4 * 86_400_000, now), '4 d ago');
  assert.equal(formatAgo(now + 5_000, now), 'just now');
});
