import type * as vscode from 'vscode';
import type { ErrorSignal, SignalsResponse, StatusResponse, TraceResponse } from '../core/api/signals';
import type { CachedAnswer } from '../core/client/signalsCache';

/** Where the receiver (or attached backend) stands, for the status bar and the panel. */
export type ReceiverState = { kind: 'stopped' } | { kind: 'starting'; endpoint: string } | { kind: 'running'; endpoint: string; attached: boolean; status: StatusResponse } | { kind: 'error'; message: string };

/** The window and environment every surface shows. `environment` undefined = the backend's default. */
export interface LiveSelection {
  window: string;
  environment: string | undefined;
}

/** A signals query; unset fields take the current selection. */
export interface SignalsQuery {
  window?: string;
  environment?: string;
  /** Workspace-relative posix path. */
  file?: string;
  perMinute?: boolean;
}

/**
 * What the editor surfaces (CodeLens, hints, hover, diagnostics, panel, trace view) read:
 * live signals from the receiver's read API, the current selection, and change events.
 */
export interface LiveSignalsSource {
  readonly state: ReceiverState;
  readonly selection: LiveSelection;
  readonly onDidChangeState: vscode.Event<ReceiverState>;
  readonly onDidChangeSelection: vscode.Event<LiveSelection>;
  /** Debounced (at most every 250 ms): figures changed for these workspace-relative files. */
  readonly onDidChangeSignals: vscode.Event<{ files: string[] }>;
  readonly onNewErrorGroup: vscode.Event<ErrorSignal>;
  /** Undefined when no receiver is reachable. */
  signals(query: SignalsQuery): Promise<SignalsResponse | undefined>;
  /** The answer held for a query and when it was fetched (ms since the epoch), for showing how old figures are; never fetches. */
  cachedAnswer(query: SignalsQuery): CachedAnswer | undefined;
  /** Undefined when the trace is no longer held. */
  trace(traceId: string): Promise<TraceResponse | undefined>;
  setWindow(window: string): void;
  setEnvironment(environment: string | undefined): void;
}
