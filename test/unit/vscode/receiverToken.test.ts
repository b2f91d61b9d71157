import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { ErrorSignal } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { silentLogger } from '../../../src/core/logger';
import { LiveSignals } from '../../../src/vscode/liveSignals';
import { probeReceiver, ReceiverProcess, type ReceiverProcessOptions } from '../../../src/vscode/receiverProcess';
import { receiverTokenFile } from '../../../src/vscode/receiverToken';
import { errorSpanJson, SECRET_MESSAGE } from '../../support/errorSpanJson';
import { postTraces } from '../../support/otlpJson';
import { freeLoopbackPort as freePort } from '../../support/backendProcess';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'rl-token-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function workspace(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'pay.js'), 'function charge() {\n  throw new Error("x");\n}\nmodule.exports = { charge };\n');
  return dir;
}

function options(port: number, ws: string, over: Partial<ReceiverProcessOptions> = {}): ReceiverProcessOptions {
  return {
    host: '127.0.0.1',
    port,
    workspace: ws,
    snapshotFile: '',
    tokenFile: receiverTokenFile(path.join(tmp, 'global'), port),
    cliPath: path.join(repoRoot, 'src', 'cli.ts'),
    execArgv: ['--import', 'tsx'],
    portSetting: 'runtimeLens.receiver.port',
    ...over,
  };
}

test('the spawned receiver gets a per-session read token through a 0600 file; the editor reads (HTTP and stream) with it, nobody else can', async () => {
  const port = await freePort();
  const proc = new ReceiverProcess(options(port, workspace('ws-a')), silentLogger);
  const live = new LiveSignals({ window: '5m', environment: undefined }, silentLogger);
  try {
    const started = await proc.start();
    assert.match(started.token, /^[0-9a-f]{64}$/);
    const file = options(port, '').tokenFile;
    assert.equal(readFileSync(file, 'utf8'), started.token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const cmdline = readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.includes('--read-token-file') && cmdline.includes(file), cmdline.join(' '));
    assert.equal(
      cmdline.some((a) => a.includes(started.token)),
      false,
      'the token is not in the process list',
    );

    assert.deepEqual(await probeReceiver(proc.endpoint), { kind: 'locked', version: '0.1.0' });
    assert.equal((await fetch(`${proc.endpoint}/api/signals?window=5m`)).status, 401);

    live.connect(proc.endpoint, false, started.status, started.token);
    const group = new Promise<ErrorSignal>((resolve) => live.onNewErrorGroup(resolve));
    // The stream must be open before the error arrives: its hello refreshes the state.
    await new Promise<void>((resolve) => {
      const sub = live.onDidChangeState(() => {
        sub.dispose();
        resolve();
      });
    });
    assert.equal((await postTraces(proc.endpoint, errorSpanJson())).status, 200, 'local SDKs send without a token');
    assert.equal((await group).message, SECRET_MESSAGE, 'the WebSocket carried the read token');
    const signals = await live.signals({ file: 'src/pay.js' });
    assert.equal(signals?.errors[0]?.message, SECRET_MESSAGE, 'HTTP reads carry the read token');
  } finally {
    live.dispose();
    await proc.stop();
  }
  assert.equal(existsSync(options(port, '').tokenFile), false, 'stopping removes the token file');
});

test("RUNTIME_LENS_TOKEN in the editor's environment does not lock the extension out of its own receiver", async () => {
  const port = await freePort();
  const saved = process.env.RUNTIME_LENS_TOKEN;
  process.env.RUNTIME_LENS_TOKEN = 'from-the-editor-environment';
  const proc = new ReceiverProcess(options(port, workspace('ws-b')), silentLogger);
  try {
    const started = await proc.start();
    assert.equal(started.attached, false);
    assert.equal((await postTraces(proc.endpoint, errorSpanJson())).status, 200, 'the child did not inherit the token');
  } finally {
    if (saved === undefined) delete process.env.RUNTIME_LENS_TOKEN;
    else process.env.RUNTIME_LENS_TOKEN = saved;
    await proc.stop();
  }
});

test("a receiver on the port that refuses this editor's token is refused with one line naming the port and the setting", async () => {
  const ws = workspace('ws-c');
  const other = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: ws, readToken: 'someone-elses', decodeWorkers: 0 });
  await other.start();
  const port = other.receiver.address()!.port;
  try {
    mkdirSync(path.dirname(options(port, ws).tokenFile), { recursive: true });
    writeFileSync(options(port, ws).tokenFile, 'a-stale-token-of-ours', { mode: 0o600 });
    const proc = new ReceiverProcess(options(port, ws), silentLogger);
    await assert.rejects(
      proc.start(),
      new RegExp(
        `^Error: port ${port} is used by a Runtime Lens receiver \\(0\\.1\\.0\\) that does not accept this editor's read token \\(started with --token or --read-token\\?\\); stop it or choose another port with the runtimeLens\\.receiver\\.port setting$`,
      ),
    );
    assert.equal(proc.pid, undefined);
  } finally {
    await other.stop();
  }
});

test('a receiver started without a read token (plain `runtime-lens serve`) is attached to as before', async () => {
  const ws = workspace('ws-d');
  const open = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: ws, decodeWorkers: 0 });
  await open.start();
  try {
    const proc = new ReceiverProcess(options(open.receiver.address()!.port, ws), silentLogger);
    const attached = await proc.start();
    assert.deepEqual([attached.attached, attached.token], [true, '']);
    await proc.stop();
  } finally {
    await open.stop();
  }
});

test('a non-loopback host gets the session token on every route, ingest included', async () => {
  const port = await freePort();
  const proc = new ReceiverProcess(options(port, workspace('ws-e'), { host: '0.0.0.0' }), silentLogger);
  try {
    const { token } = await proc.start();
    const url = `http://127.0.0.1:${port}`;
    assert.equal((await postTraces(url, errorSpanJson())).status, 401);
    const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: errorSpanJson(), headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
  } finally {
    await proc.stop();
  }
});
