import type { DecodedMetrics } from './metricRecords';
import { decodeMetricsRequestJson } from './otlpMetricsJson';
import { decodeMetricsRequestProto } from './otlpMetricsProto';
import type { OtlpEncoding } from './otlpResponses';

/**
 * Decodes a `/v1/metrics` body of either encoding; throws DecodeError for a broken body. Runs on
 * the receiver's thread: it skips every metric but two without building anything, and SDK metric
 * exports are a few kilobytes a minute.
 */
export function decodeMetricsRequest(encoding: OtlpEncoding, body: Uint8Array): DecodedMetrics {
  if (encoding === 'protobuf') return decodeMetricsRequestProto(body);
  return decodeMetricsRequestJson(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
}
