/**
 * Tempo's query API over the remote transport (Tempo HTTP API docs): TraceQL search, trace by id
 * (v2, falling back to v1 on a Tempo without it) and TraceQL metrics ranges. Every answer is
 * validated; every failure is an Outcome naming the source, never a throw.
 */
import type { Outcome, RemoteTransport } from '../remote/transport';
import { otlpTracesOf } from '../sampledTracesInput';
import { fullTraceId, parseQueryRangeAnswer, parseSearchAnswer, type TempoSeries, type TempoTraceHit } from './tempoAnswers';

/** A TraceQL search. Times are Unix seconds (Tempo's search takes whole seconds). */
export interface TempoSearch {
  q: string;
  startS: number;
  endS: number;
  limit: number;
  /** Spans per span set. */
  spss?: number;
}

/** A trace as OTLP/JSON (`{ resourceSpans }`, hex ids), ready for the OTLP JSON decoder. */
export type OtlpTraces = Record<string, unknown>;

/** One Tempo's query API. */
export class TempoClient {
  /** Null until known; false once a 404 showed this Tempo has no `/api/v2/traces`. */
  private hasV2: boolean | null = null;

  constructor(private readonly transport: RemoteTransport) {}

  /** Traces with spans matching `q` in the window, most recent first as Tempo ranks them. */
  search(s: TempoSearch): Promise<Outcome<TempoTraceHit[]>> {
    if (!(s.endS > s.startS)) return Promise.resolve(this.refused(`search end ${s.endS} is not after its start ${s.startS}`));
    const params = { q: s.q, start: Math.floor(s.startS), end: Math.ceil(s.endS), limit: Math.max(1, Math.floor(s.limit)), spss: s.spss };
    return this.transport.getJson('/api/search', params, parseSearchAnswer);
  }

  /** A whole trace, or null when Tempo does not hold it. `id` is hex. */
  async trace(id: string): Promise<Outcome<OtlpTraces | null>> {
    if (!/^[0-9a-fA-F]{1,32}$/.test(id)) return this.refused(`trace id "${id.slice(0, 40)}" is not hex of at most 32 digits`);
    const hex = fullTraceId(id);
    if (this.hasV2 !== false) {
      const v2 = await this.transport.getJson(`/api/v2/traces/${hex}`, {}, parseTraceV2);
      if (v2.ok || v2.kind !== 'http' || v2.status !== 404) {
        if (v2.ok) this.hasV2 = true;
        return v2;
      }
      // A 404 on v2 from a Tempo that answered it before is a route gone missing, not a trace.
      if (this.hasV2 === true) return v2;
      this.hasV2 = false;
    }
    const v1 = await this.transport.getJson(`/api/traces/${hex}`, {}, parseTraceV1);
    if (!v1.ok && v1.kind === 'http' && v1.status === 404) return { ok: true, value: null, bytes: 0 };
    return v1;
  }

  /** A TraceQL metrics query over [startS, endS] at `stepS`-second steps. */
  queryRange(q: string, startS: number, endS: number, stepS: number): Promise<Outcome<TempoSeries[]>> {
    return this.transport.getJson('/api/metrics/query_range', { q, start: Math.floor(startS), end: Math.ceil(endS), step: `${Math.max(1, Math.round(stepS))}s` }, parseQueryRangeAnswer);
  }

  /** A request not sent because it is malformed (the caller's mistake, said as Tempo would refuse it). */
  private refused(why: string): Outcome<never> {
    return { ok: false, kind: 'invalid', error: `tempo at ${this.transport.url}: ${why}` };
  }

  /** `GET /api/echo`: whether the query frontend answers (for "test the connection"). */
  async echo(): Promise<Outcome<true>> {
    const answer = await this.transport.getText('/api/echo', {});
    if (!answer.ok) return answer;
    if (answer.value.trim() !== 'echo') return { ok: false, kind: 'invalid', error: `tempo at ${this.transport.url}: /api/echo did not answer "echo"; is this a Tempo query frontend?` };
    return { ok: true, value: true, bytes: answer.bytes };
  }
}

function hasSpans(traces: OtlpTraces): boolean {
  const list = traces.resourceSpans;
  return Array.isArray(list) && list.length > 0;
}

/** `{ trace: { resourceSpans }, status?, message? }`; an empty trace is one Tempo does not hold. */
function parseTraceV2(body: unknown): OtlpTraces | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('trace answer is not an object');
  const trace = (body as Record<string, unknown>).trace;
  if (trace === undefined || trace === null) return null;
  const traces = otlpTracesOf(trace);
  return hasSpans(traces) ? traces : null;
}

/** `{ batches }` (v1 names the list so). */
function parseTraceV1(body: unknown): OtlpTraces | null {
  const traces = otlpTracesOf(body);
  return hasSpans(traces) ? traces : null;
}
