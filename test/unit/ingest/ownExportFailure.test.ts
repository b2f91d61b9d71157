/** The real texts the OpenTelemetry SDKs log when an export fails (see ownExportFailure.ts for where each comes from). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isOwnExportFailure } from '../../../src/core/ingest/ownExportFailure';

const OWN = ['http://127.0.0.1:4318'];

test("SDK export failures aimed at the receiver are recognised, in every SDK's words", () => {
  const texts = [
    // Python opentelemetry-exporter-otlp-proto-http
    'Failed to export metrics batch code: 404, reason: {"code":13,"message":"no such endpoint: POST /v1/metrics"}',
    'Failed to export span batch code: 503, reason: decoding is behind; retry later',
    'Failed to export logs batch code: 400, reason: Bad Request',
    'Failed to export batch code: 404, reason: Not Found',
    'Failed to export metrics batch due to timeout, max retries or shutdown.',
    "Transient error HTTPConnectionPool(host='localhost', port=4318): Max retries exceeded with url: /v1/metrics (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f>: Failed to establish a new connection: [Errno 111] Connection refused')) encountered while exporting metrics batch, retrying in 1.04s.",
    'Failed to export metrics to 127.0.0.1:4318, error code: StatusCode.UNAVAILABLE',
    'Exception while exporting metrics',
    // Java opentelemetry-java exporters/common
    'Failed to export metrics. Server responded with HTTP status code 404. Error message: Unable to parse response body, HTTP status message: Not Found',
    'Failed to export spans. The request could not be executed. Full error message: Failed to connect to localhost/127.0.0.1:4318',
    // JavaScript otlp-exporter-base and sdk-metrics
    'OTLPExporterError: Not Found',
    'PeriodicExportingMetricReader: metrics export failed (error OTLPExporterError: Not Found)',
    'PeriodicExportingMetricReader: metrics export failed (error Error: connect ECONNREFUSED 127.0.0.1:4318)',
    // Go otlpmetrichttp / otlptracehttp
    'failed to upload metrics: failed to send metrics to http://127.0.0.1:4318/v1/metrics: 404 Not Found (body: {"code":13,"message":"no such endpoint: POST /v1/metrics"})',
    'traces export: failed to send to http://localhost:4318/v1/traces: 429 Too Many Requests',
  ];
  for (const text of texts) assert.equal(isOwnExportFailure(text, OWN), true, text);
});

test('an export failure aimed at another endpoint is not ours', () => {
  assert.equal(isOwnExportFailure('failed to upload metrics: failed to send metrics to https://otlp.vendor.example/v1/metrics: 401 Unauthorized', OWN), false);
  assert.equal(isOwnExportFailure('Failed to export metrics to collector.internal:4317, error code: StatusCode.UNAVAILABLE', OWN), false);
  assert.equal(isOwnExportFailure('PeriodicExportingMetricReader: metrics export failed (error Error: connect ECONNREFUSED 127.0.0.1:9999)', OWN), false);
  assert.equal(isOwnExportFailure("Transient error HTTPConnectionPool(host='otel-collector', port=4318): Max retries exceeded encountered while exporting metrics batch, retrying in 1.04s.", OWN), false);
});

test('loopback spellings and origins without a scheme match; timestamps are not addresses', () => {
  assert.equal(isOwnExportFailure('failed to send to http://[::1]:4318/v1/traces: 404 Not Found', ['127.0.0.1:4318']), true);
  assert.equal(isOwnExportFailure('12:41:36,051 Failed to export logs. Server responded with HTTP status code 404. Error message: Not Found', OWN), true);
});

test("the user's own errors are never taken for export failures", () => {
  const texts = [
    "KeyError: 'sku-42'",
    'Failed to export report to S3: AccessDenied',
    'requests.exceptions.HTTPError: 404 Client Error: Not Found for url: http://127.0.0.1:4318/api/orders',
    'Error: connect ECONNREFUSED 127.0.0.1:5432',
    'java.lang.IllegalStateException: Failed to export invoice 42',
    '',
  ];
  for (const text of texts) assert.equal(isOwnExportFailure(text, OWN), false, text);
});
