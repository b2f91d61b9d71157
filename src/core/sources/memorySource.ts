import type { SignalsResponse, TraceResponse } from '../api/signals';
import type { Disposable, SignalsQuery, SourceCapabilities, SourceStatus, TelemetrySource, TrafficQuery } from './telemetrySource';
import { trafficOf } from './trafficTraces';

/** What an in-memory source holds: one answer per window, and whole traces. */
export interface MemoryContents {
  /** Answers by window as asked (`5m`); a query's file, environment and top are applied to it. */
  answers: ReadonlyMap<string, SignalsResponse>;
  traces?: ReadonlyMap<string, TraceResponse>;
}

/**
 * A TelemetrySource over fixed contents, for tests and for callers that already hold an answer
 * (the port's in-memory implementation, as OpenTelemetry JS keeps one beside each exporter port).
 */
export class MemorySource implements TelemetrySource {
  readonly kind = 'memory';
  readonly capabilities: SourceCapabilities = { spans: true, metrics: false, logs: false, live: false, traces: true, traffic: true };
  private readonly listeners = new Set<() => void>();
  private contents: MemoryContents;
  private lastSuccess: number | null = null;
  private disposed = false;

  constructor(contents: MemoryContents) {
    this.contents = contents;
  }

  async signals(query: SignalsQuery): Promise<SignalsResponse> {
    if (this.disposed) throw new Error('memory source: disposed');
    const answer = this.contents.answers.get(query.window);
    if (answer === undefined) throw new Error(`memory source: no answer for window ${query.window}`);
    this.lastSuccess = Date.now();
    const inFile = <T extends { file?: string | null }>(rows: T[]) => (query.file === undefined ? rows : rows.filter((r) => r.file === query.file));
    const top = <T>(rows: T[]) => (query.top === undefined ? rows : rows.slice(0, query.top));
    if (query.environment !== undefined && query.environment !== answer.environment) {
      return { ...answer, environment: query.environment, functions: [], operations: [], errors: [], unmapped: [], calls: [] };
    }
    return {
      ...answer,
      functions: top(inFile(answer.functions)),
      errors: top(inFile(answer.errors)),
      calls: top(inFile(answer.calls)),
      operations: query.file === undefined ? top(answer.operations) : [],
      unmapped: query.file === undefined ? top(answer.unmapped) : [],
    };
  }

  async trace(id: string): Promise<TraceResponse | null> {
    return this.contents.traces?.get(id) ?? null;
  }

  /** Its traces with a recorded request in the window, as a store would pick them. */
  async traffic(query: TrafficQuery): Promise<TraceResponse[]> {
    if (this.disposed) throw new Error('memory source: disposed');
    return trafficOf(this.contents.traces?.values() ?? [], query, Date.now());
  }

  status(): SourceStatus {
    return { state: this.disposed ? 'stopped' : 'ok', lastSuccess: this.lastSuccess, stalenessMs: null };
  }

  /** Replaces the contents and tells the listeners. */
  replace(contents: MemoryContents): void {
    this.contents = contents;
    for (const l of [...this.listeners]) l();
  }

  onChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.listeners.clear();
  }
}
