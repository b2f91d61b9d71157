/**
 * What the replayer hands the comparator for one replayed request: the request, and the answers of
 * the candidate (the local build), the baseline and the baseline again (for noise cancellation),
 * each with the spans the receiver collected for that answer's trace.
 */
import type { TraceSpan } from '../api/signals';
import type { HeaderPair, ShadowRequest } from './shadowRequest';

/** One side's answer to a replayed request. */
export interface ReplayAnswer {
  /** 0 when no answer came (see `error`). */
  status: number;
  headers: HeaderPair[];
  /** UTF-8 text, possibly cut at the replayer's cap (a cut JSON body then has no shape). */
  body: string;
  durationMs: number;
  /** Why no answer came: `timeout`, `refused`, ... */
  error?: string;
  /** The local build's spans of this request's trace; may be empty. */
  spans: TraceSpan[];
}

/** One request replayed to the candidate and, when there is one, to the baseline twice. */
export interface ReplayExchange {
  request: ShadowRequest;
  candidate: ReplayAnswer;
  baseline?: ReplayAnswer;
  /** The baseline's second answer to the same request: what differs between the two is noise. */
  baseline2?: ReplayAnswer;
}
