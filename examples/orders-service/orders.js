'use strict';
// Orders: an in-memory table where a few orders lost their customer record, the kind of gap that
// only shows in production. Formatting one of them throws a real TypeError.

const ORDERS = new Map();
for (let id = 1; id <= 100; id++) {
  // Every 7th order was imported from the old system without a customer.
  const customer = id % 7 === 0 ? undefined : { name: `Customer ${id}`, tier: id % 3 === 0 ? 'gold' : 'standard' };
  ORDERS.set(id, { id, customer, items: [{ sku: 'apple', quantity: (id % 5) + 1 }], status: id % 4 === 0 ? 'shipped' : 'open' });
}

/** The order with this id, or undefined. */
function findOrder(id) {
  return ORDERS.get(id);
}

/** The order as the API returns it; throws a TypeError for orders without a customer. */
function formatOrder(order) {
  return {
    id: order.id,
    status: order.status,
    customer: order.customer.name,
    tier: order.customer.tier,
    items: order.items.length,
  };
}

module.exports = { findOrder, formatOrder };
