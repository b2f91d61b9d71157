/**
 * OTLP/JSON trace exports for tests: spans tied to a code location by the semantic-convention
 * code attributes (`code.function.name`, `code.file.path`, `code.line.number`), as an
 * instrumented service sends them, and a POST to a receiver's /v1/traces.
 */

/** One span at a code location. */
export interface CodeSpan {
  function: string;
  /** The path the service reports (absolute, as a stack trace or code attribute has it). */
  file: string;
  line: number;
  /** Start, in Unix nanoseconds. */
  startNs: bigint;
  durationMs: number;
  error?: boolean;
  /** Hex ids; by default derived from the span's index in the export. */
  traceId?: string;
  spanId?: string;
  /** OTLP SpanKind (default 1, internal). */
  kind?: number;
  /** An exception recorded on the span (an `exception` event, halfway through it). */
  exception?: { type: string; message: string; stacktrace: string };
}

/** An ExportTraceServiceRequest as JSON: one resource (its attributes as strings), one scope. */
export function codeSpansJson(resource: Record<string, string>, spans: readonly CodeSpan[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: Object.entries(resource).map(([key, value]) => ({ key, value: { stringValue: value } })) },
        scopeSpans: [
          {
            scope: { name: 'runtime-lens-tests' },
            spans: spans.map((s, i) => ({
              traceId: s.traceId ?? (i + 1).toString(16).padStart(32, 'a'),
              spanId: s.spanId ?? (i + 1).toString(16).padStart(16, 'b'),
              name: s.function,
              kind: s.kind ?? 1,
              startTimeUnixNano: String(s.startNs),
              endTimeUnixNano: String(s.startNs + BigInt(Math.round(s.durationMs * 1_000_000))),
              attributes: [
                { key: 'code.function.name', value: { stringValue: s.function } },
                { key: 'code.file.path', value: { stringValue: s.file } },
                { key: 'code.line.number', value: { intValue: s.line } },
              ],
              ...(s.exception === undefined ? {} : { events: [exceptionEvent(s.startNs + BigInt(Math.round(s.durationMs * 500_000)), s.exception)] }),
              ...(s.error === undefined ? {} : { status: { code: s.error ? 2 : 0 } }),
            })),
          },
        ],
      },
    ],
  });
}

function exceptionEvent(timeNs: bigint, e: NonNullable<CodeSpan['exception']>) {
  return {
    name: 'exception',
    timeUnixNano: String(timeNs),
    attributes: [
      { key: 'exception.type', value: { stringValue: e.type } },
      { key: 'exception.message', value: { stringValue: e.message } },
      { key: 'exception.stacktrace', value: { stringValue: e.stacktrace } },
    ],
  };
}

/** Posts an OTLP/JSON export to `endpoint`/v1/traces. */
export function postTraces(endpoint: string, body: string): Promise<Response> {
  return fetch(`${endpoint}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
}

/** Now, in Unix nanoseconds. */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}
