'use strict';
// Pricing: the deliberately slow part of the service. Quotes take 150-900 ms, more for bigger
// orders, so its CodeLens shows a p95 worth looking at.

const { traced } = require('./telemetry');

const PRICES = { apple: 0.5, pear: 0.75, plum: 1.2, kiwi: 0.9, mango: 2.4 };

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Prices `quantity` units of `sku`; slow on purpose (a stand-in for a tariff service and a rules engine). */
async function computeQuote(sku, quantity) {
  // The span carries the function's name, so Runtime Lens maps it onto this function by name.
  return traced('computeQuote', async (span) => {
    span.setAttribute('quote.sku', sku);
    span.setAttribute('quote.quantity', quantity);
    const unitPrice = PRICES[sku];
    if (unitPrice === undefined) throw new RangeError(`unknown sku ${sku}`);
    // Bigger orders walk more discount rules: 150 ms at least, up to ~900 ms.
    const rules = Math.min(quantity, 20);
    await sleep(150 + rules * 25 + Math.random() * 250);
    const discount = quantity >= 10 ? 0.1 : 0;
    const total = Math.round(unitPrice * quantity * (1 - discount) * 100) / 100;
    return { sku, quantity, unitPrice, discount, total };
  });
}

module.exports = { computeQuote, PRICES };
