/**
 * A fresh W3C trace context for each replayed request, so the spans the local build makes for it are
 * collected under a trace id known in advance and joined to the request.
 */
import { randomFillSync } from 'node:crypto';

/** Ids are cut from a pool filled 256 at a time: one CSPRNG call per request cost as much as the rest of sending it. */
const ID_BYTES = 24;
const pool = Buffer.alloc(ID_BYTES * 256);
let at = pool.length;

/** A new sampled trace: its id, the parent span id the header names, and the `traceparent` header that starts it. */
export function freshTraceparent(): { traceId: string; parentSpanId: string; traceparent: string } {
  if (at === pool.length) {
    randomFillSync(pool);
    at = 0;
  }
  const ids = pool.subarray(at, at + ID_BYTES);
  at += ID_BYTES;
  // All-zero ids are invalid; astronomically unlikely, but cheap to rule out.
  if (ids.subarray(0, 16).every((b) => b === 0)) ids[0] = 1;
  if (ids.subarray(16).every((b) => b === 0)) ids[16] = 1;
  const traceId = ids.toString('hex', 0, 16);
  const parentSpanId = ids.toString('hex', 16, 24);
  return { traceId, parentSpanId, traceparent: `00-${traceId}-${parentSpanId}-01` };
}
