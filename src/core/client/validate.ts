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

const hexId =
  (len: number): Check =>
  (v, at) => {
    if (typeof v !== 'string' || v.length !== len || !/^[0-9a-f]+$/.test(v)) fail(at, `${len} lowercase hex digits`, v);
  };
const parentId: Check = (v, at) => {
  if (v !== '') hexId(16)(v, at);
};
/** A traffic trace is read field by field into requests and code: every field those readers use is checked. */
const TRAFFIC_TRACE = objectWith({
  traceId: hexId(32),
  spans: arrayOf(
    objectWith({
      spanId: hexId(16),
      parentSpanId: parentId,
      name: str,
      kind: num,
      service: str,
      environment: str,
      startMs: num,
      durationMs: num,
      error: bool,
      statusMessage: str,
      httpRoute: str,
      httpMethod: str,
      peer: optional(str),
      request: optional(recordedRequest),
      mapping: optional(objectWith({ file: str, line: num, function: str })),
      exceptions: arrayOf(objectWith({ type: str, message: str })),
    }),
  ),
});
/** Each trace is checked on its own (parseTrafficAnswer), so one bad trace does not refuse the answer. */
const anyList: Check = (v, at) => {
  if (!Array.isArray(v)) fail(at, 'a list', v);
};
const TRAFFIC = objectWith({ traces: anyList });

/** A traffic answer's traces that passed the checks, and one line for each that did not. */
export interface TrafficAnswer {
  traces: TraceResponse[];
  /** `traces[3].spans[0].kind is nothing, not a finite number`: what made each refused trace unreadable. */
  rejected: string[];
}

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

/**
 * The value as a traffic answer (`{ traces }`), or an InvalidAnswer when it is not one. A trace with
 * a bad field is left out and named in `rejected`: one bad trace does not lose the others.
 */
export function parseTrafficAnswer(v: unknown): TrafficAnswer {
  TRAFFIC(v, '');
  const out: TrafficAnswer = { traces: [], rejected: [] };
  (v as { traces: unknown[] }).traces.forEach((trace, i) => {
    try {
      TRAFFIC_TRACE(trace, `traces[${i}]`);
      out.traces.push(trace as TraceResponse);
    } catch (err) {
      if (!(err instanceof InvalidAnswer)) throw err;
      out.rejected.push(err.message);
    }
  });
  return out;
}
