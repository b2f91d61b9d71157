/**
 * Answers of the read API, checked before anyone reads them: a receiver of another version, a proxy's
 * error page or a hostile server must give one clear error, not a crash deep in a view. Checks the
 * fields readers use; extra fields are allowed (newer receivers add some).
 */
import type { ErrorSignal, SignalsResponse, StatusResponse, TraceResponse } from '../api/signals';

/** Why an answer was refused: the path of the first bad field and what was expected. */
export class InvalidAnswer extends Error {}

type Check = (v: unknown, at: string) => void;

const str: Check = (v, at) => {
  if (typeof v !== 'string') fail(at, 'a string', v);
};
const num: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'a finite number', v);
};
const arrayOf =
  (item: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) fail(at, 'a list', v);
    (v as unknown[]).forEach((x, i) => item(x, `${at}[${i}]`));
  };
const optional =
  (check: Check): Check =>
  (v, at) => {
    if (v !== undefined) check(v, at);
  };
const oneOf =
  (...values: string[]): Check =>
  (v, at) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(at, `one of ${values.join(', ')}`, v);
  };
const bool: Check = (v, at) => {
  if (typeof v !== 'boolean') fail(at, 'true or false', v);
};
const numOrNull: Check = (v, at) => {
  if (v !== null) num(v, at);
};
const objectWith =
  (fields: Record<string, Check>): Check =>
  (v, at) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'an object', v);
    const o = v as Record<string, unknown>;
    for (const [k, check] of Object.entries(fields)) check(Object.hasOwn(o, k) ? o[k] : undefined, at ? `${at}.${k}` : k);
  };

function fail(at: string, expected: string, v: unknown): never {
  const got = v === undefined ? 'nothing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
  throw new InvalidAnswer(`${at || 'the answer'} is ${got}, not ${expected}`);
}

const figures = { count: num, errors: num, errorRate: num, ratePerMin: num, p50Ms: num, p95Ms: num, p99Ms: num };
const located = { service: str, environment: str, function: str, file: str, line: num };

const bucketRange: Check = (v, at) => {
  if (!Array.isArray(v) || v.length !== 2) fail(at, 'a [lower, upper] bucket', v);
  num(v[0], `${at}[0]`);
  numOrNull(v[1], `${at}[1]`);
};
const latencyBuckets = objectWith({ p50Ms: bucketRange, p95Ms: bucketRange, p99Ms: bucketRange });
const figureSource = objectWith({
  source: str,
  basis: oneOf('spans', 'sampled', 'metrics', 'logs'),
  traces: optional(num),
  ageMs: optional(num),
  stale: optional(bool),
  latencyBuckets: optional(latencyBuckets),
});
const sourceSummary = objectWith({
  name: str,
  kind: str,
  state: oneOf('starting', 'ok', 'stale', 'error', 'stopped'),
  lastSuccess: numOrNull,
  stalenessMs: numOrNull,
  error: optional(str),
});

const ERROR = objectWith({ ...located, type: str, message: str, count: num, totalCount: num, firstSeen: num, lastSeen: num, figures: optional(figureSource) });

const SIGNALS = objectWith({
  window: str,
  environment: str,
  environments: arrayOf(str),
  generatedAt: num,
  functions: arrayOf(objectWith({ ...figures, ...located, confidence: num, figures: optional(objectWith({ traffic: figureSource, errors: figureSource })) })),
  operations: arrayOf(objectWith({ ...figures, service: str, environment: str, name: str })),
  errors: arrayOf(ERROR),
  unmapped: arrayOf(objectWith({ service: str, environment: str, name: str, count: num })),
  calls: arrayOf(objectWith({ ...figures, ...located, target: str })),
  sources: optional(arrayOf(sourceSummary)),
  webVitals: optional(arrayOf(objectWith({ service: str, environment: str, route: str, metric: oneOf('lcp', 'cls', 'inp', 'fcp', 'ttfb'), p75: num, count: num }))),
});

const STATUS = objectWith({ version: str, listening: str, spansAccepted: num, spansProcessed: num });

const headerPair: Check = (v, at) => {
  if (!Array.isArray(v) || v.length !== 2) fail(at, 'a [name, value] pair', v);
  str(v[0], `${at}[0]`);
  str(v[1], `${at}[1]`);
};
const recordedRequest = objectWith({ path: str, query: str, status: num, headers: arrayOf(headerPair), scheme: optional(str), body: optional(str) });

const TRACE = objectWith({ traceId: str, spans: arrayOf(objectWith({ spanId: str, name: str, startMs: num, request: optional(recordedRequest) })) });

/** The value as a signals answer, or an InvalidAnswer naming the first bad field. */
export function parseSignalsAnswer(v: unknown): SignalsResponse {
  SIGNALS(v, '');
  return v as SignalsResponse;
}

/** The value as one error group (a stream's `newErrorGroup`), or an InvalidAnswer. */
export function parseErrorSignal(v: unknown, at = 'error'): ErrorSignal {
  ERROR(v, at);
  return v as ErrorSignal;
}

/** The value as a status answer, or an InvalidAnswer. */
export function parseStatusAnswer(v: unknown): StatusResponse {
  STATUS(v, '');
  return v as StatusResponse;
}

/** The value as a trace answer, or an InvalidAnswer. */
export function parseTraceAnswer(v: unknown): TraceResponse {
  TRACE(v, '');
  return v as TraceResponse;
}
