/**
 * OTLP/HTTP response bodies: Export*ServiceResponse on success (with `partial_success` when some
 * items were rejected) and google.rpc.Status on failure, in the encoding of the request.
 */

/** The two encodings OTLP/HTTP carries. */
export type OtlpEncoding = 'json' | 'protobuf';

/** Content-Type header value for an encoding. */
export function contentTypeOf(encoding: OtlpEncoding): string {
  return encoding === 'json' ? 'application/json' : 'application/x-protobuf';
}

/** A success body; `signal` picks the field name of the rejected count (spans, log records or data points). */
export function exportResponse(encoding: OtlpEncoding, signal: 'traces' | 'logs' | 'metrics', rejected: number, message: string): Buffer {
  if (encoding === 'json') {
    if (rejected === 0) return Buffer.from('{}');
    const field = signal === 'traces' ? 'rejectedSpans' : signal === 'logs' ? 'rejectedLogRecords' : 'rejectedDataPoints';
    return Buffer.from(JSON.stringify({ partialSuccess: { [field]: String(rejected), errorMessage: message } }));
  }
  if (rejected === 0) return Buffer.alloc(0);
  // Export{Trace,Logs,Metrics}PartialSuccess: 1 = rejected count (int64), 2 = error_message.
  const inner = Buffer.concat([Buffer.from([0x08]), varint(rejected), lengthDelimited(2, Buffer.from(message))]);
  return lengthDelimited(1, inner);
}

/** A google.rpc.Status body for an error response. */
export function statusResponse(encoding: OtlpEncoding, httpStatus: number, message: string): Buffer {
  const code = grpcCodeFor(httpStatus);
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.concat([Buffer.from([0x08]), varint(code), lengthDelimited(2, Buffer.from(message))]);
}

function grpcCodeFor(httpStatus: number): number {
  if (httpStatus === 400 || httpStatus === 413 || httpStatus === 415) return 3; // INVALID_ARGUMENT
  if (httpStatus === 401) return 16; // UNAUTHENTICATED
  if (httpStatus === 429) return 8; // RESOURCE_EXHAUSTED
  return 13; // INTERNAL
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
