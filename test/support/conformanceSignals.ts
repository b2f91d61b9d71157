/**
 * What the conformance wire tests (test/wire/conformance*.test.ts) do alike with the receiver: run
 * the app against a fresh one, keep the service's rows, and print what the receiver shows for it
 * when an assertion fails.
 */
import { getSignals, startServer, waitForStatus } from './harness';
import type { StartedServer } from './harness';
import type { SignalsResponse, StatusResponse } from '../../src/core/api/signals';

/** A receiver after one app's run: the caller stops `server`. */
export interface ReceiverRun<R> {
  server: StartedServer;
  run: R;
  /** The rows of the service only, over the last 15 minutes. */
  signals: SignalsResponse;
}

/**
 * Starts a receiver on `workspace`, runs the app against it, waits until `settled` holds for its
 * status (everything exported is filed), and reads the service's rows. Stops the receiver itself
 * when any of that fails.
 */
export async function runAgainstReceiver<R>(opts: { workspace: string; service: string; run: (endpoint: string) => Promise<R>; settled: (s: StatusResponse) => boolean; timeoutMs: number }): Promise<ReceiverRun<R>> {
  const server = await startServer({ workspace: opts.workspace });
  try {
    const run = await opts.run(server.url);
    await waitForStatus(server.url, opts.settled, opts.timeoutMs);
    return { server, run, signals: serviceSignals(await getSignals(server.url, { window: '15m' }), opts.service) };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** `all` with only the rows of `service`. */
export function serviceSignals(all: SignalsResponse, service: string): SignalsResponse {
  const own = <T extends { service: string }>(rows: T[]): T[] => rows.filter((r) => r.service === service);
  return { ...all, functions: own(all.functions), errors: own(all.errors), calls: own(all.calls), unmapped: own(all.unmapped), operations: own(all.operations) };
}

/** Everything the receiver shows for `service` (rows from `serviceSignals`), for failure messages. */
export function shownFor(s: SignalsResponse, service: string): string {
  const brief = {
    functions: s.functions.map((f) => ({ function: f.function, file: f.file, line: f.line, count: f.count, errors: f.errors, mappedBy: f.mappedBy })),
    errors: s.errors.map((e) => ({ type: e.type, message: e.message, function: e.function, file: e.file, line: e.line, count: e.count, totalCount: e.totalCount, mappedBy: e.mappedBy })),
    calls: s.calls.map((c) => ({ function: c.function, file: c.file, line: c.line, target: c.target, count: c.count, errors: c.errors, lineMatch: c.lineMatch })),
    unmapped: s.unmapped,
  };
  return `\n--- what the receiver shows for ${service} ---\n${JSON.stringify(brief, null, 1)}`;
}

/** Orders rows by function name. */
export const byName = <T extends { function: string }>(a: T, b: T): number => (a.function < b.function ? -1 : a.function > b.function ? 1 : 0);
