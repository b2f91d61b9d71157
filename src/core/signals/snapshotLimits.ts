/**
 * Bounds of the snapshot file, in one place (documented in docs/security.md, "Integrity"). A
 * snapshot is read back on start, so a crafted or damaged one must cost time linear in its size
 * and never put more into the store than ingest itself would.
 */

/** A larger snapshot file is set aside unread (V8 cannot hold a much longer string anyway). */
export const MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/** Longest string field read from a snapshot; an entry with a longer one is skipped. */
export const MAX_SNAPSHOT_STRING_CHARS = 65_536;

/** Most per-minute rows one series may carry (a week of minutes: the longest window there is). */
export const MAX_SNAPSHOT_SERIES_MINUTES = 7 * 1_440 + 2;

/** Most latency sketches one series may carry (fine minutes plus fifteen-minute blocks). */
export const MAX_SNAPSHOT_SERIES_SKETCHES = 1_024;

/** Most exemplars or trace ids one entry may carry. */
export const MAX_SNAPSHOT_EXEMPLARS = 100;

/**
 * Longest base64 text of one sketch: a sketch holds at most 1,024 bins of 8 bytes (~11 KB of
 * base64), so anything much longer was not written by us and is refused before it is decoded.
 */
export const MAX_SNAPSHOT_SKETCH_CHARS = 16_384;

/** Entries per kind listed in the "skipped" part of a partial-restore report. */
export const MAX_SNAPSHOT_REASONS = 5;

/** Entries serialized between two yields to the event loop while the snapshot is written. */
export const SNAPSHOT_ENTRIES_PER_CHUNK = 100;
