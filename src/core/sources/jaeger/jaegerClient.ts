/**
 * A validated client of Jaeger's query API v3 over the shared remote transport (timeouts, retries,
 * circuit breaker, auth and TLS live there). Never throws: every call gives an Outcome.
 */
import type { Outcome, RemoteTransport } from '../remote/transport';
import { isNothingFound, parseOperations, parseServices, parseTraces, rfc3339, type JaegerOperation } from './jaegerApi';

/** A trace search: one service's traces with a span starting in [startMinMs, startMaxMs]. */
export interface JaegerSearch {
  service: string;
  startMinMs: number;
  startMaxMs: number;
  /** At most this many traces (Jaeger's search depth); the newest come first. */
  limit: number;
}

/** OTLP TracesData as Jaeger wraps it (`result`), still to be decoded. */
export type JaegerTraces = Record<string, unknown>;

const NO_TRACES: JaegerTraces = { resourceSpans: [] };

/** Jaeger's `/api/v3` endpoints. */
export class JaegerClient {
  constructor(private readonly transport: RemoteTransport) {}

  /** Services Jaeger holds spans of. */
  services(): Promise<Outcome<string[]>> {
    return this.transport.getJson('/api/v3/services', {}, parseServices);
  }

  /** Operations (span names) of one service, optionally of one span kind. */
  operations(service: string, spanKind?: string): Promise<Outcome<JaegerOperation[]>> {
    return this.transport.getJson('/api/v3/operations', { service, span_kind: spanKind }, parseOperations);
  }

  /** Whole traces matching `search`; none found is an empty answer, not a failure. */
  async search(search: JaegerSearch): Promise<Outcome<JaegerTraces>> {
    // The snake_case names are v1.75.0's; later versions keep them as aliases of camelCase ones.
    const answer = await this.transport.getJson(
      '/api/v3/traces',
      {
        'query.service_name': search.service,
        'query.start_time_min': rfc3339(search.startMinMs),
        'query.start_time_max': rfc3339(search.startMaxMs),
        'query.num_traces': search.limit,
      },
      parseTraces,
    );
    if (!answer.ok && answer.status === 404 && isNothingFound(answer.error)) return { ok: true, value: NO_TRACES, bytes: 0 };
    return answer;
  }

  /** One trace by its 32-hex-digit id, or null when Jaeger does not hold it. */
  async trace(traceId: string): Promise<Outcome<JaegerTraces | null>> {
    const answer = await this.transport.getJson(`/api/v3/traces/${encodeURIComponent(traceId)}`, {}, parseTraces);
    if (!answer.ok && answer.status === 404 && isNothingFound(answer.error)) return { ok: true, value: null, bytes: 0 };
    return answer;
  }
}
