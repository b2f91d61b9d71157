/**
 * The receiver fuzz tier's defaults and bounds in one place (documented in docs/dev/fuzz-and-abuse.md).
 * RUNTIME_LENS_FUZZ_RUNS and RUNTIME_LENS_FUZZ_SEED override the first two.
 */

/** Requests per run in `npm test`; `npm run fuzz` sets 300,000. */
export const FUZZ_DEFAULT_RUNS = 20_000;
/** The fixed seed: every run sends the same requests. */
export const FUZZ_DEFAULT_SEED = 0x5eed_f022;
/** Requests per round; the checks run after each round, once the receiver is idle. */
export const FUZZ_ROUND = 1_000;
/** Every this-many-th round damages bytes and transport instead of structure. */
export const FUZZ_BYTE_ROUND_EVERY = 5;
/** One request in this many is a well-formed canary span that must be found in /api/signals. */
export const FUZZ_CANARY_EVERY = 50;
/** Requests in flight at once. */
export const FUZZ_CONCURRENCY = 8;
/** Statuses a hostile request may get (429 and 503 are retried, as exporters do); 500 never. */
export const FUZZ_ALLOWED_STATUSES: ReadonlySet<number> = new Set([200, 400, 413, 415]);
/** The longest string an /api/signals answer may hold once fields are capped at ingest (generous on purpose). */
export const FUZZ_MAX_ANSWER_STRING = 65_536;
/** Longest read-API URL the fuzzer builds; an environment name that needs more cannot be selected. */
export const FUZZ_MAX_QUERY_CHARS = 8_000;
