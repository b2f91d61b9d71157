import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { Logger } from '../../../src/core/logger';
import { endpointOf, probeReceiver, ReceiverProcess, type ReceiverProcessOptions } from '../../../src/vscode/receiverProcess';
import { receiverTokenFile } from '../../../src/vscode/receiverToken';
import { freeLoopbackPort as freePort } from '../../support/backendProcess';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'rl-receiver-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A logger that keeps lines, to check what reaches the output channel. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, debug: (m) => lines.push(`debug ${m}`), info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
}

function options(port: number, workspace: string, over: Partial<ReceiverProcessOptions> = {}): ReceiverProcessOptions {
  // The CLI runs from source through tsx, the same `serve` the bundle runs.
  return {
    host: '127.0.0.1',
    port,
    workspace,
    snapshotFile: path.join(tmp, 'storage', `${port}`, 'signals.json'),
    tokenFile: receiverTokenFile(path.join(tmp, 'global'), port),
    cliPath: path.join(repoRoot, 'src', 'cli.ts'),
    execArgv: ['--import', 'tsx'],
    portSetting: 'runtimeLens.receiver.port',
    ...over,
  };
}

function workspace(name: string): string {
  const dir = path.join(tmp, name);
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'src', 'app.js'), 'function hello() {\n  return 1;\n}\nmodule.exports = { hello };\n');
  return dir;
}

test('spawns the receiver, a second window on the same workspace attaches, another workspace is refused, stop frees the port', async () => {
  const port = await freePort();
  const ws = workspace('ws-a');
  const log = recordingLogger();
  const first = new ReceiverProcess(options(port, ws), log);
  try {
    assert.deepEqual(await probeReceiver(first.endpoint), { kind: 'free' });
    const started = await first.start();
    assert.equal(started.attached, false);
    assert.equal(started.status.workspace, path.resolve(ws));
    assert.ok(first.pid, 'a child runs');
    // It runs with the allocator's arena cap (RECEIVER_ENV) unless the editor's environment sets one.
    if (process.platform === 'linux' && process.env.MALLOC_ARENA_MAX === undefined) {
      assert.match(readFileSync(`/proc/${first.pid}/environ`, 'latin1'), /(^|\0)MALLOC_ARENA_MAX=2\0/);
    }
    assert.ok(
      log.lines.some((l) => /^info receiver listening on http:\/\/127\.0\.0\.1:\d+/.test(l)),
      log.lines.join('\n'),
    );

    const second = new ReceiverProcess(options(port, ws), recordingLogger());
    const attached = await second.start();
    assert.equal(attached.attached, true);
    assert.equal(attached.token, started.token, 'the attaching window reads with the token the first one wrote');
    assert.equal(second.pid, undefined, 'attaching spawns nothing');
    await second.stop();
    assert.equal((await probeReceiver(first.endpoint, started.token)).kind, 'runtimeLens', 'detaching leaves the receiver running');

    const other = new ReceiverProcess(options(port, workspace('ws-b')), recordingLogger());
    await assert.rejects(other.start(), (err: Error) => {
      assert.match(err.message, new RegExp(`^port ${port} is used by a Runtime Lens receiver for .*ws-a; stop it or choose another port with the runtimeLens\\.receiver\\.port setting$`));
      return true;
    });
  } finally {
    await first.stop();
  }
  assert.deepEqual(await probeReceiver(endpointOf('127.0.0.1', port)), { kind: 'free' });
  assert.ok(existsSync(options(port, ws).snapshotFile), 'SIGTERM let the receiver write its snapshot');
});

test('something else on the port gives one line naming the port and the setting', async () => {
  const server = http.createServer((_req, res) => res.writeHead(404).end('not here'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const proc = new ReceiverProcess(options(port, workspace('ws-c')), recordingLogger());
    await assert.rejects(
      proc.start(),
      /^Error: port \d+ is in use by something other than Runtime Lens \(HTTP 404 from http:\/\/127\.0\.0\.1:\d+\/api\/status\); choose another port with the runtimeLens\.receiver\.port setting$/,
    );
    assert.equal(proc.pid, undefined);
  } finally {
    server.close();
  }
});

test('a port taken where the probe does not reach is reported as in use, naming the setting', async () => {
  // Bound on 127.0.0.2 only: the probe (to 0.0.0.0, i.e. 127.0.0.1) finds nothing, binding the wildcard fails.
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.2', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const proc = new ReceiverProcess(options(port, workspace('ws-d'), { host: '0.0.0.0' }), recordingLogger());
    assert.deepEqual(await probeReceiver(proc.endpoint), { kind: 'free' });
    await assert.rejects(proc.start(), new RegExp(`^Error: port ${port} is already in use; choose another port with the runtimeLens\\.receiver\\.port setting$`));
    assert.equal(proc.pid, undefined);
  } finally {
    blocker.close();
  }
});

test('an unexpected exit is reported once with the reason', async () => {
  const port = await freePort();
  const proc = new ReceiverProcess(options(port, workspace('ws-e')), recordingLogger());
  const exits: string[] = [];
  proc.onUnexpectedExit((m) => exits.push(m));
  await proc.start();
  const pid = proc.pid!;
  const gone = new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (proc.pid === undefined) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  process.kill(pid, 'SIGKILL');
  await gone;
  assert.deepEqual(exits, ['the receiver was killed by SIGKILL']);
  await proc.stop();
});

test('a receiver too busy to answer its first status at once still starts (no spurious failure on a loaded machine)', async () => {
  const port = await freePort();
  const log = recordingLogger();
  // The real receiver, its event loop held for 4 s once it listens: longer than the first probe waits.
  const stall = path.join(repoRoot, 'test', 'support', 'stallAfterListening.cjs');
  process.env.RUNTIME_LENS_TEST_STALL_MS = '4000';
  const proc = new ReceiverProcess(options(port, workspace('ws-f'), { execArgv: ['--import', 'tsx', '--require', stall] }), log);
  try {
    const started = await proc.start();
    assert.equal(started.attached, false);
    assert.equal(started.status.workspace, path.resolve(path.join(tmp, 'ws-f')));
    assert.equal((await probeReceiver(proc.endpoint, started.token)).kind, 'runtimeLens');
    assert.ok(!log.lines.some((l) => l.startsWith('error ')), log.lines.join('\n'));
  } finally {
    delete process.env.RUNTIME_LENS_TEST_STALL_MS;
    await proc.stop();
  }
});

test('a port that takes connections but never answers is named as such, after the probes wait', async () => {
  const held: net.Socket[] = [];
  let asked = 0;
  const mute = net.createServer((socket) => {
    held.push(socket);
    socket.on('data', (chunk) => {
      if (chunk.toString('latin1').startsWith('GET /api/status ')) asked++;
    });
  });
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  const port = (mute.address() as net.AddressInfo).port;
  try {
    const proc = new ReceiverProcess(options(port, workspace('ws-g'), { probeTimeoutsMs: [100, 200] }), recordingLogger());
    await assert.rejects(
      proc.start(),
      new RegExp(`^Error: port ${port} takes connections but gives no answer within 0\\.2 s to /api/status; stop what holds it or choose another port with the runtimeLens\\.receiver\\.port setting$`),
    );
    assert.equal(asked, 2, 'asked once per wait');
    assert.equal(proc.pid, undefined, 'nothing spawned');
  } finally {
    for (const socket of held) socket.destroy();
    mute.close();
  }
});

test('a second window attaches to a receiver that is paused while it starts (no "something other than Runtime Lens")', async () => {
  const port = await freePort();
  const ws = workspace('ws-h');
  const first = new ReceiverProcess(options(port, ws), recordingLogger());
  const started = await first.start();
  const pid = first.pid!;
  try {
    // Stopped for 2.5 s, as a receiver swapped out or starved on a loaded machine: longer than one probe waits.
    process.kill(pid, 'SIGSTOP');
    const resume = setTimeout(() => process.kill(pid, 'SIGCONT'), 2_500);
    const second = new ReceiverProcess(options(port, ws), recordingLogger());
    const attached = await second.start();
    clearTimeout(resume);
    assert.equal(attached.attached, true);
    assert.equal(attached.token, started.token);
    await second.stop();
  } finally {
    process.kill(pid, 'SIGCONT');
    await first.stop();
  }
});
