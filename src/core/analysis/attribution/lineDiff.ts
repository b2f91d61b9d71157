/**
 * Line matching between two versions of a file (Myers' O(ND) diff), so the working copy can
 * reuse the blame of HEAD: a matched line keeps HEAD's blame, an unmatched one is not committed.
 */

/** Past this many edits the diff stops and only the common prefix and suffix count as matched. */
const DEFAULT_MAX_EDITS = 4000;

/** For each line of `after`, the index of the equal line of `before` it matches, or -1. */
export function matchLines(before: readonly string[], after: readonly string[], maxEdits = DEFAULT_MAX_EDITS): Int32Array {
  const result = new Int32Array(after.length).fill(-1);
  let prefix = 0;
  const shorter = Math.min(before.length, after.length);
  while (prefix < shorter && before[prefix] === after[prefix]) {
    result[prefix] = prefix;
    prefix++;
  }
  let suffix = 0;
  while (suffix < shorter - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) {
    result[after.length - 1 - suffix] = before.length - 1 - suffix;
    suffix++;
  }
  const a = before.slice(prefix, before.length - suffix);
  const b = after.slice(prefix, after.length - suffix);
  if (a.length === 0 || b.length === 0) return result;
  // Comparing small integers is much cheaper than comparing strings in the inner loop.
  const ids = new Map<string, number>();
  const intern = (line: string): number => {
    let id = ids.get(line);
    if (id === undefined) ids.set(line, (id = ids.size));
    return id;
  };
  const pairs = myers(Int32Array.from(a, intern), Int32Array.from(b, intern), maxEdits);
  if (pairs) {
    for (let i = 0; i < pairs.length; i += 2) result[prefix + pairs[i + 1]!] = prefix + pairs[i]!;
  }
  slideInsertionsDown(after, result);
  return result;
}

/**
 * Where an insertion could sit in several places (a function appended after another: both end in
 * `}`), the diff may match the old closing line to the new one. Sliding each inserted run down
 * while its first line equals the matched line after it keeps old lines on old code, as git does.
 */
function slideInsertionsDown(after: readonly string[], result: Int32Array): void {
  let s = 0;
  while (s < after.length) {
    if (result[s]! >= 0) {
      s++;
      continue;
    }
    let e = s;
    while (e + 1 < after.length && result[e + 1]! < 0) e++;
    while (e + 1 < after.length && result[e + 1]! >= 0 && after[s] === after[e + 1]) {
      result[s] = result[e + 1]!;
      result[e + 1] = -1;
      s++;
      e++;
      while (e + 1 < after.length && result[e + 1]! < 0) e++;
    }
    s = e + 1;
  }
}

/** Matched (aIndex, bIndex) pairs, flattened; null when the edit distance passes `maxEdits`. */
function myers(a: Int32Array, b: Int32Array, maxEdits: number): number[] | null {
  const n = a.length;
  const m = b.length;
  const limit = Math.min(n + m, maxEdits);
  const offset = limit + 1;
  const v = new Int32Array(2 * limit + 3);
  // trace[d] holds v[-d..d] after step d, which is all the backtrack needs.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= limit && found < 0; d++) {
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.push(v.slice(offset - d, offset + d + 1));
  }
  if (found < 0) return null;

  const pairs: number[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number): number => prev[k + d - 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      pairs.push(x, y);
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    x--;
    y--;
    pairs.push(x, y);
  }
  return pairs;
}
