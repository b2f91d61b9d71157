/**
 * The TraceQL Runtime Lens sends to Tempo, built in one place so every string that reaches a query
 * is quoted. Attribute names follow OpenTelemetry's semantic conventions (`code.function.name`,
 * `code.file.path`, `deployment.environment.name`).
 */

/** What a per-function metrics query groups by (Tempo allows at most five). */
export const FUNCTION_GROUPING = ['resource.service.name', 'resource.deployment.environment.name', 'span.code.function.name', 'span.code.file.path'] as const;

/** The quantiles asked for, as fractions. */
export const QUANTILES = [0.5, 0.95, 0.99] as const;

/** A TraceQL string literal: double-quoted, with backslash and quote escaped (telemetry names are attacker-influenced). */
export function traceqlString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** A spanset filter for one service's spans, or every span. */
export function serviceFilter(service?: string): string {
  return service === undefined ? '{ }' : `{ resource.service.name = ${traceqlString(service)} }`;
}

/** Spans per second per function and status (`status` splits out the errors), over `filter`. */
export function rateQuery(filter = '{ }'): string {
  return `${filter} | rate() by (${[...FUNCTION_GROUPING, 'status'].join(', ')})`;
}

/** p50, p95 and p99 of span duration per function, over `filter`. */
export function quantileQuery(filter = '{ }'): string {
  return `${filter} | quantile_over_time(duration, ${QUANTILES.map((q) => String(q).replace(/^0/, '')).join(', ')}) by (${FUNCTION_GROUPING.join(', ')})`;
}
