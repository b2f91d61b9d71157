import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { assertUsageError, runCli, startServer, waitForProcessed } from '../support/harness';
import { codeSpansJson, nowNs, postTraces } from '../support/otlpJson';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-signals-hints-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('an unreachable --server is named, with the serve command that would answer there', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const r = runCli(['signals', '--server', `http://127.0.0.1:${port}`]);
  assertUsageError(r, new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: ECONNREFUSED; is a receiver running there\\? Start one with: runtime-lens serve --port ${port} --workspace DIR$`, 'm'));
  assert.doesNotMatch(r.stderr, /4318/, 'never the default port');
});

test('a receiver with no data hints the --server it was given, not the default', async () => {
  const workspace = path.join(tmp, 'empty');
  mkdirSync(workspace, { recursive: true });
  const server = await startServer({ workspace });
  try {
    const r = runCli(['signals', '--server', `${server.url}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`No data yet\\. Point a service at the receiver: OTEL_EXPORTER_OTLP_ENDPOINT=${server.url.replace(/\./g, '\\.')}$`, 'm'));
    assert.notEqual(server.port, 4318);
  } finally {
    await server.stop();
  }
});

test('an unknown --environment is named as unknown with the known ones listed', async () => {
  const workspace = path.join(tmp, 'envs');
  mkdirSync(path.join(workspace, 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'src', 'orders.js'), 'function createOrder() {\n  return 1;\n}\n');
  const server = await startServer({ workspace });
  try {
    for (const environment of ['dev', 'conformance']) {
      const body = codeSpansJson({ 'service.name': 'orders', 'deployment.environment.name': environment }, [{ function: 'createOrder', file: '/srv/src/orders.js', line: 2, startNs: nowNs(), durationMs: 3 }]);
      assert.equal((await postTraces(server.url, body)).status, 200);
    }
    await waitForProcessed(server.url, 2);
    assertUsageError(runCli(['signals', '--server', server.url, '--environment', 'prod']), /environment "prod" is unknown; known: conformance, dev$/m);
    assertUsageError(runCli(['signals', '--server', server.url, '--environment', 'prod', '--json']), /environment "prod" is unknown/);
    const known = runCli(['signals', '--server', server.url, '--environment', 'dev']);
    assert.equal(known.code, 0, known.stderr);
    assert.match(known.stdout, /environment dev \(also: conformance\)/);
  } finally {
    await server.stop();
  }
});
