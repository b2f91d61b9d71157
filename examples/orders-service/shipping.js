'use strict';
// Shipping quotes from the carrier's API. Written with an AI assistant (the demo commits this file
// with a `Co-Authored-By: Claude` trailer): it works, and it waits for the carrier without limit.

const { traced } = require('./telemetry');

const CARRIER_URL = process.env.CARRIER_URL || process.env.INVENTORY_URL || 'http://127.0.0.1:3001';

/** The shipping quote of an order, from the carrier. */
async function quoteShipping(order) {
  return traced('quoteShipping', async () => {
    const response = await fetch(`${CARRIER_URL}/v1/quotes?weight=${order.weight}`);
    if (!response.ok) throw new Error(`carrier answered ${response.status}`);
    return response.json();
  });
}

module.exports = { quoteShipping };
