import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { SignalsResponse, StatusResponse } from '../../../src/core/api/signals';
import type { Logger } from '../../../src/core/logger';
import { ReceiverProcess } from '../../../src/vscode/receiverProcess';
import { receiverTokenFile } from '../../../src/vscode/receiverToken';
import { nowNs, postTraces } from '../../support/otlpJson';
import { routeSpansJson } from '../../support/routeSpanJson';
import { freeLoopbackPort as freePort } from '../../support/backendProcess';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'rl-receiver-roots-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const HEALTH = "const express = require('express');\nconst app = express();\n\napp.get('/health', function health(req, res) {\n  res.send('ok');\n});\n";

async function get<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as T;
}

test('the serviceRoots setting reaches the receiver as --service-root; a folder that is gone is skipped with a warning, not a failed start', { timeout: 60_000 }, async () => {
  const ws = path.join(tmp, 'ws');
  for (const svc of ['orders', 'billing']) {
    mkdirSync(path.join(ws, 'svc', svc), { recursive: true });
    writeFileSync(path.join(ws, 'svc', svc, 'server.js'), HEALTH);
  }
  const port = await freePort();
  const lines: string[] = [];
  const log: Logger = { debug: () => {}, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
  const proc = new ReceiverProcess(
    {
      host: '127.0.0.1',
      port,
      workspace: ws,
      snapshotFile: '',
      tokenFile: receiverTokenFile(path.join(tmp, 'global'), port),
      cliPath: path.join(repoRoot, 'src', 'cli.ts'),
      execArgv: ['--import', 'tsx'],
      portSetting: 'runtimeLens.receiver.port',
      serviceRoots: [
        { name: 'orders', dir: 'svc/orders' },
        { name: 'billing', dir: 'svc/billing' },
        { name: 'gone', dir: 'svc/gone' },
      ],
    },
    log,
  );
  try {
    const { token } = await proc.start();
    assert.ok(
      lines.some((l) => /^warn serviceRoots: "gone" names svc\/gone, which is not a folder/.test(l)),
      lines.join('\n'),
    );
    const endpoint = `http://127.0.0.1:${port}`;
    await postTraces(endpoint, routeSpansJson({ orders: [{ method: 'GET', route: '/health', startNs: nowNs(), durationMs: 1 }] }));
    for (let s = await get<StatusResponse>(`${endpoint}/api/status`, token); s.spansProcessed < 1; s = await get<StatusResponse>(`${endpoint}/api/status`, token)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const signals = await get<SignalsResponse>(`${endpoint}/api/signals?window=5m`, token);
    assert.deepEqual(
      signals.functions.map((f) => [f.service, f.file]),
      [['orders', 'svc/orders/server.js']],
      JSON.stringify(signals.unmapped),
    );
  } finally {
    await proc.stop();
  }
});
