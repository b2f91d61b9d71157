/**
 * One request of real traffic as the shadow run handles it, whatever it was read from (a trace's
 * HTTP server span, a HAR entry, a GoReplay record): what to send, what production answered, and
 * why it cannot be replayed when it cannot. Values are as read; the sanitizer redacts them before
 * anything is sent, stored or shown.
 */
import type { TraceSpan } from '../api/signals';

/** Where a request was read from. */
export type TrafficOrigin = 'trace' | 'har' | 'gor' | 'json';

/** Why a request is not replayed; counted per reason in the report. */
export type SkipReason =
  /** A method that changes state (not GET, HEAD, OPTIONS) whose route was not opted in. */
  | 'method-not-allowed'
  /** The method needs a body and none was captured: nothing is invented. */
  | 'needs-body'
  /** The record could not be read as an HTTP request (named in the detail). */
  | 'unreadable'
  /** The run's budget (count or seconds) was spent. */
  | 'over-budget'
  /** Not an HTTP request (a span of another kind, a HAR entry for a websocket). */
  | 'not-http';

/** A header as recorded: names keep their case, repeats stay separate. */
export type HeaderPair = [name: string, value: string];

/** What production answered the request, when the record says. */
export interface RecordedOutcome {
  status?: number;
  durationMs?: number;
  /** The production trace this request belongs to (for traffic from traces). */
  traceId?: string;
  /** The server span's id in that trace. */
  spanId?: string;
  /** The response body as recorded (HAR, GoReplay responses), for shape comparison. */
  body?: string;
  /** How `body` is encoded: base64 when the recorded bytes are not UTF-8 (an image, a binary download); else text. */
  bodyEncoding?: 'utf8' | 'base64';
  /** The response's content type, when recorded. */
  contentType?: string;
  /**
   * The request's own part of its production trace (traffic from traces only): the entry server span
   * and every span under it, with their code mappings as the production receiver made them against
   * the same workspace. The comparator compares the candidate's calls with them (FunctionDelta's
   * `productionCalls`). Redacted by the sanitizer like the rest (texts redacted, recorded requests
   * left out); held in memory for the run, never written into the workspace.
   */
  spans?: TraceSpan[];
}

/** One request read from traffic. */
export interface ShadowRequest {
  /** Stable within a run: `<origin>:<record id>` (trace id + span id, HAR entry index, GoReplay id). */
  id: string;
  origin: TrafficOrigin;
  /** Upper case. */
  method: string;
  /** Path and query as recorded, starting with '/': `/orders/42?expand=items`. */
  target: string;
  /** The route template when known (`/orders/:id`), else ''. */
  route: string;
  headers: HeaderPair[];
  /** The request body (UTF-8 text, or base64 when `bodyEncoding` says so); absent when none was captured. */
  body?: string;
  bodyEncoding?: 'utf8' | 'base64';
  /** When production received it (Unix ms), to keep gaps between requests; absent when unknown. */
  timeMs?: number;
  /** What production answered. */
  recorded: RecordedOutcome;
}

/** A record that was read but will not be replayed, and why. */
export interface SkippedRequest {
  id: string;
  reason: SkipReason;
  /** One line: what made it so (`POST /api/quotes not opted in`, `entry 12: no request.url`). */
  detail: string;
}

/** What reading a traffic file or source gives: requests to consider, and records skipped. */
export interface TrafficRead {
  requests: ShadowRequest[];
  skipped: SkippedRequest[];
}
