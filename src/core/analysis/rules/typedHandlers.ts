import type { Node } from 'web-tree-sitter';
import type { Language } from '../findings';
import { calleeSegments, callTypes } from '../syntax';

// Python and Java handlers name what they catch. Naming a specific type is the author saying which
// failure they expected and what it means (`except InvalidPath: return None`, `catch
// (IllegalCharsetNameException e) { return null; }`), the typed twin of Go's
// `errors.Is(err, fs.ErrNotExist)`: a decision, not a dropped error. In the labelled corpus 27 of 31
// narrow handlers reported before this rule were such decisions. What stays a finding:
// - broad catches (`except:`, `Exception`, `BaseException`; `Exception`, `Throwable`, `RuntimeException`, `Error`);
// - transport failures (`requests.RequestException`, `HTTPError`, `URLError`, `ReadTimeout`, Java's
//   `IOException` and its socket/HTTP subtypes): they are outages, and turning one into a normal
//   answer without a log hides it ("ticker not found" for a read timeout);
// - a write whose failure is dropped by an empty handler (`try: self.delete(ids) except MilvusException: pass`):
//   the caller goes on as if it happened.

/** The caught type names of a handler, last dotted segment each (`exceptions.InvalidPath` -> `InvalidPath`). */
export function caughtTypes(language: Language, types: string): string[] {
  // `(\n  errors.PageError,\n  errors.DisambiguationError,\n)`: a trailing comma names no type; a bare `except:` names none
  return (language === 'java' ? types.replace(/\s+\w+\s*$/, '') : types)
    .trim()
    .replace(/^\(|\)$/g, '')
    .split(/[,|]/)
    .map((t) => t.trim().split('.').pop() ?? '')
    .filter((t) => t !== '' && !/^(final|@\w+)$/.test(t));
}

const PY_BROAD = new Set(['', 'Exception', 'BaseException']);
const JAVA_BROAD = new Set(['Exception', 'Throwable', 'RuntimeException', 'Error']);
const PY_TRANSPORT = new Set([
  'HTTPError',
  'URLError',
  'RequestException',
  'RequestError',
  'HTTPStatusError',
  'TransportError',
  'ConnectionError',
  'ConnectError',
  'ConnectTimeout',
  'ReadTimeout',
  'Timeout',
  'TimeoutException',
  'ClientError',
  'ClientConnectionError',
  'ClientResponseError',
  'ServerTimeoutError',
  'gaierror',
  'timeout',
]);
const JAVA_TRANSPORT = new Set([
  'IOException',
  'UncheckedIOException',
  'SocketException',
  'SocketTimeoutException',
  'ConnectException',
  'UnknownHostException',
  'HttpTimeoutException',
  'HttpConnectTimeoutException',
  'RestClientException',
  'ResourceAccessException',
  'HttpClientErrorException',
  'HttpServerErrorException',
  'WebClientResponseException',
  'WebClientRequestException',
]);

// a data write: its failure matters to the caller (create/drop are left out: "create if not exists"
// and "drop if exists" tolerate their error by design)
const WRITE = /^(delete\w*|remove\w*|update\w*|insert\w*|upsert\w*|save\w*|put\w*|write\w*|commit|publish\w*|send\w*|persist\w*|store\w*|flush)$/;

/** Whether a Python or Java handler names only specific, non-transport types: the failure was expected. */
export function expectedByType(language: Language, types: string): boolean {
  if (language !== 'python' && language !== 'java') return false;
  const names = caughtTypes(language, types);
  if (names.length === 0) return false;
  const broad = language === 'python' ? PY_BROAD : JAVA_BROAD;
  const transport = language === 'python' ? PY_TRANSPORT : JAVA_TRANSPORT;
  return names.every((n) => !broad.has(n) && !transport.has(n));
}

// the language's own data-structure errors: `list.remove(x)` raising ValueError, `queue.put_nowait`
// raising Full, `map.remove` on a missing key are "not there" / "no room", not a failed write to a store
const BUILTIN =
  /^(ValueError|KeyError|IndexError|LookupError|AttributeError|TypeError|Full|Empty|QueueFull|QueueEmpty|IllegalArgumentException|IllegalStateException|UnsupportedOperationException|ClassCastException|NullPointerException|ConcurrentModificationException|NoSuchElementException)$/;

/** Whether a Python or Java handler catches broadly: bare, or any of `Exception`, `BaseException`, `Throwable`, `RuntimeException`, `Error`. */
export function broadCatch(language: Language, types: string): boolean {
  if (language !== 'python' && language !== 'java') return false;
  const names = caughtTypes(language, types);
  const broad = language === 'python' ? PY_BROAD : JAVA_BROAD;
  return names.length === 0 || names.some((n) => broad.has(n));
}

/** Whether an empty handler for a store's own error type sits on a try that writes data (`self.delete(ids=ids)` with `MilvusException`). */
export function dropsWrite(language: Language, types: string, tryBody: Node | null, empty: boolean): boolean {
  if (!empty || !tryBody || caughtTypes(language, types).every((t) => BUILTIN.test(t))) return false;
  return tryBody.descendantsOfType(callTypes(language)).some((c) => {
    const segs = c ? calleeSegments(c) : [];
    return WRITE.test((segs[segs.length - 1] ?? '').replace(/\(\)$/, ''));
  });
}
