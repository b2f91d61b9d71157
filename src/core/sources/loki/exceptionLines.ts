/**
 * Exceptions written as one structured log line: JSON with OpenTelemetry's `exception.type`,
 * `exception.message`, `exception.stacktrace` (flat dotted keys, nested objects, or under the
 * `attributes` of an OTLP record the collector wrote as JSON; pino's `err` object too), logfmt
 * with the same keys, and Grafana Alloy's Faro receiver lines (`kind=exception type=... value=...
 * stacktrace=...`), which are browser errors. Pure functions: the line is attacker-influenced text,
 * so keys are looked up in Maps and nothing here evaluates it.
 */
import { detectStackFormat } from '../../mapping/stackFormats';
import { parseLogfmt } from './logfmt';

/** One exception found in logs, before it is mapped to code. */
export interface LogException {
  type: string;
  message: string;
  /** In the emitting runtime's format ('' when the line had none). */
  stacktrace: string;
  /** What the line itself says about who wrote it; stream labels fill the rest. */
  service?: string;
  environment?: string;
  version?: string;
  /** `telemetry.sdk.language` when known; `webjs` for Faro's browser errors. */
  language?: string;
  traceId?: string;
  /** A browser error (a Faro line). */
  browser?: boolean;
}

const MAX_FIELD = 32 * 1024;
const MAX_DEPTH = 4;

/** The exception a structured (JSON or logfmt) line records, or null when it records none. */
export function structuredException(line: string): LogException | null {
  const text = line.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return null;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const flat = new Map<string, string>();
    flatten(parsed as Record<string, unknown>, '', flat, 0);
    return fromFields(flat);
  }
  const pairs = parseLogfmt(text);
  if (pairs === null) return null;
  return pairs.get('kind') === 'exception' && pairs.has('stacktrace') ? fromFaro(pairs) : fromFields(pairs);
}

/** Dotted keys for nested objects; an OTLP record's `attributes.`/`resources.` prefixes are dropped. */
function flatten(obj: Record<string, unknown>, prefix: string, out: Map<string, string>, depth: number): void {
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const name = prefix === '' && (key === 'attributes' || key === 'resources' || key === 'resource') ? '' : `${prefix}${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (depth < MAX_DEPTH) flatten(value as Record<string, unknown>, name === '' ? '' : `${name}.`, out, depth + 1);
    } else if (typeof value === 'string') out.set(name, value.slice(0, MAX_FIELD));
    else if (typeof value === 'number' || typeof value === 'boolean') out.set(name, String(value));
  }
}

function first(fields: Map<string, string>, keys: readonly string[]): string {
  for (const key of keys) {
    const v = fields.get(key);
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

// The same field under the spellings loggers use: OTel's dotted names, underscores (Loki's OTLP
// ingest and logfmt loggers), and pino/bunyan's `err` object.
const TYPE_KEYS = ['exception.type', 'exception_type', 'err.type', 'error.type', 'error_type'];
const MESSAGE_KEYS = ['exception.message', 'exception_message', 'err.message', 'error.message', 'error_message'];
const STACK_KEYS = ['exception.stacktrace', 'exception_stacktrace', 'err.stack', 'error.stack', 'error.stacktrace', 'stacktrace', 'stack_trace', 'stack'];

/** An exception from a JSON or logfmt line's fields: it needs a type or a stack trace. */
function fromFields(fields: Map<string, string>): LogException | null {
  let type = first(fields, TYPE_KEYS);
  const stacktrace = first(fields, STACK_KEYS);
  // Without a type, a `stack` field counts only when it holds a stack trace (not `stack=main`).
  if (type === '' && (stacktrace === '' || detectStackFormat(stacktrace) === null)) return null;
  let message = first(fields, MESSAGE_KEYS);
  if (type === '' || message === '') {
    const head = stackHeadline(stacktrace);
    type ||= head.type;
    message ||= head.message;
  }
  const out: LogException = { type: type || 'Error', message, stacktrace };
  const service = first(fields, ['service.name', 'service_name']);
  const environment = first(fields, ['deployment.environment.name', 'deployment.environment', 'deployment_environment_name', 'deployment_environment']);
  const version = first(fields, ['service.version', 'service_version']);
  const language = first(fields, ['telemetry.sdk.language', 'telemetry_sdk_language']);
  const traceId = first(fields, ['trace_id', 'traceid', 'traceId', 'trace.id']);
  if (service) out.service = service;
  if (environment) out.environment = environment;
  if (version) out.version = version;
  if (language) out.language = language;
  if (/^[0-9a-f]{32}$/i.test(traceId)) out.traceId = traceId.toLowerCase();
  return out;
}

/** A Faro exception line from Alloy's faro.receiver: `type`, `value` and a V8-style `stacktrace` starting "Type: value". */
function fromFaro(pairs: Map<string, string>): LogException | null {
  const type = pairs.get('type') ?? '';
  const value = pairs.get('value') ?? '';
  const stacktrace = pairs.get('stacktrace') ?? '';
  if (type === '' && value === '' && stacktrace === '') return null;
  const out: LogException = { type: type || 'Error', message: value, stacktrace: stacktrace.slice(0, MAX_FIELD), language: 'webjs', browser: true };
  const service = pairs.get('app_name');
  const environment = pairs.get('app_environment');
  const version = pairs.get('app_version') || pairs.get('app_release');
  const traceId = pairs.get('traceID') ?? '';
  if (service) out.service = service;
  if (environment) out.environment = environment;
  if (version) out.version = version;
  if (/^[0-9a-f]{32}$/i.test(traceId)) out.traceId = traceId.toLowerCase();
  return out;
}

/**
 * The exception type and message a stack trace prints: Python's last line ("pkg.OrderError: bad
 * order"), Java's and V8's first ("java.lang.IllegalStateException: ...", "TypeError: ..."), Go's
 * "panic: ..." line. Empty when the text has no such line.
 */
export function stackHeadline(stacktrace: string): { type: string; message: string } {
  if (stacktrace === '') return { type: '', message: '' };
  const lines = stacktrace.split(/\r?\n/);
  const panic = lines.find((l) => /^(?:panic|fatal error): /.test(l));
  if (panic !== undefined) {
    const colon = panic.indexOf(': ');
    return { type: panic.slice(0, colon), message: panic.slice(colon + 2).replace(/ \[recovered\]$/, '') };
  }
  if (lines.some((l) => /^\s*Traceback \(most recent call last\):/.test(l))) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const head = headline(lines[i]);
      if (head !== null) return head;
    }
    return { type: '', message: '' };
  }
  for (const line of lines) {
    if (line.trim() === '') continue;
    return headline(line.replace(/^Exception in thread "[^"]*" /, '')) ?? { type: '', message: '' };
  }
  return { type: '', message: '' };
}

/** "pkg.Type: message" or a bare "pkg.Type" on a line of its own. */
function headline(line: string): { type: string; message: string } | null {
  const m = /^([A-Za-z_$][\w$.]*)(?:: ?(.*))?$/.exec(line.trimEnd());
  if (m === null || /^\s/.test(line)) return null;
  return { type: m[1], message: (m[2] ?? '').trim() };
}
