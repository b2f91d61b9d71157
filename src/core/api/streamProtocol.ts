/**
 * The read API's WebSocket, `/api/stream`: what the server pushes, and what it promises.
 *
 * - `hello` first, on every connection, with the server's status; after a reconnect anything may
 *   have changed, so a client asks again for everything it shows.
 * - `status` every second.
 * - `changed` at most every 250 ms, only when something changed. The server answers from a
 *   TelemetrySource (the embedded receiver, remote backends, or several merged): a source that can
 *   say what changed fills `files` and `environments` and leaves `all` out; one that cannot (a
 *   polled backend refreshed) makes the server send `all: true`, and every answer a client holds is
 *   out of date. Changes from both kinds within one interval arrive as one message with `all: true`
 *   and the files known. Servers older than `all` never send it.
 * - `newErrorGroup` for each error group created, at most 50 per second, from sources that tell new
 *   groups apart; groups beyond that, and groups of sources that cannot, reach clients through
 *   their next query after a `changed`.
 *
 * Messages from clients are not part of the protocol: the server reads and drops them.
 */
import type { ErrorSignal, StatusResponse } from './signals';

/** The path the stream is served on. */
export const STREAM_PATH = '/api/stream';

/** `changed`: figures of these files and environments changed, or, with `all`, any may have. */
export interface StreamChanged {
  type: 'changed';
  /** Workspace-relative files whose figures changed; workspace-wide rows (operations, rankings) may have changed with any of them. */
  files: string[];
  /** Environments whose figures changed; empty when unknown. */
  environments: string[];
  /** Server time of the message (ms since the epoch). */
  at: number;
  /** A source could not say what changed: every answer may be out of date, not only `files`'. */
  all?: true;
}

/** Messages the read API pushes on its WebSocket. */
export type StreamMessage = { type: 'hello'; status: StatusResponse } | { type: 'status'; status: StatusResponse } | StreamChanged | { type: 'newErrorGroup'; error: ErrorSignal };
