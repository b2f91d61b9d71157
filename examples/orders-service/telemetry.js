'use strict';
// OpenTelemetry setup shared by the orders service and its inventory downstream. It must run before
// express or http are required, so each entry file calls startTelemetry() on its first line.

const { execFileSync } = require('node:child_process');
const { trace, SpanStatusCode } = require('@opentelemetry/api');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const DEFAULT_ENDPOINT = 'http://127.0.0.1:4318';

/** The commit this code runs from, so Runtime Lens can compare the deployment with the local HEAD. */
function gitHead() {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: __dirname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

/** Where spans go: the traces endpoint if set, else the base endpoint plus /v1/traces. */
function tracesUrl() {
  if (process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || DEFAULT_ENDPOINT;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/** Starts the SDK for one service; returns a function that flushes and stops it. */
function startTelemetry(serviceName) {
  const attributes = {
    'service.name': serviceName,
    'deployment.environment.name': process.env.DEPLOYMENT_ENVIRONMENT || 'production',
  };
  const revision = gitHead();
  if (revision) attributes['vcs.ref.head.revision'] = revision;

  const sdk = new NodeSDK({
    resource: resourceFromAttributes(attributes),
    // A one-second batch delay keeps the editor live; the SDK's default (5 s) feels stale in a demo.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl() }), { scheduledDelayMillis: 1000 })],
    // Traces only: without these the SDK would also start OTLP metric and log exporters from the environment.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [new HttpInstrumentation(), new ExpressInstrumentation(), new UndiciInstrumentation()],
  });
  sdk.start();
  return () => sdk.shutdown();
}

/**
 * Runs `fn(span)` inside an active span called `name` (named after the function it times, so Runtime
 * Lens maps the span onto that function); an error is recorded on the span and thrown on.
 */
function traced(name, fn) {
  return trace.getTracer('orders-service').startActiveSpan(name, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Stops the process on SIGINT/SIGTERM after `close` and the SDK's last flush, whatever the receiver does. */
function exitCleanly(stopTelemetry, close) {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // A receiver that is gone must not keep the process alive.
    setTimeout(() => process.exit(0), 2000).unref();
    Promise.resolve()
      .then(close)
      .then(stopTelemetry)
      .catch(() => {})
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

module.exports = { startTelemetry, exitCleanly, tracesUrl, traced };
