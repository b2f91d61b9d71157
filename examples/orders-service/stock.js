'use strict';
// Stock checks against the inventory service, a flaky downstream: slow now and then, and about
// one answer in ten is a 503. The timeout keeps a slow inventory from holding requests open.

const { traced } = require('./telemetry');

const INVENTORY_URL = process.env.INVENTORY_URL || 'http://127.0.0.1:3001';
const TIMEOUT_MS = 400;

/** Units of `sku` in stock; throws when the inventory fails or takes longer than the timeout. */
async function checkStock(sku) {
  // Named after the function: the outgoing fetch below becomes its child, so the editor can put
  // the call's latency on the fetch line.
  return traced('checkStock', async () => {
    const response = await fetch(`${INVENTORY_URL}/v1/inventory/${encodeURIComponent(sku)}`, {
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).catch((cause) => {
      if (cause.name !== 'TimeoutError') throw cause;
      // The abort's own stack is all undici internals; this error's stack points here.
      const timeout = new Error(`inventory did not answer within ${TIMEOUT_MS} ms`, { cause });
      throw Object.assign(timeout, { name: 'TimeoutError', status: 504 });
    });
    if (!response.ok) {
      const error = new Error(`inventory answered ${response.status}`);
      error.status = 502;
      throw error;
    }
    const body = await response.json();
    return body.available;
  });
}

module.exports = { checkStock };
