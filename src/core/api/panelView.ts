/**
 * The view models the webviews are sent (the panel, the focus card, the trace waterfall): part of the
 * webview protocol, so they live with the wire contract; render/ builds them.
 */
import type { ErrorSignal, SourceSummary, WindowFigures } from './signals';

/** How alarming a figure is. */
export type Severity = 'ok' | 'warning' | 'error';

/** One row's figures as the API gives them, formatted, with their levels. */
export interface RowFigures extends Pick<WindowFigures, 'ratePerMin' | 'errorRate' | 'p95Ms' | 'count' | 'errors'> {
  rate: string;
  errorRateText: string;
  p95: string;
  latencyLevel: Severity;
  errorLevel: Severity;
}

/** An endpoint (server operation) under its service. */
export interface EndpointRow extends RowFigures {
  key: string;
  name: string;
  /** What the row is, when its name does not say (the row of operations past the store's cap); shown on hover. */
  hint?: string;
}

/** A service: its entry operations added up, with a per-minute sparkline. */
export interface ServiceRow extends RowFigures {
  key: string;
  service: string;
  environment: string;
  /** Requests per complete minute, oldest first (the minute in progress is left out). */
  sparkCounts: number[];
  /** Errors per minute, aligned with `sparkCounts`. */
  sparkErrors: number[];
  /** The busiest endpoints by impact (at most SERVICE_ENDPOINTS). */
  endpoints: EndpointRow[];
  /** The figures rest on sampled traces (no metrics source counts this service's requests): rates are of the sample. */
  sampled?: boolean;
}

/** A function in one of the top lists. */
export interface FunctionRow extends RowFigures {
  key: string;
  service: string;
  environment: string;
  function: string;
  file: string;
  line: number;
  /** ratePerMin × p95: latency paid per minute, the ranking that matters most. */
  impactMs: number;
  impact: string;
  /** 0..1 against the list's first row, for the inline bar. */
  bar: number;
  /** `stale 4m` when its source stopped refreshing (shown muted, with the age); absent when fresh. */
  stale?: string;
  /** Where the figures came from, when a remote source gave them: `Figures from prometheus (span metrics); ...`. */
  provenance?: string;
}

/** An error group row (also streamed live as groups appear). */
export interface ErrorGroupRow extends Pick<ErrorSignal, 'service' | 'environment' | 'type' | 'message' | 'count' | 'totalCount' | 'function' | 'file' | 'line' | 'firstSeen' | 'lastSeen'> {
  key: string;
  /** A trace to open, when one is held. */
  traceId?: string;
}

/** The receiver/backend line at the top of the panel. */
export interface ReceiverStatusView {
  kind: 'stopped' | 'starting' | 'running' | 'error';
  /** One short line: `Receiving on 127.0.0.1:4318 · 42 spans/s · 96% mapped`. */
  text: string;
  /** The line a user exports for a local run: `OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318`. */
  otlpLine: string;
  /** False when the embedded receiver is off and only the team's sources answer. */
  receiving?: boolean;
  /** The sources the read API answers from, when there are remote ones. */
  sources?: SourceRowView[];
}

/** One source in the panel's Sources section. */
export interface SourceRowView {
  name: string;
  kind: string;
  state: SourceSummary['state'];
  /** `ok · last success 12 s ago · lag 3s`. */
  text: string;
  /** One line, when the source failed or is stale. */
  error?: string;
}

/** Everything the panel shows for one selection. */
export interface PanelModel {
  window: string;
  environment: string;
  environments: string[];
  generatedAt: number;
  /** Nothing received at all: the panel explains how to send data instead of empty tables. */
  empty: boolean;
  services: ServiceRow[];
  top: { impact: FunctionRow[]; errors: FunctionRow[]; p95: FunctionRow[] };
  errors: ErrorGroupRow[];
  /** Spans that could not be tied to code in this window. */
  unmappedSpans: number;
}

/** What a focus request names (the CodeLens click's arguments). */
export interface FocusTarget {
  service: string;
  environment: string;
  file: string;
  line: number;
  function: string;
}

/** One window's column of the focus card. */
export interface FocusWindow {
  window: string;
  /** Absent when the function had no calls in that window. */
  figures?: RowFigures & { p50: string; p99: string };
}

/** The focus card. */
export interface FocusDetail extends FocusTarget {
  /** The key of the function's row in the top lists (see functionKey). */
  key: string;
  /** False when no window has figures for the function (yet). */
  found: boolean;
  windows: FocusWindow[];
  errors: ErrorGroupRow[];
  /** Slowest traces by duration (`1.3 s`), failed ones marked (`failed · 1.3 s`). */
  exemplars: Array<{ traceId: string; label: string }>;
  /** How the spans were tied to this code: `code-attributes · 100%`. */
  mapping: string;
}

/** One bar of the waterfall. */
export interface WaterfallRow {
  spanId: string;
  depth: number;
  name: string;
  service: string;
  /** Index into `TraceWaterfall.services`, for a stable colour per service. */
  serviceIndex: number;
  kind: string;
  /** 0..1 of the trace's duration. */
  offset: number;
  width: number;
  duration: string;
  /** Start relative to the trace: `+12 ms`. */
  start: string;
  error: boolean;
  /** The status message and exceptions, one line each. */
  problems: string[];
  /** `GET /orders/:id` when the span is an HTTP request. */
  route: string;
  mapping?: { file: string; line: number; function: string; label: string };
  /** The parent is not in the trace (not received, or evicted). */
  orphan: boolean;
}

/** The whole waterfall. */
export interface TraceWaterfall {
  traceId: string;
  startMs: number;
  duration: string;
  spanCount: number;
  errorCount: number;
  services: string[];
  rows: WaterfallRow[];
  /** Time axis labels at 0, ¼, ½, ¾ and the end. */
  ticks: Array<{ at: number; label: string }>;
}
