// The AgentData adapter against real peers: git repositories made in temp folders (with a clone, for
// the upstream and origin/HEAD bases), an in-process receiver fed real spans by the OpenTelemetry JS
// SDK, the analysis over an AI-committed module, and the CLI (src/cli.ts) for a shadow run.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { createAgentReadData } from '../../../src/core/client/agentReadData';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { freePort } from '../../support/demoWorkspace';
import { repoRoot, waitForProcessed } from '../../support/harness';
import { hrTime, makeSpans, sendSpans } from '../server/sdkSend';
import { type ShopProduction, startShopProduction } from './shopProduction';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-agent-data-'));
const savedCache = process.env.XDG_CACHE_HOME;
let shop: ShopProduction;

function gitIn(dir: string) {
  return (...args: string[]) => execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.invalid', ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

before(async () => {
  process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
  shop = await startShopProduction();
});

after(async () => {
  await shop?.dispose();
  if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = savedCache;
  rmSync(tmp, { recursive: true, force: true });
});

describe('createAgentReadData', () => {
  it('says whether the server is Runtime Lens, and if not why, in one line', async () => {
    const data = createAgentReadData({ workspace: shop.repo.dir, server: shop.url });
    const on = await data.source();
    assert.equal(on.connected, true);
    assert.match(on.description, new RegExp(`^receiver at ${shop.url} \\(Runtime Lens \\d`));

    const port = await freePort();
    const refused = await createAgentReadData({ workspace: shop.repo.dir, server: `http://127.0.0.1:${port}` }).source();
    assert.equal(refused.connected, false);
    assert.match(refused.reason!, /connection refused/);

    const locked = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: shop.repo.dir, decodeWorkers: 0, readToken: 'right', watchWorkspace: false });
    await locked.start();
    const foreign = http.createServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', r));
    try {
      const lockedUrl = `http://127.0.0.1:${locked.receiver.address()!.port}`;
      const wrong = await createAgentReadData({ workspace: shop.repo.dir, server: lockedUrl, token: 'wrong' }).source();
      assert.match(wrong.reason!, /refuses this token/);
      assert.equal((await createAgentReadData({ workspace: shop.repo.dir, server: lockedUrl, token: 'right' }).source()).connected, true);
      const other = await createAgentReadData({ workspace: shop.repo.dir, server: `http://127.0.0.1:${(foreign.address() as AddressInfo).port}` }).source();
      assert.match(other.reason!, /^not a Runtime Lens server at .*: HTTP 200/);
      const mute = net.createServer(() => undefined);
      await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
      try {
        const silent = await createAgentReadData({ workspace: shop.repo.dir, server: `http://127.0.0.1:${(mute.address() as AddressInfo).port}` }).source();
        assert.equal(silent.connected, false);
        assert.match(silent.reason!, /^http:\/\/127\.0\.0\.1:\d+ took the connection but gave no answer within 1\.5 s \(busy, or not an HTTP server\)$/);
      } finally {
        mute.close();
      }
      const bad = createAgentReadData({ workspace: shop.repo.dir, server: 'ftp://example' });
      assert.match((await bad.source()).reason!, /not an http\(s\) URL/);
      await assert.rejects(bad.signals({ window: '1h' }), /not an http\(s\) URL/);
    } finally {
      await locked.stop();
      foreign.close();
    }
  });

  it('reads signals, traces and HEAD through the read API and git', async () => {
    const data = createAgentReadData({ workspace: shop.repo.dir, server: shop.url });
    const signals = await data.signals({ window: '1h', file: 'orders.js' });
    assert.deepEqual(
      signals.functions.map((f) => [f.function, f.count, f.errors]),
      [['loadOrder', 60, 6]],
    );
    assert.equal(await data.trace('ab'.repeat(16)), null);
    assert.equal(await data.head(), shop.git('rev-parse', 'HEAD'));
    assert.equal(await createAgentReadData({ workspace: tmp, server: shop.url }).head(), undefined, 'not a repository: no HEAD');
  });

  it('takes the upstream, else origin/HEAD, else main or master as the base, and says which', async () => {
    const origin = path.join(tmp, 'origin');
    execFileSync('git', ['init', '-q', '-b', 'main', origin]);
    const o = gitIn(origin);
    writeFileSync(path.join(origin, 'a.js'), 'function a() {\n  return 1;\n}\n');
    o('add', '-A');
    o('commit', '-q', '-m', 'a');
    const clone = path.join(tmp, 'clone');
    execFileSync('git', ['clone', '-q', origin, clone]);
    const c = gitIn(clone);
    writeFileSync(path.join(clone, 'a.js'), 'function a() {\n  return 2;\n}\n');
    const data = createAgentReadData({ workspace: clone, server: shop.url });
    const upstream = await data.changes();
    assert.deepEqual([upstream.ref, upstream.how, upstream.commit], ['origin/main', 'the upstream branch', o('rev-parse', 'HEAD')]);
    assert.deepEqual(upstream.functions, [{ file: 'a.js', function: 'a', line: 1, endLine: 3, side: 'working tree' }]);
    c('switch', '-q', '-c', 'feature');
    assert.deepEqual([(await data.changes()).ref, (await data.changes()).how], ['origin/main', 'origin/HEAD']);
    assert.deepEqual([(await data.changes('main')).ref, (await data.changes('main')).how], ['main', undefined], 'a named base is taken as given');
    // No remote: the local main branch; nothing at all: one line saying what to do.
    const local = await createAgentReadData({ workspace: origin, server: shop.url }).changes();
    assert.deepEqual([local.ref, local.how, local.functions], ['main', 'the local main branch', []]);
    o('branch', '-q', '-m', 'main', 'trunk');
    await assert.rejects(createAgentReadData({ workspace: origin, server: shop.url }).changes(), /no base to compare with: .*name a base ref/);
    await assert.rejects(createAgentReadData({ workspace: tmp, server: shop.url }).changes(), /is not in a git repository/);
  });

  it('maps findings and authorship of AI-written code, and scans a file again once it changes', async () => {
    const data = createAgentReadData({ workspace: shop.repo.dir, server: shop.url });
    const findings = await data.findings(['carrier.js', 'orders.js', 'catalog.js', 'gone.js', '../outside.js']);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.file, f.line, f.function, f.authorship?.ai, f.authorship?.agent]),
      [['missing-timeout', 'carrier.js', 6, 'carrierQuote', true, 'Claude Code']],
      'human code (orders.js) has none, a missing or outside file is skipped',
    );
    assert.match(findings[0]!.authorship!.how, /^Co-Authored-By trailer on [0-9a-f]{7}/);
    assert.deepEqual(
      (await data.authored(['carrier.js', 'orders.js'])).map((a) => [a.file, a.function, a.line, a.endLine, a.authorship.agent]),
      [['carrier.js', 'carrierQuote', 5, 8, 'Claude Code']],
    );
    assert.equal((await data.findings()).length, 1, 'the whole workspace');
    // A new mtime is a new scan: the call without a timeout is gone.
    const file = path.join(shop.repo.dir, 'carrier.js');
    writeFileSync(file, "'use strict';\nasync function carrierQuote() {\n  return { eta: 2 };\n}\nmodule.exports = { carrierQuote };\n");
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    assert.deepEqual(await data.findings(['carrier.js']), []);
    shop.git('checkout', '--', 'carrier.js');
  });

  it('offers shadow runs only when allowed, runs the CLI, and the CLI keeps the report as the last run', async () => {
    assert.equal(createAgentReadData({ workspace: shop.repo.dir, server: shop.url }).runShadow, undefined);
    // Production requests the receiver holds as traces: the traffic `shadow --from` replays.
    const now = Date.now() - 30_000;
    const spans = makeSpans('shop', (tracer) => {
      for (let i = 0; i < 5; i++) {
        tracer
          .startSpan('GET /api/items', {
            kind: SpanKind.SERVER,
            startTime: hrTime(now + i * 100),
            attributes: { 'http.request.method': 'GET', 'http.route': '/api/items', 'url.path': '/api/items', 'http.response.status_code': 200 },
          })
          .end(hrTime(now + i * 100 + 3));
      }
    });
    const before = (await (await fetch(`${shop.url}/api/status`)).json()) as { spansProcessed: number };
    await sendSpans(shop.url, spans);
    await waitForProcessed(shop.url, before.spansProcessed + spans.length);
    const target = http.createServer((_req, res) => res.setHeader('content-type', 'application/json').end('{"items":[]}'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    try {
      const data = createAgentReadData({ workspace: shop.repo.dir, server: shop.url, allowShadow: true, cliPath: path.join(repoRoot, 'src', 'cli.ts'), execArgv: ['--import', 'tsx'] });
      const started = Date.now();
      const report = await data.runShadow!({ target: `http://127.0.0.1:${(target.address() as AddressInfo).port}`, budget: 5 });
      assert.equal(report.replayed, 5);
      assert.deepEqual(
        report.routes.map((r) => [r.method, r.route, r.requests]),
        [['GET', '/api/items', 5]],
      );
      const last = await data.lastShadow();
      assert.deepEqual(last?.report, report);
      assert.ok(last!.finishedAt >= started);

      // Refused by the CLI's own policy: one line, the CLI's.
      await assert.rejects(data.runShadow!({ target: 'http://10.0.0.5:3000' }), (err: Error) => /^refusing target host 10\.0\.0\.5: not a loopback address/.test(err.message) && !err.message.includes('\n'));
      await assert.rejects(data.runShadow!({ target: 'http://127.0.0.1:1', baselineRef: 'base' }), /a baseline ref needs a start command/);
      // Aborting stops the child.
      const abort = new AbortController();
      const run = data.runShadow!({ start: `${JSON.stringify(process.execPath)} -e "setInterval(() => {}, 1000)"`, health: '/health' }, abort.signal);
      setTimeout(() => abort.abort(), 1_500);
      await assert.rejects(run, /cancelled/);
    } finally {
      target.close();
    }
  });
});
