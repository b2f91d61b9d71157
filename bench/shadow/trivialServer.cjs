'use strict';
// The trivial local server of `npm run bench:shadow`: node:http answering a small JSON item, with the
// real OpenTelemetry Node SDK (http instrumentation: one server span per request) exporting every span
// over OTLP/HTTP protobuf to OTEL_EXPORTER_OTLP_ENDPOINT (the shadow run's receiver), as a local build
// started by the shadow run does (src/core/shadow/localBuild.ts sets the endpoint, batch delay and sampler).

const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const endpoint = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || 'http://127.0.0.1:4318').replace(/\/+$/, '');
const sdk = new NodeSDK({
  resource: resourceFromAttributes({ 'service.name': 'bench-trivial', 'deployment.environment.name': process.env.DEPLOYMENT_ENVIRONMENT || 'bench' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }))],
  metricReaders: [],
  logRecordProcessors: [],
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();

// Required after the SDK started, so the http instrumentation wraps it.
const http = require('node:http');

const server = http.createServer((req, res) => {
  const m = /^\/items\/(\d+)$/.exec(req.url || '');
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  } else if (m) {
    const body = JSON.stringify({ id: Number(m[1]), name: `item ${m[1]}`, price: Number(m[1]) * 1.25, tags: ['bench', 'trivial'] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not found"}');
  }
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT), '127.0.0.1');

const stop = () => server.close(() => sdk.shutdown().finally(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
