/**
 * The one seam every reader of telemetry goes through (../shared/DESIGN.md, "The source seam"): the
 * read API, the stream, `serve` and the CLI ask a TelemetrySource, never a store. The embedded
 * receiver's store is one source; remote backends (Jaeger, Prometheus, Tempo, Loki) are others.
 * Optional features are capabilities, never a check of the kind.
 */
import type { ErrorSignal, SignalsResponse, TraceResponse } from '../api/signals';
import { parseWindow } from '../signals/windows';

/** A signals query, parsed and checked. */
export interface SignalsQuery {
  /** As asked (`5m`, `1h`), for answers that echo it. */
  window: string;
  windowMs: number;
  environment?: string;
  /** Only this workspace-relative file's functions, errors and calls. */
  file?: string;
  /** At most this many rows per list. */
  top?: number;
  /** Per-minute points for sparklines. */
  perMinute: boolean;
}

/** What a source can answer. */
export interface SourceCapabilities {
  /** Per-function figures, errors and exemplars from spans. */
  spans: boolean;
  /** Aggregate figures from metrics (all traffic, not a sample). */
  metrics: boolean;
  /** Error groups from logs. */
  logs: boolean;
  /** Changes are pushed as they happen (a receiver, a tail), not only found by polling. */
  live: boolean;
  /** Whole traces by id. */
  traces: boolean;
  /**
   * Recent production requests: held traces whose HTTP server spans recorded their request (`traffic()`).
   * Absent means false.
   */
  traffic?: boolean;
}

/** A query for recent production requests (`GET /api/traffic`), parsed and checked. */
export interface TrafficQuery {
  /** As asked (`15m`). */
  window: string;
  windowMs: number;
  /** At most this many traces. */
  limit: number;
  /** Only requests served in this environment. */
  environment?: string;
}

/** How a source is doing, in terms that fit a receiver and a remote backend alike. */
export interface SourceStatus {
  state: 'starting' | 'ok' | 'stale' | 'error' | 'stopped';
  /** When it last answered (ms since the epoch), null before the first answer. */
  lastSuccess: number | null;
  /** How old its newest figures are, ms; null when unknown. */
  stalenessMs: number | null;
  /** One line, when `state` is `error` or `stale`. */
  error?: string;
}

/**
 * What changed, as far as a source can say. Absent (the listener gets nothing) means anything may
 * have: readers ask again for everything they show.
 */
export interface SourceChange {
  /** Workspace-relative files whose figures changed; workspace-wide rows may have changed with them. */
  files: readonly string[];
  /** Environments whose figures changed. */
  environments: readonly string[];
  /** Error groups created since the last change, when the source tells them apart (a store does). */
  newErrors?: readonly ErrorSignal[];
}

/** Something that can be stopped; returned by subscriptions. */
export interface Disposable {
  dispose(): void;
}

/** One place telemetry comes from. */
export interface TelemetrySource {
  /** A short name for logs and the status bar: `embedded receiver`, `jaeger`. */
  readonly kind: string;
  readonly capabilities: SourceCapabilities;
  /** Figures for a query. Rejects with a one-line Error when it cannot answer. */
  signals(query: SignalsQuery): Promise<SignalsResponse>;
  /** One trace's spans, or null when the source does not hold it. `id` is 32 lowercase hex digits. */
  trace(id: string): Promise<TraceResponse | null>;
  /**
   * With the `traffic` capability: the held traces that have an HTTP server span with a recorded
   * request started within the window (in the environment, when given), newest request first, at
   * most `limit`, each trace whole. Rejects with a one-line Error when it cannot answer.
   */
  traffic?(query: TrafficQuery): Promise<TraceResponse[]>;
  status(): SourceStatus;
  /**
   * Called (debounced by the source) when its figures may have changed, with what changed when the
   * source can say; a source that cannot (a polled backend) calls it with nothing.
   */
  onChange(listener: (change?: SourceChange) => void): Disposable;
  /** Ends the session: timers, sockets and subscriptions of this source. */
  dispose(): Promise<void>;
}

const MAX_TOP = 10_000;
/** Traces one traffic answer may hold: a shadow run samples hundreds of requests, not a day of them. */
export const MAX_TRAFFIC_LIMIT = 5_000;
const DEFAULT_TRAFFIC_LIMIT = 500;

/**
 * Parses the read API's query parameters (`window`, `environment`, `file`, `top`, `perMinute`).
 * Throws a one-line Error naming the bad parameter.
 */
export function parseSignalsQuery(params: URLSearchParams, defaultWindow: string): SignalsQuery {
  const window = params.get('window') ?? defaultWindow;
  return {
    window,
    windowMs: parseWindow(window),
    environment: params.get('environment') ?? undefined,
    file: params.get('file') ?? undefined,
    perMinute: params.get('perMinute') === '1' || params.get('perMinute') === 'true',
    top: topParam(params.get('top')),
  };
}

function topParam(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > MAX_TOP) throw new Error(`invalid top "${text}": use a whole number from 1 to ${MAX_TOP}`);
  return Number(text);
}

/**
 * Parses `GET /api/traffic`'s parameters (`window`, default `defaultWindow`; `limit`, 1 to
 * MAX_TRAFFIC_LIMIT, default 500; `environment`). Throws a one-line Error naming the bad parameter.
 */
export function parseTrafficQuery(params: URLSearchParams, defaultWindow = '15m'): TrafficQuery {
  const window = params.get('window') ?? defaultWindow;
  const text = params.get('limit');
  let limit = DEFAULT_TRAFFIC_LIMIT;
  if (text !== null && text !== '') {
    if (!/^\d{1,6}$/.test(text) || Number(text) < 1 || Number(text) > MAX_TRAFFIC_LIMIT) throw new Error(`invalid limit "${text.slice(0, 40)}": use a whole number from 1 to ${MAX_TRAFFIC_LIMIT}`);
    limit = Number(text);
  }
  const environment = params.get('environment');
  return { window, windowMs: parseWindow(window), limit, ...(environment !== null && environment !== '' ? { environment } : {}) };
}
