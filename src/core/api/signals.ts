/**
 * The read API's JSON shapes (`GET /api/signals`), shared by the receiver, the CLI, the
 * extension and the webviews. Files are workspace-relative posix paths.
 */

/** How a span was tied to code; part of the public contract. */
export type MappedBy = 'code-attributes' | 'stacktrace' | 'sourcemap' | 'route' | 'span-name';

/** A trace worth opening: the slowest or a recent failing one. */
export interface Exemplar {
  traceId: string;
  spanId: string;
  durationMs: number;
  /** Unix ms. */
  time: number;
  kind: 'slowest' | 'error';
}

/** Where a deployment stands against the local HEAD (see RevisionDrift). */
export interface DriftSummary {
  deployed: string;
  status: 'same' | 'drifted' | 'unknown';
  behind: number;
  ahead: number;
  reason: string;
}

/** One minute of a sparkline. */
export interface SparkPoint {
  t: number;
  count: number;
  errors: number;
  avgMs: number;
  maxMs: number;
}

/** What one window adds up to for an aggregate: throughput, errors and latency quantiles. */
export interface WindowFigures {
  count: number;
  errors: number;
  errorRate: number;
  ratePerMin: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Production figures of one code location (a function) in one window. */
export interface FunctionSignal extends WindowFigures {
  service: string;
  environment: string;
  function: string;
  file: string;
  line: number;
  mappedBy: MappedBy;
  confidence: number;
  exemplars: Exemplar[];
  /** What the telemetry named as its deployed revision and version, when it did. */
  deployed?: Deployed;
  /** The line as telemetry reported it, when revision drift moved it. */
  deployedLine?: number;
  drift?: DriftSummary;
  perMinute?: SparkPoint[];
  /** Where the figures came from, when not (only) the embedded receiver's full stream. */
  figures?: FunctionFigureSources;
}

/** What a figure rests on: every span, a sample of traces, span metrics (all traffic) or logs. */
export type FigureBasis = 'spans' | 'sampled' | 'metrics' | 'logs';

/** Where one figure came from, and how far to trust it. */
export interface FigureSource {
  /** The source's configured name: `embedded`, `jaeger`, `prometheus (prod)`. */
  source: string;
  basis: FigureBasis;
  /** For `sampled`: how many traces the figure rests on. */
  traces?: number;
  /** How old the figure is (ms since its source last refreshed), when known. */
  ageMs?: number;
  /** True when its source has not refreshed within its refresh interval: show the figure, marked stale, with its age. */
  stale?: boolean;
  /** For `metrics` from a histogram: the bucket each percentile lies in (the figure is interpolated inside it). */
  latencyBuckets?: LatencyBuckets;
}

/** A histogram bucket in ms, [lower, upper]; upper null = above the highest finite bound. */
export type BucketRange = [number, number | null];

/** The buckets a function's p50, p95 and p99 lie in: all a histogram can say about them. */
export interface LatencyBuckets {
  p50Ms: BucketRange;
  p95Ms: BucketRange;
  p99Ms: BucketRange;
}

/** A function's rate and percentiles (`traffic`) and its errors, stacks and exemplars (`errors`) may come from different sources. */
export interface FunctionFigureSources {
  traffic: FigureSource;
  errors: FigureSource;
}

/** The revision (`vcs.ref.head.revision`) and `service.version` a deployment reported. */
export interface Deployed {
  revision: string;
  version: string;
}

/** Figures of one operation: an `http.route` (with method) or a span name. */
export interface OperationSignal extends WindowFigures {
  service: string;
  environment: string;
  name: string;
  kind: number;
  perMinute?: SparkPoint[];
  /** Where the figures came from: OTLP metrics count every request, where traces may be sampled; absent from older receivers. */
  source?: 'spans' | 'metrics' | 'sampled';
}

/** An error group: exception type + normalized message + first in-app frame. */
export interface ErrorSignal {
  service: string;
  environment: string;
  type: string;
  message: string;
  count: number;
  /** Occurrences over the whole retention, not just the window. */
  totalCount: number;
  function: string;
  file: string;
  line: number;
  firstSeen: number;
  lastSeen: number;
  mappedBy: MappedBy | null;
  stacktrace: string;
  traceIds: string[];
  /** The requests it happened in (`GET /price/{item}`), when known; at most three. */
  operations?: string[];
  deployed?: Deployed;
  deployedLine?: number;
  drift?: DriftSummary;
  /** Where the group came from, when not the embedded receiver. */
  figures?: FigureSource;
}

/** Spans that could not be tied to code, grouped by why. */
export interface UnmappedSignal {
  service: string;
  environment: string;
  name: string;
  reason: string;
  count: number;
}

/** The answer of `GET /api/signals`. */
/** The name of the operation row of a service's operations refused a row of their own at the cap (rarer than every stored one). */
export const OTHER_OPERATIONS = '(other operations)';

export interface SignalsResponse {
  window: string;
  environment: string;
  environments: string[];
  generatedAt: number;
  functions: FunctionSignal[];
  operations: OperationSignal[];
  errors: ErrorSignal[];
  unmapped: UnmappedSignal[];
  /** Outgoing calls (client spans) tied to the line in their parent's function that makes them. */
  calls: CallSignal[];
  evicted: { locations: number; operations: number; errorGroups: number; unmapped: number };
  /**
   * Spans past the caps that got no row of their own, because every stored row was used more: their
   * operation counts in the service's "(other operations)" row, an unmapped one in "(other spans)",
   * and a function's in its operation only. Absent when none.
   */
  pastCaps?: { locations: number; operations: number; unmapped: number };
  /** Each source the answer was merged from, with its state (absent when the embedded receiver alone answered). */
  sources?: SourceSummary[];
  /** Core Web Vitals of browser pages (Grafana Faro), p75 per page route and metric in the window; absent when none were received. */
  webVitals?: WebVitalRow[];
}

/** The Core Web Vitals Runtime Lens keeps: milliseconds for all but `cls` (a unitless layout-shift score). */
export type WebVitalMetric = 'lcp' | 'cls' | 'inp' | 'fcp' | 'ttfb';

/** One web vital of one page route of a browser app (Faro `measurements` of type `web-vitals`), in the answer's window. */
export interface WebVitalRow {
  /** `meta.app.name` of the page. */
  service: string;
  environment: string;
  /** The page path (`/orders/{id}`: ids folded), or the Faro view name when the page sent no URL. */
  route: string;
  metric: WebVitalMetric;
  /** 75th percentile of the samples in the window, as web.dev rates pages. */
  p75: number;
  /** Samples in the window. */
  count: number;
}

/** One source of an answer, as the panel and status bar list it. */
export interface SourceSummary {
  /** The configured name: `embedded`, `jaeger`, `prometheus (prod)`. */
  name: string;
  /** `embedded`, `jaeger`, `prometheus`, `tempo`, `loki`. */
  kind: string;
  state: 'starting' | 'ok' | 'stale' | 'error' | 'stopped';
  lastSuccess: number | null;
  stalenessMs: number | null;
  error?: string;
  /** Requests sent to the backend and bytes received since the server started (remote sources). */
  requests?: number;
  bytes?: number;
}

/** The answer of `GET /api/status`. */
export interface StatusResponse {
  version: string;
  listening: string;
  /** The workspace folder spans are mapped against ('' when none). */
  workspace: string;
  startedAt: number;
  spansAccepted: number;
  /** Spans filed; once the queue is idle, `spansProcessed + spansFailed === spansAccepted`. */
  spansProcessed: number;
  /** Accepted spans whose filing threw (each failure affects that span only); absent from older receivers. */
  spansFailed?: number;
  /** Spans and log records rejected as invalid inside accepted requests. */
  spansRejected: number;
  logsAccepted: number;
  logsProcessed: number;
  /** Accepted log records whose filing threw; absent from older receivers. */
  logsFailed?: number;
  queueDepth: number;
  spansPerSecond: number;
  services: number;
  /**
   * What share of what should reach code did: spans counted as calls of a function (client spans,
   * which count as outgoing calls, and spans folded into a call already counted are left out) and
   * exception occurrences.
   */
  mappedPercent: number;
  /** Server spans (requests) tied to a function, percent; absent before the first server span (and from older receivers). */
  requestsMappedPercent?: number;
  /** Exception occurrences (each counted once) tied to a line, percent; absent before the first exception. */
  exceptionsMappedPercent?: number;
  /** Spans filed as part of a call already counted (same function, framework middleware and router layers). */
  spansFolded?: number;
  /** Client spans, counted as outgoing calls of their parent's function. */
  clientSpans?: number;
  /** When the workspace index last finished building or re-indexing changed files (ms since the epoch; 0 = not yet); absent from older receivers. */
  indexedAt?: number;
  /** Data points of the HTTP server duration histograms accepted on `/v1/metrics`; absent from older receivers. */
  metricPointsAccepted?: number;
  /** Whether `/v1/*` accepts OTLP (false when the server only reads remote sources); absent from older receivers. */
  receiving?: boolean;
  /** The sources the read API answers from, when there are remote ones. */
  sources?: SourceSummary[];
}

/**
 * An outgoing call: client spans (kind 3) whose parent span maps to a function, tied to the line
 * inside that function that makes the call.
 */
export interface CallSignal extends WindowFigures {
  service: string;
  environment: string;
  /** The function making the call and where, workspace-relative. */
  function: string;
  file: string;
  line: number;
  /** What is called: `server.address[:port]` or the URL host, else the span name. */
  target: string;
  /** How the line was chosen: the URL (host or path) appears on it, it is the function's only outgoing call, or unknown (line = the function's line). */
  lineMatch: 'url' | 'only-call' | 'function';
}

/** One span of a trace held by the receiver, for the trace view. */
export interface TraceSpan {
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  service: string;
  environment: string;
  /** Unix ms. */
  startMs: number;
  durationMs: number;
  error: boolean;
  statusMessage: string;
  httpRoute: string;
  httpMethod: string;
  /** What a client span calls (URL without query, else server address[:port]), when it says. */
  peer?: string;
  /** What an HTTP server span (kind 2) recorded of its request, for replaying it; absent on other spans or when it recorded none of it. */
  request?: RecordedHttpRequest;
  /** Where the span maps in the workspace, when it does. */
  mapping?: { file: string; line: number; function: string; mappedBy: MappedBy; confidence: number };
  exceptions: { type: string; message: string }[];
}

/**
 * The request an HTTP server span describes, from its semantic-convention attributes: `url.path` and
 * `url.query` (or the older `http.target`), `http.response.status_code` (or `http.status_code`),
 * `url.scheme` (or `http.scheme`), the opt-in `http.request.header.<name>` headers and, where an
 * instrumentation captured one, the request body. Values as recorded, not yet redacted.
 */
export interface RecordedHttpRequest {
  /** Starts with '/' when known, else ''; ends with '…' when it was longer than the receiver keeps. */
  path: string;
  /** Without the '?'; '' when none. */
  query: string;
  /** The response status; 0 when unknown. */
  status: number;
  /** Lowercase names as the attribute keys give them; a header with several values gives several pairs. */
  headers: [name: string, value: string][];
  /** `http` or `https`, when recorded. */
  scheme?: string;
  /** The request body as text, when an instrumentation captured all of it (`http.request.body.content`, `http.request.body`). */
  body?: string;
}

/** The answer of `GET /api/traces/:traceId`; 404 when the trace is no longer held. */
export interface TraceResponse {
  traceId: string;
  spans: TraceSpan[];
}
