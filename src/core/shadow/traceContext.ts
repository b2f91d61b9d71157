/**
 * A fresh W3C trace context for each replayed request, so the spans the local build makes for it are
 * collected under a trace id known in advance and joined to the request.
 */
import { randomBytes } from 'node:crypto';

/** A new sampled trace: its id and the `traceparent` header that starts it. */
export function freshTraceparent(): { traceId: string; traceparent: string } {
  const ids = randomBytes(24);
  // All-zero ids are invalid; astronomically unlikely, but cheap to rule out.
  if (ids.subarray(0, 16).every((b) => b === 0)) ids[0] = 1;
  if (ids.subarray(16).every((b) => b === 0)) ids[16] = 1;
  const traceId = ids.toString('hex', 0, 16);
  return { traceId, traceparent: `00-${traceId}-${ids.toString('hex', 16, 24)}-01` };
}
