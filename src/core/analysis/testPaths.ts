/**
 * Which files are test code. Tests call services with fake servers, recorders and bare
 * clients on purpose; findings there are noise, so the risk scan leaves them out unless asked.
 */

/** Folder names whose contents are tests or test data. */
const TEST_DIRS = new Set(['test', 'tests', '__tests__', '__mocks__', 'testdata', 'fixtures', '__fixtures__']);

const TEST_FILE_PATTERNS: readonly RegExp[] = [/_test\.go$/, /\.(test|spec)\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$/, /^test_[^/]*\.py$/, /_test\.py$/, /^conftest\.py$/];

/**
 * Whether a path (absolute or relative, `/` or `\` separated) is test code: test files by name
 * (`_test.go`, `*.test.ts`, `*.spec.js`, `test_*.py`, `*_test.py`, `conftest.py`) or anything
 * under a `test/`, `tests/`, `__tests__/`, `__mocks__/`, `testdata/`, `fixtures/` folder or Maven's `src/test/`.
 * Give it a path relative to the repository: folders above the repository are not its business.
 */
export function isTestPath(file: string): boolean {
  const parts = file.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  const base = parts.pop() ?? '';
  if (TEST_FILE_PATTERNS.some((re) => re.test(base))) return true;
  return parts.some((dir) => TEST_DIRS.has(dir));
}
