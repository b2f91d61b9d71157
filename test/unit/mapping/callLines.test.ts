import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTarget, chooseCallLine, findCallLines, peerParts } from '../../../src/core/mapping/callLines';

const JS = `async function checkout(order) {
  // fetch(\`\${INVENTORY}/reserve\`) used to be here
  const note = 'call fetch( later';
  const stock = await fetch(\`\${INVENTORY}/stock/\${order.sku}\`);
  const price = await axios.get('http://pricing.internal:8080/prices/' + order.sku);
  const receipt = await fetch(
    \`\${PAYMENTS}/charges\`,
    { method: 'POST', body: JSON.stringify(order) },
  );
  return { stock, price, receipt };
}
`;

test('finds the outgoing-call lines of a JS function, not calls in comments or strings', () => {
  const lines = findCallLines('src/checkout.js', JS, 1, 11);
  assert.deepEqual(lines.map((l) => l.line), [4, 5, 6]);
  assert.match(lines[2].text, /\/charges/, 'a multi-line call carries its continuation lines');
});

test('picks the line naming the URL path, else the host', () => {
  const lines = findCallLines('src/checkout.js', JS, 1, 11);
  assert.deepEqual(chooseCallLine(lines, peerParts('http://inventory:7000/stock/8812')), { line: 4, lineMatch: 'url' });
  assert.deepEqual(chooseCallLine(lines, peerParts('https://payments.example.com/charges')), { line: 6, lineMatch: 'url' });
  assert.deepEqual(chooseCallLine(lines, peerParts('pricing.internal:8080')), { line: 5, lineMatch: 'url' });
  assert.equal(chooseCallLine(lines, peerParts('http://elsewhere/unknown')), undefined, 'several calls and no match: no line');
});

test('a function with one outgoing call gets it even without a URL match', () => {
  const py = 'import requests\n\ndef get_stock(sku):\n    url = BASE + sku\n    r = requests.get(url, timeout=2)\n    return r.json()\n';
  const lines = findCallLines('app/stock.py', py, 3, 6);
  assert.deepEqual(lines.map((l) => l.line), [5]);
  assert.deepEqual(chooseCallLine(lines, peerParts('http://stock-svc/items/9')), { line: 5, lineMatch: 'only-call' });
  assert.equal(chooseCallLine([], peerParts('http://stock-svc/items/9')), undefined);
});

test('Go and Java clients are recognized', () => {
  const go = 'func fetchUser(ctx context.Context, id string) (*User, error) {\n\treq, _ := http.NewRequestWithContext(ctx, "GET", base+"/users/"+id, nil)\n\tresp, err := client.Do(req)\n\treturn decode(resp), err\n}\n';
  assert.deepEqual(findCallLines('svc/user.go', go, 1, 5).map((l) => l.line), [2, 3]);
  const java = 'class A {\n  User load(String id) {\n    return restTemplate.getForObject(base + "/users/" + id, User.class);\n  }\n}\n';
  assert.deepEqual(findCallLines('src/A.java', java, 2, 4).map((l) => l.line), [3]);
});

test('peers split into host and static path segments; ids, numbers and credentials are left out', () => {
  assert.deepEqual(peerParts('http://user:secret@inventory:7000/v1/stock/12345/reserve'), { host: 'inventory:7000', hostname: 'inventory', segments: ['v1', 'stock', 'reserve'] });
  assert.deepEqual(peerParts('https://api.example.com/orders/3f2b8c1d-9a4e-4f5b-8c7d-1e2f3a4b5c6d'), { host: 'api.example.com', hostname: 'api.example.com', segments: ['orders'] });
  assert.deepEqual(peerParts('db.internal:5432'), { host: 'db.internal:5432', hostname: 'db.internal', segments: [] });
  assert.equal(callTarget(peerParts(''), 'GET'), 'GET', 'no peer: the span name');
  assert.equal(callTarget(peerParts('http://inventory:7000/x'), 'GET'), 'inventory:7000');
});
