'use strict';
// The inventory service: the orders service's downstream. Deliberately unreliable: most answers
// take 20-120 ms, one in twenty takes up to 600 ms, and about one in ten is a 503. It also plays
// the carrier's quote API (`/v1/quotes`), so the demo needs a single downstream process.

const { startTelemetry, exitCleanly } = require('./telemetry');
const stopTelemetry = startTelemetry('inventory');

const express = require('express');

const HOST = process.env.HOST || '127.0.0.1';
const PORT = Number(process.env.INVENTORY_PORT ?? 3001);

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Units in stock for a sku: a stable number per sku, so answers look like data. */
function lookupStock(sku) {
  let hash = 0;
  for (const ch of sku) hash = (hash * 31 + ch.charCodeAt(0)) % 1000;
  return 5 + (hash % 40);
}

const app = express();

app.get('/v1/inventory/:sku', async (req, res) => {
  await sleep(Math.random() < 0.05 ? 200 + Math.random() * 400 : 20 + Math.random() * 100);
  if (Math.random() < 0.1) {
    res.status(503).json({ error: 'inventory database busy' });
    return;
  }
  res.json({ sku: req.params.sku, available: lookupStock(req.params.sku) });
});

// The carrier: usually quick, but now and then it hangs for seconds (callers without a timeout wait it out).
app.get('/v1/quotes', async (req, res) => {
  const weight = Number(req.query.weight) || 1;
  await sleep(Math.random() < 0.03 ? 2000 + Math.random() * 2000 : 40 + Math.random() * 160);
  res.json({ carrier: 'demo-post', weight, price: Math.round((4 + weight * 0.8) * 100) / 100 });
});

const server = app.listen(PORT, HOST, () => {
  const { port } = server.address();
  console.log(`inventory listening on http://${HOST}:${port}`);
});
exitCleanly(stopTelemetry, () => new Promise((resolve) => server.close(() => resolve())));
