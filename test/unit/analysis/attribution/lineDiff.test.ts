import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { matchLines } from '../../../../src/core/analysis/attribution/lineDiff';

/** Length of the longest common subsequence, by dynamic programming (the reference). */
function lcsLength(a: string[], b: string[]): number {
  const dp = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i]![j] = a[i - 1] === b[j - 1] ? dp[i - 1]![j - 1]! + 1 : Math.max(dp[i - 1]![j]!, dp[i]![j - 1]!);
    }
  }
  return dp[a.length]![b.length]!;
}

/** Checks that the matching pairs equal lines, in increasing order on both sides. */
function assertValidMatching(a: string[], b: string[], match: Int32Array): number {
  let lastA = -1;
  let count = 0;
  for (let j = 0; j < b.length; j++) {
    const i = match[j]!;
    if (i < 0) continue;
    assert.ok(i > lastA, `matches cross at b[${j}]`);
    assert.equal(a[i], b[j]);
    lastA = i;
    count++;
  }
  return count;
}

describe('matchLines', () => {
  it('matches an unchanged file line for line', () => {
    const a = ['x', 'y', 'z'];
    assert.deepEqual([...matchLines(a, [...a])], [0, 1, 2]);
  });

  it('leaves inserted lines unmatched and shifts the lines after them', () => {
    const a = ['a', 'b', 'c', 'd'];
    const b = ['a', 'b', 'NEW', 'NEW2', 'c', 'd'];
    assert.deepEqual([...matchLines(a, b)], [0, 1, -1, -1, 2, 3]);
  });

  it('handles deletions and replacements in the middle', () => {
    const a = ['a', 'b', 'c', 'd', 'e'];
    const b = ['a', 'C2', 'd', 'e'];
    assert.deepEqual([...matchLines(a, b)], [0, -1, 3, 4]);
  });

  it('finds a longest common subsequence on random edits', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) }, () => `l${rand(6)}`);
      const b = a.filter(() => rand(4) !== 0);
      for (let k = rand(5); k > 0; k--) b.splice(rand(b.length + 1), 0, `l${rand(8)}`);
      const match = matchLines(a, b);
      assert.equal(assertValidMatching(a, b, match), lcsLength(a, b), `round ${round}`);
    }
  });

  it('falls back to prefix and suffix when the edit distance exceeds the limit', () => {
    const a = ['head', ...Array.from({ length: 50 }, (_, i) => `old${i}`), 'tail'];
    const b = ['head', ...Array.from({ length: 50 }, (_, i) => `new${i}`), 'old7', 'tail'];
    const limited = matchLines(a, b, 10);
    assert.equal(limited[0], 0);
    assert.equal(limited[b.length - 1], a.length - 1);
    assert.equal(limited.filter((i) => i >= 0).length, 2, 'nothing in the middle is matched when the diff gives up');
    const full = matchLines(a, b);
    assert.equal(full[b.length - 2], 8, 'without the limit the moved line is found');
  });
});

describe('matchLines placement of ambiguous insertions', () => {
  it('keeps the old closing line on the old function when a function is appended', () => {
    const a = ['function f() {', '  const x = 1;', '  return x;', '}'];
    const b = ['function f() {', '  const x = 2;', '  return x;', '}', '', 'function g() {', '  return 3;', '}'];
    assert.deepEqual([...matchLines(a, b)], [0, -1, 2, 3, -1, -1, -1, -1]);
  });
});
