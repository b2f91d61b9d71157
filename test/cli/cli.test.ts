import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { assertUsageError, cliPath, getSignals, runCli, startServer, waitForProcessed, type CliRun } from '../support/harness';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../support/otlpJson';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): CliRun {
  return runCli(args);
}

test('unknown commands, flags and bad values exit 2 with one line', () => {
  assertUsageError(cli('frobnicate'), /unknown command "frobnicate"/);
  assertUsageError(cli(), /no command given/);
  assertUsageError(cli('serve', '--bogus'), /Unknown option '--bogus'/);
  assertUsageError(cli('serve', '--port', '99999'), /--port must be a whole number from 0 to 65535, got "99999"/);
  assertUsageError(cli('serve', '--workspace', path.join(tmp, 'nope')), /no such folder/);
  assertUsageError(cli('serve', '--path-rule', 'noequals'), /--path-rule takes FROM=TO/);
  assertUsageError(cli('signals', '--window', '7x'), /invalid window "7x"/);
  assertUsageError(cli('serve', '--window', '2h'), /--window 2h is longer than --retention 1h/);
  assertUsageError(cli('serve', '--retention', 'forever'), /--retention: invalid window "forever"/);
  assertUsageError(cli('signals', '--server', 'not a url'), /--server must be a URL/);
  assert.equal(cli('help').code, 0);
  assert.match(cli('help').stdout, /runtime-lens <command>/);
});

test('an unreachable server exits 2 naming it', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  assertUsageError(cli('signals', '--server', `http://127.0.0.1:${port}`), new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
});

test('a port in use exits 2 naming the port and the flag', async () => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    assertUsageError(cli('serve', '--port', String(port)), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port`));
  } finally {
    blocker.close();
  }
});

test('serve maps, prints signals, writes the snapshot on SIGTERM and restores it', async () => {
  const workspace = path.join(tmp, 'ws');
  mkdirSync(path.join(workspace, 'src'), { recursive: true });
  writeFileSync(path.join(workspace, 'src', 'orders.js'), 'function createOrder(input) {\n  return { id: 1, ...input };\n}\n\nmodule.exports = { createOrder };\n');
  const snapshot = path.join(tmp, 'state', 'signals.json');
  const server = await startServer({ workspace, args: ['--snapshot', snapshot, '--environment', 'production'] });
  const now = nowNs();
  const spans = Array.from({ length: 40 }, (_, i): CodeSpan => ({ function: 'createOrder', file: '/srv/app/src/orders.js', line: 2, startNs: now, durationMs: i + 1, error: i < 4 }));
  const res = await postTraces(server.url, codeSpansJson({ 'service.name': 'orders', 'deployment.environment.name': 'production' }, spans));
  assert.equal(res.status, 200);
  await waitForProcessed(server.url, 40);

  const table = cli('signals', '--server', server.url, '--window', '5m');
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /Window 5m · environment production/);
  assert.match(table.stdout, /orders createOrder\s+src\/orders\.js:1\s+40\s+10\.0%/);
  const json = JSON.parse(cli('signals', '--server', server.url, '--json').stdout);
  assert.equal(json.functions[0].file, 'src/orders.js');
  assert.equal(json.functions[0].line, 1, 'moved to the first line of the enclosing function');
  assert.equal(json.functions[0].mappedBy, 'code-attributes');

  await server.stop();
  assert.ok(existsSync(snapshot), 'snapshot written on SIGTERM');
  assert.equal(JSON.parse(readFileSync(snapshot, 'utf8')).locations.length, 1);

  const again = await startServer({ workspace, args: ['--snapshot', snapshot] });
  try {
    const restored = await getSignals(again.url, { window: '5m' });
    assert.equal(restored.functions[0].count, 40);
    assert.equal(restored.functions[0].errors, 4);
  } finally {
    await again.stop();
  }
});

test('serve started with an IPC channel stops and writes its snapshot when the parent goes away', async () => {
  const snapshot = path.join(tmp, 'ipc', 'signals.json');
  mkdirSync(path.dirname(snapshot), { recursive: true });
  // A parent that spawns the receiver the way the extension does, then dies without a word.
  const parent = `
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, [${JSON.stringify(cliPath)}, 'serve', '--port', '0', '--snapshot', ${JSON.stringify(snapshot)}], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    child.stdout.on('data', (d) => { if (/listening on/.test(String(d))) { console.log(child.pid); process.kill(process.pid, 'SIGKILL'); } });
  `;
  const r = spawnSync(process.execPath, ['-e', parent], { encoding: 'utf8', timeout: 20_000 });
  const pid = Number(r.stdout.trim());
  assert.ok(pid > 0, `the parent printed no child pid: ${r.stdout} ${r.stderr}`);
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 100));
  assert.equal(alive(), false, 'the receiver outlived the process that started it');
  assert.ok(existsSync(snapshot), 'no snapshot written on the way out');
});
