import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_THRESHOLDS, errorRateSeverity, figuresSeverity, latencySeverity, worst } from '../../../src/core/render/severity';

test('latency severity follows the thresholds, boundaries inclusive', () => {
  assert.equal(latencySeverity(299, DEFAULT_THRESHOLDS), 'ok');
  assert.equal(latencySeverity(300, DEFAULT_THRESHOLDS), 'warning');
  assert.equal(latencySeverity(1000, DEFAULT_THRESHOLDS), 'error');
  assert.equal(latencySeverity(50, { ...DEFAULT_THRESHOLDS, latencyWarningMs: 20, latencyErrorMs: 40 }), 'error');
});

test('error rate severity: zero is ok, then warning and error', () => {
  assert.equal(errorRateSeverity(0, { ...DEFAULT_THRESHOLDS, errorRateWarning: 0 }), 'ok');
  assert.equal(errorRateSeverity(0.005, DEFAULT_THRESHOLDS), 'ok');
  assert.equal(errorRateSeverity(0.01, DEFAULT_THRESHOLDS), 'warning');
  assert.equal(errorRateSeverity(0.2, DEFAULT_THRESHOLDS), 'error');
});

test('figures take the worse of latency and error rate', () => {
  assert.equal(figuresSeverity({ p95Ms: 10, errorRate: 0.06 }, DEFAULT_THRESHOLDS), 'error');
  assert.equal(figuresSeverity({ p95Ms: 400, errorRate: 0 }, DEFAULT_THRESHOLDS), 'warning');
  assert.equal(figuresSeverity({ p95Ms: 10, errorRate: 0 }, DEFAULT_THRESHOLDS), 'ok');
  assert.equal(worst('warning', 'ok'), 'warning');
  assert.equal(worst('ok', 'error'), 'error');
});
