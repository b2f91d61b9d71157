/**
 * The one place that says which OTLP attribute keys feed which record fields, shared by the
 * JSON and protobuf decoders so they cannot drift apart. Also the record factories, so every
 * record of a kind is created with the same property order (one hidden class in V8).
 */
import type { CodeAttributes, DecodedBatch, ExceptionInfo, LogRecordInfo, ResourceInfo, SpanRecord } from './records';
import { emptyCode } from './records';
import { capString, MAX_MESSAGE_CHARS, MAX_METHOD_CHARS, MAX_NAME_CHARS, MAX_PATH_CHARS, MAX_RESOURCE_CHARS, MAX_STACK_CHARS } from './limits';
import { applyRequestField, finishRequest, FIRST_REQUEST_FIELD, isHeaderKey, isHeaderKeyBytes, R, REQUEST_KEYS } from './requestFields';

/** Field codes; 0 means "not a key we read". Deprecated names sit next to their stable name. */
const F = {
  none: 0,
  codeFunction: 1,
  codeFunctionOld: 2,
  codeNamespace: 3,
  codeFile: 4,
  codeFileOld: 5,
  codeLine: 6,
  codeLineOld: 7,
  codeColumn: 8,
  codeColumnOld: 9,
  codeStacktrace: 10,
  httpRoute: 11,
  httpMethod: 12,
  httpMethodOld: 13,
  excType: 14,
  excMessage: 15,
  excStacktrace: 16,
  service: 20,
  environment: 21,
  environmentOld: 22,
  revision: 23,
  revisionOld: 24,
  serviceVersion: 25,
  language: 26,
  urlFull: 30,
  httpUrl: 31,
  serverAddress: 32,
  peerName: 33,
  serverPort: 34,
  peerPort: 35,
} as const;

/** Every attribute key a record reads, with its field code (request headers are matched by prefix, not here). */
export const KEYS: ReadonlyArray<readonly [string, number]> = [
  ['code.function.name', F.codeFunction],
  ['code.function', F.codeFunctionOld],
  ['code.namespace', F.codeNamespace],
  ['code.file.path', F.codeFile],
  ['code.filepath', F.codeFileOld],
  ['code.line.number', F.codeLine],
  ['code.lineno', F.codeLineOld],
  ['code.column.number', F.codeColumn],
  ['code.column', F.codeColumnOld],
  ['code.stacktrace', F.codeStacktrace],
  ['http.route', F.httpRoute],
  ['http.request.method', F.httpMethod],
  ['http.method', F.httpMethodOld],
  ['exception.type', F.excType],
  ['exception.message', F.excMessage],
  ['exception.stacktrace', F.excStacktrace],
  ['service.name', F.service],
  ['deployment.environment.name', F.environment],
  ['deployment.environment', F.environmentOld],
  ['vcs.ref.head.revision', F.revision],
  ['vcs.repository.ref.revision', F.revisionOld],
  ['service.version', F.serviceVersion],
  ['telemetry.sdk.language', F.language],
  ['url.full', F.urlFull],
  ['http.url', F.httpUrl],
  ['server.address', F.serverAddress],
  ['net.peer.name', F.peerName],
  ['server.port', F.serverPort],
  ['net.peer.port', F.peerPort],
  ...REQUEST_KEYS,
];

/** The field code of every `http.request.header.<name>` key: the decoders read its name and values themselves. */
export const REQUEST_HEADER_FIELD: number = R.header;

const BY_NAME = new Map<string, number>(KEYS);
const MIN_LEN = Math.min(...KEYS.map(([k]) => k.length));
const MAX_LEN = Math.max(...KEYS.map(([k]) => k.length));

/** Field code for an attribute key given as a string (JSON decoder). */
export function fieldForKey(key: string): number {
  if (isHeaderKey(key)) return R.header;
  // Length gate first: most keys a service sends are longer or shorter than all of ours.
  if (key.length < MIN_LEN || key.length > MAX_LEN) return 0;
  return BY_NAME.get(key) ?? 0;
}

interface ByteKey {
  bytes: Uint8Array;
  field: number;
}
const BY_LENGTH: ByteKey[][] = [];
for (let n = 0; n <= MAX_LEN; n++) BY_LENGTH.push([]);
for (const [k, field] of KEYS) BY_LENGTH[k.length].push({ bytes: Buffer.from(k, 'latin1'), field });

/** Field code for an attribute key given as UTF-8 bytes (protobuf decoder); never allocates. */
export function fieldForKeyBytes(buf: Uint8Array, start: number, len: number): number {
  if (isHeaderKeyBytes(buf, start, len)) return R.header;
  if (len < MIN_LEN || len > MAX_LEN) return 0;
  const candidates = BY_LENGTH[len];
  outer: for (let c = 0; c < candidates.length; c++) {
    const k = candidates[c].bytes;
    // Our keys share prefixes ("code.", "service."), so compare from the end.
    for (let i = len - 1; i >= 0; i--) if (buf[start + i] !== k[i]) continue outer;
    return candidates[c].field;
  }
  return 0;
}

/** A scalar attribute value; arrays, maps and bytes are never needed and arrive as null. */
export type Scalar = string | number | boolean | null;

/** The value as a string of at most `max` characters (limits.ts): every string a record keeps passes here. */
function asString(v: Scalar, max: number): string {
  return typeof v === 'string' ? capString(v, max) : v === null ? '' : String(v);
}

/** Line and column numbers may be sent as intValue, doubleValue or stringValue. */
function asInt(v: Scalar): number {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0;
  if (typeof v === 'string' && v.length > 0 && v.length < 16) {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57) return 0;
    }
    return +v;
  }
  return 0;
}

/** Applies a `code.*` field; stable names win, deprecated ones only fill an empty slot. */
export function applyCodeField(code: CodeAttributes, field: number, v: Scalar): void {
  switch (field) {
    case F.codeFunction:
      code.function = asString(v, MAX_NAME_CHARS);
      break;
    case F.codeFunctionOld:
      if (code.function === '') code.function = asString(v, MAX_NAME_CHARS);
      break;
    case F.codeNamespace:
      code.namespace = asString(v, MAX_NAME_CHARS);
      break;
    case F.codeFile:
      code.file = asString(v, MAX_PATH_CHARS);
      break;
    case F.codeFileOld:
      if (code.file === '') code.file = asString(v, MAX_PATH_CHARS);
      break;
    case F.codeLine:
      code.line = asInt(v);
      break;
    case F.codeLineOld:
      if (code.line === 0) code.line = asInt(v);
      break;
    case F.codeColumn:
      code.column = asInt(v);
      break;
    case F.codeColumnOld:
      if (code.column === 0) code.column = asInt(v);
      break;
    case F.codeStacktrace:
      code.stacktrace = asString(v, MAX_STACK_CHARS);
      break;
  }
}

/** Applies a span attribute (code.*, http.route, the HTTP method, what a client span calls, a server span's request); not request headers. */
export function applySpanField(span: SpanRecord, field: number, v: Scalar): void {
  if (field <= F.codeStacktrace) applyCodeField(span.code, field, v);
  else if (field === F.httpRoute) span.httpRoute = asString(v, MAX_NAME_CHARS);
  else if (field === F.httpMethod) span.httpMethod = asString(v, MAX_METHOD_CHARS);
  else if (field === F.httpMethodOld && span.httpMethod === '') span.httpMethod = asString(v, MAX_METHOD_CHARS);
  else if (field >= FIRST_REQUEST_FIELD) applyRequestField(span, field, v);
  else if (field >= F.urlFull) span.peer = capString(withPeerField(span.peer ?? '', field, asString(v, MAX_PATH_CHARS)), MAX_PATH_CHARS);
}

/**
 * Folds one of the peer attributes into the single `peer` string, whatever order they arrive in:
 * a URL wins (the stable `url.full` over `http.url`), else an address with an optional port.
 */
function withPeerField(peer: string, field: number, v: string): string {
  if (v === '') return peer;
  const isUrl = peer.includes('://');
  if (field === F.urlFull || (field === F.httpUrl && !isUrl)) return withoutQuery(v);
  if (isUrl || field === F.httpUrl) return peer;
  const port = portSuffix(peer);
  if (field === F.serverPort || field === F.peerPort) return port === '' ? `${peer}:${v}` : peer;
  // An address: fills an empty or port-only peer; the stable server.address replaces net.peer.name.
  const host = peer.slice(0, peer.length - port.length);
  return host === '' || field === F.serverAddress ? v + port : peer;
}

/** The `:port` at the end of an address, or ''. */
function portSuffix(peer: string): string {
  const at = peer.lastIndexOf(':');
  if (at < 0 || at === peer.length - 1) return '';
  for (let i = at + 1; i < peer.length; i++) {
    const c = peer.charCodeAt(i);
    if (c < 48 || c > 57) return '';
  }
  return peer.slice(at);
}

/** Query strings and fragments carry ids and secrets, never what the code names: dropped at the door. */
function withoutQuery(url: string): string {
  let end = url.indexOf('?');
  const hash = url.indexOf('#');
  if (hash >= 0 && (end < 0 || hash < end)) end = hash;
  return end < 0 ? url : url.slice(0, end);
}

/** True for the `exception.*` fields. */
export function isExceptionField(field: number): boolean {
  return field >= F.excType && field <= F.excStacktrace;
}

/** Applies an `exception.*` attribute of a span event or a log record. */
export function applyExceptionField(exc: ExceptionInfo, field: number, v: Scalar): void {
  if (field === F.excType) exc.type = asString(v, MAX_NAME_CHARS);
  else if (field === F.excMessage) exc.message = asString(v, MAX_MESSAGE_CHARS);
  else if (field === F.excStacktrace) exc.stacktrace = asString(v, MAX_STACK_CHARS);
}

/** Applies a log record attribute: code.* here, exception.* creates the exception on demand. */
export function applyLogField(log: LogRecordInfo, field: number, v: Scalar): void {
  if (field <= F.codeStacktrace) applyCodeField(log.code, field, v);
  else if (isExceptionField(field)) {
    if (log.exception === null) log.exception = newException(log.timeMs);
    applyExceptionField(log.exception, field, v);
  }
}

/** Applies a resource attribute. */
export function applyResourceField(res: ResourceInfo, field: number, v: Scalar): void {
  switch (field) {
    case F.service:
      res.service = asString(v, MAX_RESOURCE_CHARS);
      break;
    case F.environment:
      res.environment = asString(v, MAX_RESOURCE_CHARS);
      break;
    case F.environmentOld:
      if (res.environment === '') res.environment = asString(v, MAX_RESOURCE_CHARS);
      break;
    case F.revision:
      res.revision = asString(v, MAX_RESOURCE_CHARS);
      break;
    case F.revisionOld:
      if (res.revision === '') res.revision = asString(v, MAX_RESOURCE_CHARS);
      break;
    case F.serviceVersion:
      res.serviceVersion = asString(v, MAX_RESOURCE_CHARS);
      break;
    case F.language:
      res.language = asString(v, MAX_RESOURCE_CHARS);
      break;
  }
}

/** A resource with nothing known yet; `service` is filled in by `finishResource`. */
export function newResource(): ResourceInfo {
  return { service: '', environment: '', revision: '', serviceVersion: '', language: '' };
}

/** Applies the `unknown_service` default once all resource attributes are read. */
export function finishResource(res: ResourceInfo): void {
  if (res.service === '') res.service = 'unknown_service';
}

/** Sets a span's name, capped like every other name. */
export function setSpanName(span: SpanRecord, name: string): void {
  span.name = capString(name, MAX_NAME_CHARS);
}

/** Sets a span's status message, capped like other messages. */
export function setStatusMessage(span: SpanRecord, message: string): void {
  span.statusMessage = capString(message, MAX_MESSAGE_CHARS);
}

/** Sets a log record's body (scalars only), capped like other messages. */
export function setLogBody(log: LogRecordInfo, body: Scalar): void {
  log.body = asString(body, MAX_MESSAGE_CHARS);
}

/** A span with empty fields, sharing `resource` with its siblings. */
export function newSpan(resource: ResourceInfo): SpanRecord {
  return {
    traceId: '',
    spanId: '',
    parentSpanId: '',
    name: '',
    kind: 0,
    startMs: 0,
    durationMs: 0,
    error: false,
    statusMessage: '',
    resource,
    code: emptyCode(),
    httpRoute: '',
    httpMethod: '',
    exceptions: [],
    peer: '',
    request: undefined,
  };
}

/** Only client spans keep a peer (a server span's `http.url` is its own address), only server spans a request. */
export function finishSpan(span: SpanRecord): void {
  if (span.kind !== 3 && span.peer !== '') span.peer = '';
  finishRequest(span);
}

/** A log record with empty fields. */
export function newLog(resource: ResourceInfo): LogRecordInfo {
  return { timeMs: 0, traceId: '', spanId: '', severity: 0, body: '', resource, code: emptyCode(), exception: null };
}

/** An exception with empty fields. */
export function newException(timeMs: number): ExceptionInfo {
  return { type: '', message: '', stacktrace: '', timeMs };
}

/** An empty batch. */
export function newBatch(): DecodedBatch {
  return { spans: [], logs: [], rejected: 0, rejectReasons: [] };
}

const MAX_REASONS = 5;

/** Counts one rejected item and keeps the first few reasons. */
export function reject(batch: DecodedBatch, reason: string): void {
  batch.rejected++;
  if (batch.rejectReasons.length < MAX_REASONS) batch.rejectReasons.push(reason);
}
