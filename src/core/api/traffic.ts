/**
 * The answer of `GET /api/traffic`: recent production requests, as the traces that served them, for
 * a shadow run to replay (issue 13, §1 "Traces"). Each trace is whole, so the run can compare what
 * the local build does with what production did.
 */
import type { TraceResponse } from './signals';

/** `GET /api/traffic?window=15m&limit=500&environment=E`. */
export interface TrafficResponse {
  /**
   * Held traces with an HTTP server span that recorded its request, newest request first, at most
   * `limit` of them.
   */
  traces: TraceResponse[];
}
