import type { SignalsResponse, StatusResponse } from '../api/signals';

/** One place telemetry comes from: the embedded receiver now, remote backends later. */
export interface TelemetrySource {
  /** A short name for logs and the status bar, e.g. `embedded receiver`. */
  readonly kind: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Signals for a query in the read API's form (`window`, `environment`, `file`, `perMinute`). */
  signals(params: URLSearchParams): Promise<SignalsResponse>;
  status(): StatusResponse;
}
