/**
 * Limits that keep readers, git and one noisy sender from starving ingest (issue 9 §3). One place,
 * so docs/security.md ("Load") and the code cannot disagree; each is explained there.
 */

/** A stream client whose unsent messages exceed this many bytes is not reading: it is dropped. */
export const STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

/** WebSocket clients the stream serves at once; more are refused (HTTP 503). */
export const STREAM_MAX_CLIENTS = 32;

/** Heavy read-API queries (`/api/signals`) computed at once; the rest wait their turn. */
export const QUERY_MAX_CONCURRENT = 1;

/** Distinct queries that may wait for their turn; beyond this a query is answered 503 (retry). */
export const QUERY_MAX_WAITING = 16;

/**
 * After a query took T ms, the next one starts no sooner than T x this factor later, so reading
 * takes at most about 1 / (1 + factor) (a sixth) of the event loop while ingest has work (bench:abuse:
 * factor 2 kept 40-51% of the ingest rate under four pollers, 4 kept 68%).
 */
export const QUERY_REST_FACTOR = 5;

/** An identical query over an unchanged store is answered from the last result for at most this long (ms). */
export const QUERY_CACHE_MS = 1_000;

/**
 * While spans are being filed, an identical query is answered from a result at most this old (ms),
 * unless the stream announced a change since it was computed: the stream's own change interval, so
 * a reader driven by `changed` messages never sees an answer older than the change it reacts to.
 */
export const QUERY_FRESH_MS = 250;

/** git commands drift runs at once. */
export const GIT_MAX_IN_FLIGHT = 2;

/** Deployed revisions whose drift is remembered (least recently used forgotten first). */
export const DRIFT_MAX_REVISIONS = 256;

/** Revisions being resolved at once (waiting or running); others are answered "unknown" until a slot frees. */
export const DRIFT_MAX_PENDING = 8;

/** A revision longer than this is not a plausible git revision or tag, and git is never asked about it. */
export const DRIFT_MAX_REVISION_CHARS = 100;

/** Files whose lines are being carried across drift at once (one diff each); others wait for a slot. */
export const CARRY_MAX_PENDING = 32;

/**
 * New revisions ingest starts resolving per second; others are shown as unknown and tried again
 * when seen after the second. Each forks git, which holds the receiver's event loop for ~3.4 ms
 * (a CPU profile under a stream of unique revisions: 547 ms of 8 s in ChildProcess.spawn at 20/s).
 * A real service brings a few revisions a day; bench:abuse's unique-revision phase kept 66-70% of
 * the undisturbed rate at 20/s and 72% (twice) at 5/s.
 */
export const DRIFT_MAX_NEW_PER_SECOND = 5;
