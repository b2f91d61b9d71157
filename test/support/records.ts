import { emptyCode, type ResourceInfo, type SpanRecord } from '../../src/core/ingest/records';

/** A resource for tests. */
export function resource(service = 'orders', environment = 'production', extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { service, environment, revision: '', serviceVersion: '', language: 'nodejs', ...extra };
}

let seq = 0;

/** A span for tests, with unique ids; override what matters. */
export function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  seq++;
  return {
    traceId: seq.toString(16).padStart(32, '0'),
    spanId: seq.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'GET /orders',
    kind: 2,
    startMs: Date.now(),
    durationMs: 10,
    error: false,
    statusMessage: '',
    resource: resource(),
    code: emptyCode(),
    httpRoute: '',
    httpMethod: '',
    exceptions: [],
    ...overrides,
  };
}

/** A settable clock. */
export class TestClock {
  constructor(public t = Date.UTC(2026, 10, 21, 12, 0, 0)) {}
  now(): number {
    return this.t;
  }
}
