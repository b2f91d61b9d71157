/**
 * The Prometheus HTTP API calls the span-metrics source makes, over the shared RemoteTransport:
 * instant queries and the label look-ups that detect which span-metrics naming is present.
 * Nothing throws: failures are Outcomes naming the source.
 */
import type { Outcome, RemoteTransport } from '../remote/transport';
import { parseInstantVector, parseNameList, type PromSample } from './promApi';
import { CANDIDATE_NAMES, noNamingMessage, pickNaming, withLabels, type DetectedSpanMetrics } from './spanMetricsNaming';
import { promString, regexEscape } from './spanMetricsQueries';

/** How far back label look-ups search: series that stopped longer ago do not decide the naming. */
const DETECT_LOOKBACK_MS = 24 * 60 * 60_000;

/** Longer queries are POSTed: a refresh round's can grow past what proxies take in a URL (nginx: 8 KiB by default). */
export const MAX_URL_QUERY_CHARS = 2_000;

/** A Prometheus, as the span-metrics source reads it. */
export class PrometheusClient {
  constructor(
    private readonly name: string,
    private readonly transport: RemoteTransport,
    private readonly now: () => number = Date.now,
  ) {}

  /** An instant query evaluated now; a long one goes as a form body, which the API accepts as well as a URL. */
  query(promql: string): Promise<Outcome<PromSample[]>> {
    const params = { query: promql, time: (this.now() / 1000).toFixed(3) };
    if (promql.length > MAX_URL_QUERY_CHARS) return this.transport.postFormJson('/api/v1/query', params, parseInstantVector);
    return this.transport.getJson('/api/v1/query', params, parseInstantVector);
  }

  /** Which naming holds span metrics, and which optional labels its counter carries; an `invalid` failure when none does. */
  async detect(): Promise<Outcome<DetectedSpanMetrics>> {
    const start = ((this.now() - DETECT_LOOKBACK_MS) / 1000).toFixed(0);
    const names = await this.transport.getJson('/api/v1/label/__name__/values', { 'match[]': `{__name__=~${promString(CANDIDATE_NAMES.map(regexEscape).join('|'))}}`, start }, parseNameList);
    if (!names.ok) return names;
    const naming = pickNaming(names.value);
    if (naming === undefined) return { ok: false, kind: 'invalid', error: `${this.name} at ${this.transport.url}: ${noNamingMessage()}` };
    const labels = await this.transport.getJson('/api/v1/labels', { 'match[]': naming.calls, start }, parseNameList);
    if (!labels.ok) return labels;
    return { ok: true, value: withLabels(naming, labels.value), bytes: names.bytes + labels.bytes };
  }

  /** Requests, bytes and failures so far (for status and the bench). */
  get counters(): { requests: number; bytes: number; failures: number } {
    return this.transport.counters;
  }
}
