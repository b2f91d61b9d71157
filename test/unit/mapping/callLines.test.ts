import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTarget, chooseCallLine, findCallLines, inlineHandlerLines, peerParts } from '../../../src/core/mapping/callLines';

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
  assert.deepEqual(
    lines.map((l) => l.line),
    [4, 5, 6],
  );
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
  assert.deepEqual(
    lines.map((l) => l.line),
    [5],
  );
  assert.deepEqual(chooseCallLine(lines, peerParts('http://stock-svc/items/9')), { line: 5, lineMatch: 'only-call' });
  assert.equal(chooseCallLine([], peerParts('http://stock-svc/items/9')), undefined);
});

test('Go and Java clients are recognized', () => {
  const go = 'func fetchUser(ctx context.Context, id string) (*User, error) {\n\treq, _ := http.NewRequestWithContext(ctx, "GET", base+"/users/"+id, nil)\n\tresp, err := client.Do(req)\n\treturn decode(resp), err\n}\n';
  assert.deepEqual(
    findCallLines('svc/user.go', go, 1, 5).map((l) => l.line),
    [2, 3],
  );
  const java = 'class A {\n  User load(String id) {\n    return restTemplate.getForObject(base + "/users/" + id, User.class);\n  }\n}\n';
  assert.deepEqual(
    findCallLines('src/A.java', java, 2, 4).map((l) => l.line),
    [3],
  );
});

test('peers split into host and static path segments; ids, numbers and credentials are left out', () => {
  assert.deepEqual(peerParts('http://user:secret@inventory:7000/v1/stock/12345/reserve'), { host: 'inventory:7000', hostname: 'inventory', segments: ['v1', 'stock', 'reserve'], method: '' });
  assert.deepEqual(peerParts('https://api.example.com/orders/3f2b8c1d-9a4e-4f5b-8c7d-1e2f3a4b5c6d'), { host: 'api.example.com', hostname: 'api.example.com', segments: ['orders'], method: '' });
  assert.deepEqual(peerParts('db.internal:5432'), { host: 'db.internal:5432', hostname: 'db.internal', segments: [], method: '' });
  assert.equal(callTarget(peerParts(''), 'GET'), 'GET', 'no peer: the span name');
  assert.equal(callTarget(peerParts('http://inventory:7000/x'), 'GET'), 'inventory:7000');
});

// Real client code whose URL comes from configuration, so no line names the peer. Each function
// also has lines that are not the call: request or client setup, response handling.
const FETCH_TS = `export async function quote(item: string): Promise<number> {
  const base = process.env.PRICING_URL ?? 'http://localhost:7001';
  const res = await fetch(pricingUrl(base, item), { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(\`pricing answered \${res.status}\`);
  const logged = await fetch(auditUrl, { method: 'POST', body: JSON.stringify({ item }) });
  return (await res.json()).price;
}
`;

const AXIOS_JS = `const api = axios.create({ baseURL: process.env.STOCK_URL, timeout: 2000 });
async function reserve(sku, qty) {
  const { data } = await api.get(stockPath(sku));
  await api.post(reservePath, { sku, qty });
  return data;
}
`;

const JAVA_HTTP_CLIENT = `package com.example.shop;

public class StockClient {
  private final HttpClient client = HttpClient.newHttpClient();
  private final URI base = URI.create(System.getenv("STOCK_URL"));

  int stock(String item) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(base.resolve(item))
        .timeout(Duration.ofSeconds(2))
        .GET()
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    return Integer.parseInt(response.body().trim());
  }

  CompletableFuture<Void> reserve(String item) {
    HttpRequest post = HttpRequest.newBuilder(base.resolve(item)).POST(HttpRequest.BodyPublishers.noBody()).build();
    HttpRequest get = HttpRequest.newBuilder(base.resolve(item)).GET().build();
    client.sendAsync(get, HttpResponse.BodyHandlers.discarding());
    return client.sendAsync(post, HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {});
  }
}
`;

const PY_REQUESTS = `import os
import requests

PRICING = os.environ["PRICING_URL"]
session = requests.Session()

def unit_price(item):
    r = requests.get(PRICING + item, timeout=2)
    r.raise_for_status()
    return r.json()["price"]

def restock(item, qty):
    current = session.get(f"{PRICING}{item}", timeout=2).json()
    session.post(f"{PRICING}{item}", json={"qty": current["qty"] + qty}, timeout=2)
`;

const GO_CLIENT = `package main

var client = &http.Client{Timeout: 2 * time.Second}

func stock(ctx context.Context, item string) (int, error) {
\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, stockURL+item, nil)
\tif err != nil {
\t\treturn 0, err
\t}
\tresp, err := client.Do(req)
\tif err != nil {
\t\treturn 0, err
\t}
\tdefer resp.Body.Close()
\treturn decode(resp.Body)
}

func restock(ctx context.Context, item string) error {
\tresp, err := http.Get(stockURL + item)
\tif err != nil {
\t\treturn err
\t}
\tresp.Body.Close()
\tpost, _ := http.NewRequestWithContext(ctx, "POST", stockURL+item, nil)
\t_, err = client.Do(post)
\treturn err
}

func ping() error {
\t_, err := client.Get(healthURL)
\treturn err
}
`;

const pick = (file: string, text: string, from: number, to: number, peer: string, method = '') => chooseCallLine(findCallLines(file, text, from, to), peerParts(peer, method));

test('fetch: the only call of each method is found when the URL is not written on the line', () => {
  const lines = findCallLines('src/quote.ts', FETCH_TS, 1, 7);
  assert.deepEqual(
    lines.map((l) => [l.line, l.kind, l.method]),
    [
      [3, 'call', 'GET'],
      [5, 'call', 'POST'],
    ],
  );
  assert.deepEqual(pick('src/quote.ts', FETCH_TS, 1, 7, 'http://pricing:7001/price/7', 'GET'), { line: 3, lineMatch: 'only-call' });
  assert.deepEqual(pick('src/quote.ts', FETCH_TS, 1, 7, 'http://audit:7002/log', 'POST'), { line: 5, lineMatch: 'only-call' });
  assert.equal(pick('src/quote.ts', FETCH_TS, 1, 7, 'http://pricing:7001/price/7'), undefined, 'no method and no URL: the function line, honestly');
  assert.equal(pick('src/quote.ts', FETCH_TS, 1, 7, 'http://pricing:7001/price/7', 'PUT'), undefined, 'no call of that method');
});

test('axios: the instance setup is not a call; get and post are told apart by method', () => {
  const lines = findCallLines('src/stock.js', AXIOS_JS, 1, 6);
  assert.deepEqual(
    lines.map((l) => [l.line, l.kind, l.method]),
    [
      [1, 'setup', ''],
      [3, 'call', 'GET'],
      [4, 'call', 'POST'],
    ],
  );
  assert.deepEqual(pick('src/stock.js', AXIOS_JS, 2, 6, 'http://stock:7003/stock/sku-1', 'GET'), { line: 3, lineMatch: 'only-call' });
  assert.deepEqual(pick('src/stock.js', AXIOS_JS, 2, 6, 'http://stock:7003/reserve', 'POST'), { line: 4, lineMatch: 'only-call' });
});

test('Java HttpClient: send/sendAsync are the calls; the request they send (builder chain) gives their method', () => {
  const file = 'src/main/java/com/example/shop/StockClient.java';
  const stock = findCallLines(file, JAVA_HTTP_CLIENT, 7, 14);
  assert.deepEqual(
    stock.map((l) => [l.line, l.kind, l.method]),
    [
      [8, 'setup', 'GET'],
      [12, 'call', 'GET'],
    ],
  );
  assert.deepEqual(pick(file, JAVA_HTTP_CLIENT, 7, 14, 'http://stock:8081/pear', 'GET'), { line: 12, lineMatch: 'only-call' });
  // Two requests built, then sent: each send names its request, not its method.
  const reserve = findCallLines(file, JAVA_HTTP_CLIENT, 16, 21);
  assert.deepEqual(
    reserve.map((l) => [l.line, l.kind, l.method]),
    [
      [17, 'setup', 'POST'],
      [18, 'setup', 'GET'],
      [19, 'call', 'GET'],
      [20, 'call', 'POST'],
    ],
  );
  assert.deepEqual(pick(file, JAVA_HTTP_CLIENT, 16, 21, 'http://stock:8081/pear', 'POST'), { line: 20, lineMatch: 'only-call' });
  assert.deepEqual(pick(file, JAVA_HTTP_CLIENT, 16, 21, 'http://stock:8081/pear', 'GET'), { line: 19, lineMatch: 'only-call' });
  assert.equal(pick(file, JAVA_HTTP_CLIENT, 16, 21, 'http://stock:8081/pear'), undefined, 'no method, no URL: the function line, honestly');
});

test('Python requests: module calls and session calls, told apart by method', () => {
  assert.deepEqual(pick('shop/prices.py', PY_REQUESTS, 7, 10, 'http://pricing:7001/pear', 'GET'), { line: 8, lineMatch: 'only-call' });
  const restock = findCallLines('shop/prices.py', PY_REQUESTS, 12, 14);
  assert.deepEqual(
    restock.map((l) => [l.line, l.method]),
    [
      [13, 'GET'],
      [14, 'POST'],
    ],
  );
  assert.deepEqual(pick('shop/prices.py', PY_REQUESTS, 12, 14, 'http://pricing:7001/pear', 'POST'), { line: 14, lineMatch: 'only-call' });
  assert.deepEqual(pick('shop/prices.py', PY_REQUESTS, 12, 14, 'http://pricing:7001/pear', 'GET'), { line: 13, lineMatch: 'only-call' });
  assert.deepEqual(
    findCallLines('shop/prices.py', PY_REQUESTS, 1, 5).map((l) => [l.line, l.kind]),
    [[5, 'setup']],
  );
});

test('Go http.Client: Do sends the request NewRequest built; http.Get and client.Get are calls', () => {
  const stock = findCallLines('main.go', GO_CLIENT, 5, 16);
  assert.deepEqual(
    stock.map((l) => [l.line, l.kind, l.method]),
    [
      [6, 'setup', 'GET'],
      [10, 'call', 'GET'],
    ],
  );
  assert.deepEqual(pick('main.go', GO_CLIENT, 5, 16, 'http://stock:8082/pear', 'GET'), { line: 10, lineMatch: 'only-call' });
  const restock = findCallLines('main.go', GO_CLIENT, 18, 27);
  assert.deepEqual(
    restock.map((l) => [l.line, l.kind, l.method]),
    [
      [19, 'call', 'GET'],
      [24, 'setup', 'POST'],
      [25, 'call', 'POST'],
    ],
  );
  assert.deepEqual(pick('main.go', GO_CLIENT, 18, 27, 'http://stock:8082/pear', 'GET'), { line: 19, lineMatch: 'only-call' });
  assert.deepEqual(pick('main.go', GO_CLIENT, 18, 27, 'http://stock:8082/pear', 'POST'), { line: 25, lineMatch: 'only-call' });
  assert.deepEqual(pick('main.go', GO_CLIENT, 29, 32, 'http://stock:8082/health', 'GET'), { line: 30, lineMatch: 'only-call' });
});

test('a URL written where the request is built points at the line that sends it', () => {
  const go = 'func fetchUser(ctx context.Context, id string) (*User, error) {\n\treq, _ := http.NewRequestWithContext(ctx, "GET", base+"/users/"+id, nil)\n\tresp, err := client.Do(req)\n\treturn decode(resp), err\n}\n';
  assert.deepEqual(pick('svc/user.go', go, 1, 5, 'http://users:8080/users/42', 'GET'), { line: 3, lineMatch: 'url' });
});

test("inline handlers: the registration brackets are the caller's lines; plain calls are not handlers", () => {
  const js = "const app = express();\napp.get('/price/:item', async (req, res) => {\n  const r = await fetch(pricing(req.params.item));\n  res.json(await r.json());\n});\napp.listen(port);\n";
  assert.deepEqual(inlineHandlerLines('server.js', js, 2), { from: 2, to: 5 });
  assert.equal(inlineHandlerLines('server.js', js, 6), undefined);
  const go =
    'func main() {\n\tmux := http.NewServeMux()\n\tmux.HandleFunc("GET /stock/{item}", func(w http.ResponseWriter, r *http.Request) {\n\t\tresp, _ := client.Get(stockURL)\n\t\t_ = resp\n\t})\n\thttp.ListenAndServe(":8080", mux)\n}\n';
  assert.deepEqual(inlineHandlerLines('main.go', go, 3), { from: 3, to: 6 });
});
