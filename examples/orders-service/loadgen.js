'use strict';
// A steady mix of requests against the orders service (about 20 a second), so every endpoint has
// live figures. Loopback only, and it stops by itself after LOADGEN_DURATION_S (one hour by default).

const TARGET = process.env.ORDERS_URL || 'http://127.0.0.1:3000';
const RATE = Number(process.env.LOADGEN_RATE || 20);
const DURATION_S = Number(process.env.LOADGEN_DURATION_S || 3600);
const REPORT_EVERY_MS = 30_000;
const SKUS = ['apple', 'pear', 'plum', 'kiwi', 'mango'];

const target = new URL(TARGET);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname) && !target.hostname.startsWith('127.')) {
  console.error(`loadgen: refusing ${TARGET}: it only sends load to loopback addresses`);
  process.exit(2);
}
if (!(RATE > 0 && RATE <= 200) || !(DURATION_S > 0)) {
  console.error('loadgen: LOADGEN_RATE must be in (0, 200] and LOADGEN_DURATION_S positive');
  process.exit(2);
}

function pick(list) {
  return list[Math.floor(Math.random() * list.length)];
}

/** One request of the mix: method, path and body. */
function nextRequest() {
  const r = Math.random();
  if (r < 0.3) return { method: 'GET', path: `/quote?sku=${pick(SKUS)}&qty=${1 + Math.floor(Math.random() * 20)}` };
  // Ids up to 105: every 7th throws in the service, a few are 404s.
  if (r < 0.65) return { method: 'GET', path: `/orders/${1 + Math.floor(Math.random() * 105)}` };
  if (r < 0.78) return { method: 'GET', path: `/stock/${pick(SKUS)}` };
  if (r < 0.88) return { method: 'GET', path: `/shipping?weight=${1 + Math.floor(Math.random() * 10)}` };
  if (r < 0.98) return { method: 'POST', path: '/orders', body: { sku: pick(SKUS), quantity: 1 + Math.floor(Math.random() * 5) } };
  return { method: 'GET', path: '/health' };
}

const counts = new Map();
let sent = 0;

async function send() {
  const { method, path, body } = nextRequest();
  sent++;
  let key;
  try {
    const response = await fetch(new URL(path, target), {
      method,
      headers: body ? { 'content-type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    key = String(response.status);
  } catch (error) {
    key = error.name === 'TimeoutError' ? 'timeout' : `failed(${error.cause?.code || error.name})`;
  }
  counts.set(key, (counts.get(key) || 0) + 1);
}

function report() {
  const byStatus = [...counts.entries()].sort().map(([k, v]) => `${k}:${v}`).join(' ');
  console.log(`loadgen: ${sent} requests sent (${byStatus || 'no answers yet'})`);
}

const timer = setInterval(send, 1000 / RATE);
const reporter = setInterval(report, REPORT_EVERY_MS);
function stop() {
  clearInterval(timer);
  clearInterval(reporter);
  report();
  // Let requests in flight finish, but no longer than their timeout.
  setTimeout(() => process.exit(0), 100).unref();
}
setTimeout(stop, DURATION_S * 1000).unref();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
console.log(`loadgen: ${RATE} requests/s to ${target.origin} for ${DURATION_S} s`);
