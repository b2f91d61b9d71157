/**
 * What a shadow run reports: per route and per function, what the local build (the candidate) does
 * differently from the baseline (and from production, where the traffic recorded it). The CLI's
 * `--json`, the report webview, the CodeLens and the agent tools all read this shape. Every text
 * that came from traffic is already redacted.
 */

/** A status that differs, with one request that shows it. */
export interface StatusExample {
  requestId: string;
  /** Method and redacted path: `GET /orders/REDACTED-3f2a1c`. */
  request: string;
  candidate: number;
  baseline?: number;
  production?: number;
}

/** A JSON response field that changed: `$.items[].price` removed, `$.total` number -> string. */
export interface ShapeChange {
  /** JSON path with `[]` for any array element. */
  path: string;
  change: 'added' | 'removed' | 'retyped';
  /** JSON types before and after (`number`, `string`, `object`, `array`, `boolean`, `null`). */
  from?: string;
  to?: string;
  /** Requests whose responses showed it. */
  requests: number;
}

/** Latency of a set of requests or spans on both sides; ratios are candidate / baseline. */
export interface LatencyDelta {
  candidateP50Ms: number;
  candidateP95Ms: number;
  baselineP50Ms: number;
  baselineP95Ms: number;
  p50Ratio: number;
  p95Ratio: number;
  /**
   * Whether the candidate is slower beyond noise: in the requests both sides answered at the same
   * moment, the candidate took longer clearly more often than chance (a sign test, z ≥ 3), and by a
   * median of at least 1 ms and a fifth of the baseline's p50. Absent when nothing was paired.
   */
  slower?: boolean;
}

/** An error group the candidate's spans raise that the baseline's do not (or more often). */
export interface ErrorDelta {
  type: string;
  message: string;
  /** Requests in which the candidate raised it, and the baseline did. */
  candidate: number;
  baseline: number;
  /** Where it was thrown, when its span or stack maps to code. */
  file?: string;
  line?: number;
  function?: string;
}

/** What one route did differently. */
export interface RouteDelta {
  method: string;
  /** The route template when known, else the redacted path. */
  route: string;
  /** Requests replayed for it. */
  requests: number;
  /** Requests whose status differs from the baseline's beyond the baseline's own noise. */
  statusMismatches: number;
  /** Requests whose status differs from what production answered (where recorded). */
  productionMismatches: number;
  examples: StatusExample[];
  shapeChanges: ShapeChange[];
  /** Null without a baseline or without answers on both sides. */
  latency: LatencyDelta | null;
  newErrors: ErrorDelta[];
  /** Requests in which a compared JSON field's value or a compared header differs beyond the baseline's noise (shape aside). */
  valueChanges?: number;
}

/** A downstream call (a client span, or a child span of a named kind) that changed under a function. */
export interface CallDelta {
  /** What is called: host[:port], a DB statement's summary, or the span name. */
  target: string;
  /** The line in the function that makes the call, when known. */
  line?: number;
  change: 'added' | 'missing' | 'repeated';
  /** Calls per request on each side (a `repeated` N+1 shows as many per request). */
  candidatePerRequest: number;
  baselinePerRequest: number;
  /** Requests that showed the change. */
  requests: number;
}

/** What one function (mapped from spans) did differently. */
export interface FunctionDelta {
  service: string;
  function: string;
  file: string;
  line: number;
  /** How sure the span-to-code mapping is (0..1), as for production figures. */
  confidence: number;
  /** Requests whose spans ran through it on either side (for a function only production comparison lists: the requests compared with production). */
  requests: number;
  latency: LatencyDelta | null;
  calls: CallDelta[];
  /**
   * Its calls against production's, for requests read from traces (their production spans): as
   * `calls`, with `baselinePerRequest` read as production's calls per request and `requests` as the
   * requests that showed it. Production is one sample per request, so a difference is listed only
   * when it shows in more than half of the requests where it could (see productionCallTally.ts).
   * The host the service called itself at reads as the candidate's. Absent when no request through
   * the function had production spans.
   */
  productionCalls?: CallDelta[];
  /**
   * Of the `requests` with production spans through it, those in which its spans errored: on the
   * candidate, and in production. Absent when no request through it had production spans.
   */
  productionErrorSpans?: { candidate: number; production: number; requests: number };
  /** Requests in which its spans errored: candidate against baseline. */
  errorSpans: { candidate: number; baseline: number };
  newErrors: ErrorDelta[];
}

/** The run's headline figures (what `--fail-if` conditions test). */
export interface ShadowSummary {
  statusMismatches: number;
  newErrors: number;
  shapeChanges: number;
  newCalls: number;
  /** Candidate p95 over baseline p95 across all replayed requests; null without a baseline. */
  p95Ratio: number | null;
  /** Whether the candidate is slower beyond noise across all requests (see LatencyDelta.slower). */
  slower?: boolean;
  /** Requests whose compared field values or headers differ beyond noise, over all routes (`value_changes` in `--fail-if`). */
  valueChanges?: number;
}

/** A whole shadow run. */
export interface ShadowReport {
  /** Requests read from the traffic. */
  requests: number;
  /** Requests sent to the candidate. */
  replayed: number;
  /** Requests not replayed, per reason. */
  skipped: Record<string, number>;
  routes: RouteDelta[];
  functions: FunctionDelta[];
  summary: ShadowSummary;
  /** One line each: calls the local build made to non-loopback hosts, requests that timed out, ... */
  warnings: string[];
  /** What was compared: the candidate's URL, the baseline's URL or ref, the traffic's origin. */
  run: {
    candidate: string;
    baseline?: string;
    traffic: string;
    startedAt: number;
    durationMs: number;
    /**
     * When requests were picked by the code they ran through (`--changed-since`): the ref, how many
     * functions changed since it, and how many replayed requests' production traces ran through one.
     */
    changedCode?: ChangedCodeRun;
  };
}

/** The changed code a run picked requests by (see ShadowReport.run.changedCode). */
export interface ChangedCodeRun {
  since: string;
  functions: number;
  /** Replayed requests whose production trace ran through a changed function (picked first). */
  replayed: number;
}
