'use strict';
// The orders service: a small Express 5 API with one slow function, one that throws on some
// inputs and one that depends on a flaky downstream. Telemetry starts before express loads.

const { startTelemetry, exitCleanly } = require('./telemetry');
const stopTelemetry = startTelemetry('orders-service');

const express = require('express');
const { computeQuote, PRICES } = require('./pricing');
const { findOrder, formatOrder } = require('./orders');
const { checkStock } = require('./stock');
const { quoteShipping } = require('./shipping');

const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number(process.env.PORT ?? 3000);

const app = express();
app.use(express.json());

app.get('/health', (req, res) => {
  res.json({ ok: true });
});

// Slow: every quote goes through computeQuote (150-900 ms).
app.get('/quote', async (req, res) => {
  const quote = await computeQuote(String(req.query.sku || 'apple'), Number(req.query.qty || 1));
  res.json(quote);
});

// Throws: orders without a customer (every 7th id) fail in formatOrder with a TypeError.
app.get('/orders/:id', (req, res) => {
  const order = findOrder(Number(req.params.id));
  if (order === undefined) {
    res.status(404).json({ error: 'no such order' });
    return;
  }
  res.json(formatOrder(order));
});

// Flaky downstream: asks the inventory service, which is slow or unavailable now and then.
app.get('/stock/:sku', async (req, res) => {
  const available = await checkStock(req.params.sku);
  res.json({ sku: req.params.sku, available });
});

// AI-written and without a timeout: asks the carrier, which hangs for seconds now and then.
app.get('/shipping', async (req, res) => {
  res.json(await quoteShipping({ weight: Number(req.query.weight || 1) }));
});

// All three at once: check stock, then price the order.
app.post('/orders', async (req, res) => {
  const sku = String(req.body?.sku ?? '');
  const quantity = Number(req.body?.quantity ?? 1);
  if (!(sku in PRICES) || !Number.isInteger(quantity) || quantity < 1) {
    res.status(400).json({ error: 'sku must be one of ' + Object.keys(PRICES).join(', ') + ' and quantity a positive integer' });
    return;
  }
  const available = await checkStock(sku);
  if (available < quantity) {
    res.status(409).json({ error: `only ${available} ${sku} in stock` });
    return;
  }
  const quote = await computeQuote(sku, quantity);
  res.status(201).json({ order: { sku, quantity }, quote });
});

// Errors answer as JSON; the downstream's timeouts carry 504 and its failures 502.
app.use((error, req, res, next) => {
  if (res.headersSent) return next(error);
  const status = error.status || 500;
  res.status(status).json({ error: `${error.name}: ${error.message}` });
});

const server = app.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`orders-service listening on http://${HOST}:${port}`);
});
exitCleanly(stopTelemetry, () => new Promise((resolve) => server.close(() => resolve())));
