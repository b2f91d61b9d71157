/**
 * OTLP/JSON exports of server spans that carry only what HTTP instrumentation sends: a route
 * (`http.route`, `http.request.method`) and no code attributes, so the receiver maps them by route.
 */

/** One server span of a service. */
export interface RouteSpan {
  method: string;
  route: string;
  /** Start, in Unix nanoseconds. */
  startNs: bigint;
  durationMs: number;
  error?: boolean;
}

/** An ExportTraceServiceRequest as JSON: one resource per service, server spans named `METHOD route`. */
export function routeSpansJson(byService: Record<string, readonly RouteSpan[]>): string {
  let n = 0;
  return JSON.stringify({
    resourceSpans: Object.entries(byService).map(([service, spans]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'runtime-lens-tests' },
          spans: spans.map((s) => {
            n++;
            return {
              traceId: n.toString(16).padStart(32, 'c'),
              spanId: n.toString(16).padStart(16, 'd'),
              name: `${s.method} ${s.route}`,
              kind: 2,
              startTimeUnixNano: String(s.startNs),
              endTimeUnixNano: String(s.startNs + BigInt(Math.round(s.durationMs * 1_000_000))),
              attributes: [
                { key: 'http.request.method', value: { stringValue: s.method } },
                { key: 'http.route', value: { stringValue: s.route } },
              ],
              ...(s.error === undefined ? {} : { status: { code: s.error ? 2 : 0 } }),
            };
          }),
        },
      ],
    })),
  });
}
