import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isTestPath } from '../../../src/core/analysis/testPaths';

describe('isTestPath', () => {
  const table: [string, boolean][] = [
    // Go
    ['internal/store/store_test.go', true],
    ['internal/store/store.go', false],
    ['pkg/parser/testdata/input.go', true],
    ['internal/latest.go', false],
    // TypeScript / JavaScript, every extension
    ['src/orders.test.ts', true],
    ['src/orders.spec.ts', true],
    ['src/view.test.tsx', true],
    ['src/view.spec.jsx', true],
    ['lib/util.test.js', true],
    ['lib/util.spec.mjs', true],
    ['src/__tests__/orders.ts', true],
    ['src/__mocks__/axios.ts', true],
    ['test/helpers.ts', true],
    ['tests/e2e/login.js', true],
    ['src/contest.ts', false],
    ['src/testing.ts', false],
    ['src/attestation/spec.ts', false],
    ['src/latest.test-utils.ts', false],
    // Python
    ['app/tests/test_views.py', true],
    ['app/test_views.py', true],
    ['app/views_test.py', true],
    ['conftest.py', true],
    ['app/conftest.py', true],
    ['app/testing.py', false],
    ['app/contest_py.py', false],
    // Java
    ['src/test/java/com/acme/OrderServiceTest.java', true],
    ['src/main/java/com/acme/OrderService.java', false],
    // fixtures, Windows separators, leading ./
    ['spec/fixtures/payload.js', true],
    ['src\\__tests__\\orders.ts', true],
    ['./store_test.go', true],
    ['src/fixtures.ts', false],
  ];
  for (const [file, expected] of table) {
    it(`${file} -> ${expected}`, () => assert.equal(isTestPath(file), expected));
  }
});
