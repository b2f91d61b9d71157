import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { getSignals, startServer, waitForProcessed, waitForStatus } from '../support/harness';
import { codeSpansJson, nowNs, postTraces } from '../support/otlpJson';
import { routeSpansJson } from '../support/routeSpanJson';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-serve-reindex-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const SHOP = `const express = require('express');
const app = express();

function price(req, res) {
  res.json({ item: req.params.item, total: quote([req.params.item]) });
}

function quote(items) {
  return items.length * 2;
}

app.get('/price/:item', price);
module.exports = { app, quote };
`;

/** Three new lines above everything else: every function moves down by three. */
const moved = (text: string): string => `// added\n// by an\n// edit\n${text}`;

test("serve re-indexes a changed file: the same spans sent after an edit land on the functions' new lines", { timeout: 60_000 }, async () => {
  const workspace = path.join(tmp, 'ws');
  mkdirSync(path.join(workspace, 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'src', 'shop.js'), SHOP);
  const server = await startServer({ workspace });
  try {
    const built = (await waitForStatus(server.url, (s) => (s.indexedAt ?? 0) > 0, 20_000)).indexedAt!;
    // A route span (mapped through the route registration) and a span naming its function and file but no line.
    const send = () =>
      Promise.all([
        postTraces(server.url, routeSpansJson({ shop: [{ method: 'GET', route: '/price/:item', startNs: nowNs(), durationMs: 4 }] })),
        postTraces(server.url, codeSpansJson({ 'service.name': 'shop' }, [{ function: 'quote', file: '/srv/app/src/shop.js', line: 0, startNs: nowNs(), durationMs: 2 }])),
      ]);
    const where = async () => (await getSignals(server.url)).functions.map((f) => `${f.function}@${f.file}:${f.line}x${f.count}`).sort();

    for (const r of await send()) assert.equal(r.status, 200);
    await waitForProcessed(server.url, 2);
    assert.deepEqual(await where(), ['price@src/shop.js:4x1', 'quote@src/shop.js:8x1']);

    // Saved as many editors save: a temp file renamed over the old one, so no pass can read it half-written.
    writeFileSync(path.join(workspace, 'src', '.shop.js.tmp'), moved(SHOP));
    renameSync(path.join(workspace, 'src', '.shop.js.tmp'), path.join(workspace, 'src', 'shop.js'));
    await waitForStatus(server.url, (s) => (s.indexedAt ?? 0) > built, 20_000);
    for (const r of await send()) assert.equal(r.status, 200);
    await waitForProcessed(server.url, 4);
    const after = await where();
    assert.ok(after.includes('price@src/shop.js:7x1'), `the route's handler figures follow it to line 7: ${after.join(', ')}`);
    assert.ok(after.includes('quote@src/shop.js:11x1'), `the function's figures follow it to line 11: ${after.join(', ')}`);
  } finally {
    await server.stop();
  }
});
