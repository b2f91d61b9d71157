import { decodeLogsRequestJson, decodeTraceRequestJson } from './otlpJson';
import { decodeTraceRequestJsonBytes } from './otlpJsonBytes';
import { decodeLogsRequestProto, decodeTraceRequestProto } from './otlpProtobuf';
import type { OtlpEncoding } from './otlpResponses';
import type { DecodedBatch } from './records';

/** The two OTLP signals the receiver takes. */
export type OtlpSignal = 'traces' | 'logs';

/** Decodes an export request body of either signal and encoding; throws DecodeError for a broken body. */
export function decodeRequest(signal: OtlpSignal, encoding: OtlpEncoding, body: Uint8Array): DecodedBatch {
  if (encoding === 'protobuf') return signal === 'traces' ? decodeTraceRequestProto(body) : decodeLogsRequestProto(body);
  // Trace requests are read from the bytes; a body that path does not take is parsed whole.
  const fast = signal === 'traces' ? decodeTraceRequestJsonBytes(body) : null;
  if (fast !== null) return fast;
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return signal === 'traces' ? decodeTraceRequestJson(text) : decodeLogsRequestJson(text);
}
