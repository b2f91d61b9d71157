/**
 * Recognises an OpenTelemetry SDK's own export failure in a log or exception message, so the
 * receiver never turns "the SDK could not send telemetry to me" into an error group of the
 * user's service (a service whose default metrics exporter got 404 logs that failure, and the
 * logging instrumentation sends that log here like any other).
 *
 * The texts are those the SDKs emit (from their sources):
 * - Python, opentelemetry-exporter-otlp-proto-http `{trace,metric,_log}_exporter/__init__.py`:
 *   "Failed to export {span|metrics|logs} batch code: <status>, reason: <body>" (older releases:
 *   "Failed to export batch code: ..."), "Failed to export metrics batch due to timeout, max retries
 *   or shutdown.", "Transient error <reason> encountered while exporting metrics batch, retrying in
 *   <s>s." (the reason of a refused connection names `HTTPConnectionPool(host='...', port=4318)`);
 *   the gRPC exporter: "Failed to export metrics to <host:port>, error code: ..."; the SDK's periodic
 *   reader: "Exception while exporting metrics".
 * - Java, opentelemetry-java `exporters/common` HttpExporter / GrpcExporter: "Failed to export
 *   {spans|metrics|logs}. Server responded with HTTP status code <n>. Error message: ..." and
 *   "Failed to export {type}s. The request could not be executed. Full error message: ..." (OkHttp
 *   names the address: "Failed to connect to localhost/127.0.0.1:4318").
 * - JavaScript, @opentelemetry/otlp-exporter-base `http-transport-utils`: an `OTLPExporterError`
 *   whose message is the HTTP status text ("OTLPExporterError: Not Found"); @opentelemetry/sdk-metrics
 *   `PeriodicExportingMetricReader`: "PeriodicExportingMetricReader: metrics export failed (error ...)".
 * - Go, go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp: "failed to upload metrics:
 *   failed to send metrics to <url>: 404 Not Found (body: ...)"; otlptracehttp: "failed to send to <url>: ...",
 *   reported as "traces export: ...".
 */

const EXPORT_FAILURES: readonly RegExp[] = [
  // Python
  /\bFailed to export (?:(?:span|spans|metrics|logs|traces) )?batch\b/i,
  /\bTransient error .* encountered while exporting (?:span|metrics|logs?) batch\b/i,
  /\bFailed to export (?:traces|metrics|logs) to \S/i,
  /\bException while exporting (?:metrics|span|logs?)\b/i,
  // Java
  /\bFailed to export (?:spans|metrics|logs)\. (?:Server responded with|The request could not be executed)/i,
  // JavaScript
  /\bOTLPExporterError\b/,
  /\bPeriodicExportingMetricReader: metrics export (?:failed|timed out|threw)/i,
  // Go
  /\bfailed to upload (?:incomplete )?metrics\b/i,
  /\bfailed to send (?:metrics |logs |traces )?to \S/i,
  /\btraces export: /i,
];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

/** An address as host and port, lowercased; port '' when the text named none. */
interface Address {
  host: string;
  port: string;
}

const URL_ADDRESS = /\bhttps?:\/\/(\[[0-9a-f:.]+\]|[a-z0-9][a-z0-9.-]*)(?::(\d{1,5}))?/gi;
const BARE_ADDRESS = /(?:^|[\s/(,'"=@])(\[[0-9a-f:.]+\]|[a-z0-9][a-z0-9.-]*):(\d{1,5})\b/gi;
// urllib3, as Python's requests reports a refused connection: HTTPConnectionPool(host='localhost', port=4318).
const POOL_ADDRESS = /host='([^']{1,255})', port=(\d{1,5})/gi;

/** A host that is surely a host (a name with a letter, a dotted IPv4, an IPv6 literal), not the hour of a timestamp. */
function isHost(host: string): boolean {
  return /[a-z]/i.test(host) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

function addressesIn(text: string): Address[] {
  const found: Address[] = [];
  for (const m of text.matchAll(URL_ADDRESS)) found.push({ host: m[1].toLowerCase(), port: m[2] ?? (m[0].toLowerCase().startsWith('https') ? '443' : '80') });
  const withoutUrls = text.replace(URL_ADDRESS, ' ');
  for (const m of withoutUrls.matchAll(BARE_ADDRESS)) if (isHost(m[1])) found.push({ host: m[1].toLowerCase(), port: m[2] });
  for (const m of text.matchAll(POOL_ADDRESS)) found.push({ host: m[1].toLowerCase(), port: m[2] });
  return found;
}

function originAddress(origin: string): Address | null {
  const text = origin.includes('://') ? origin : `http://${origin}`;
  try {
    const url = new URL(text);
    return { host: url.hostname.toLowerCase(), port: url.port || (url.protocol === 'https:' ? '443' : '80') };
  } catch {
    return null;
  }
}

function sameAddress(a: Address, b: Address): boolean {
  if (a.port !== b.port) return false;
  // Every loopback spelling reaches a receiver bound to loopback.
  return a.host === b.host || (LOOPBACK.has(a.host) && LOOPBACK.has(b.host));
}

/**
 * True when `text` is an OpenTelemetry SDK's export failure aimed at this receiver: one of the SDK
 * messages above, naming no address other than `ownOrigins` (the receiver's URLs or host:port).
 * A failure naming no address at all counts as ours: it reached us through the same SDK's logs
 * exporter, so that SDK exports to this receiver.
 */
export function isOwnExportFailure(text: string, ownOrigins: string[]): boolean {
  const head = text.length > 4096 ? text.slice(0, 4096) : text;
  if (!EXPORT_FAILURES.some((re) => re.test(head))) return false;
  const named = addressesIn(head);
  if (named.length === 0) return true;
  const own = ownOrigins.map(originAddress).filter((a): a is Address => a !== null);
  return named.every((a) => own.some((o) => sameAddress(a, o)));
}
