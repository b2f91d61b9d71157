// The editor hands runtimeLens.sources to the receiver child: flags for the sources, secrets as
// environment variables only, the receiver switch, and 401 lines that name the editor's command.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { StatusResponse } from '../../../src/core/api/signals';
import { ReadApiClient } from '../../../src/core/client/readApiClient';
import type { Logger } from '../../../src/core/logger';
import { specsFromSettings } from '../../../src/core/sources/sourceSpec';
import { probeReceiver, ReceiverProcess, type ReceiverProcessOptions } from '../../../src/vscode/receiverProcess';
import { receiverTokenFile } from '../../../src/vscode/receiverToken';
import { EDITOR_AUTH_HINT, SECRET_ENV_PREFIX, sourceLaunch } from '../../../src/vscode/sourcesArgs';
import { freeLoopbackPort as freePort } from '../../support/backendProcess';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const tmp = mkdtempSync(path.join(tmpdir(), 'rl-receiver-sources-'));
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
  rmSync(tmp, { recursive: true, force: true });
});

const SECRET = 's3cret-token-for-the-test';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Answers Prometheus's HTTP API as one holding no span metrics yet does (every answer an empty success envelope), behind a bearer token. */
async function prometheus(token: string | undefined): Promise<{ url: string; auth: (string | undefined)[] }> {
  const auth: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    auth.push(req.headers.authorization);
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end('Unauthorized');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: req.url?.startsWith('/api/v1/query') ? { resultType: 'vector', result: [] } : [] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, auth };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function baseOptions(port: number, ws: string, over: Partial<ReceiverProcessOptions>): ReceiverProcessOptions {
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

test('sources reach serve with their names; the secret goes by environment, never argv; a refused source names the command', async () => {
  const ws = path.join(tmp, 'ws');
  mkdirSync(ws, { recursive: true });
  writeFileSync(path.join(ws, 'app.js'), 'function hello() {}\n');
  const team = await prometheus(SECRET);
  const locked = await prometheus('another-token');
  const { specs, problems } = specsFromSettings([
    { kind: 'prometheus', url: team.url, name: 'team metrics', auth: 'bearer', refreshSeconds: 5 },
    { kind: 'prometheus', url: locked.url, name: 'locked', auth: 'bearer' },
  ]);
  assert.deepEqual(problems, []);
  // Only the first source has a stored secret: the second goes without and is refused.
  const launch = sourceLaunch(specs, new Map([['team metrics', SECRET]]), false, ws);
  assert.ok(!launch.args.some((a) => a.includes(SECRET)), 'no secret in the arguments');
  assert.deepEqual(Object.keys(launch.env).sort(), ['RUNTIME_LENS_SOURCE_AUTH_HINT', `${SECRET_ENV_PREFIX}0`]);
  assert.match(launch.warnings.join('\n'), /^locked: no bearer credentials are stored in this editor/);

  const port = await freePort();
  const proc = new ReceiverProcess(baseOptions(port, ws, { sources: launch }), quiet);
  try {
    const started = await proc.start();
    assert.equal(started.status.receiving, false, 'the embedded receiver is off');
    if (process.platform === 'linux') {
      const cmdline = readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8');
      assert.ok(cmdline.includes('--source=team metrics:prometheus='), cmdline);
      assert.ok(!cmdline.includes(SECRET), 'the secret is not in the child command line');
    }
    // A metrics source asks when the editor asks: the read API's answer drives it.
    const client = new ReadApiClient({ server: proc.endpoint, token: started.token });
    await until('the team source to be asked with its token', async () => {
      await client.signals({}).catch(() => undefined);
      return team.auth.includes(`Bearer ${SECRET}`) ? true : undefined;
    });
    const status = await until('both sources in the status', async () => {
      await client.signals({}).catch(() => undefined);
      const p = await probeReceiver(proc.endpoint, started.token);
      const s = p.kind === 'runtimeLens' ? (p.status as StatusResponse) : undefined;
      return s?.sources?.find((x) => x.name === 'locked')?.state === 'error' ? s : undefined;
    });
    const lockedRow = status.sources!.find((x) => x.name === 'locked')!;
    assert.match(lockedRow.error ?? '', /HTTP 401/);
    assert.ok(lockedRow.error!.includes(EDITOR_AUTH_HINT), lockedRow.error);
    assert.ok(
      locked.auth.every((a) => a === undefined),
      'the source without a stored secret sends none',
    );
    assert.equal(status.sources!.find((x) => x.name === 'team metrics')?.kind, 'prometheus');
  } finally {
    await proc.stop();
  }
});

test('with the receiver off and no source there is nothing to read: one line naming the fix, nothing spawned', async () => {
  const port = await freePort();
  const proc = new ReceiverProcess(baseOptions(port, '', { sources: sourceLaunch([], new Map(), false, ''), addSourceCommand: 'Runtime Lens: Add Telemetry Source…' }), quiet);
  await assert.rejects(
    proc.start(),
    /^Error: the embedded receiver is switched off \(runtimeLens\.receiver\.enabled\) and runtimeLens\.sources lists no backend: there is nothing to read; add one with "Runtime Lens: Add Telemetry Source…" or switch the receiver on$/,
  );
  assert.equal(proc.pid, undefined);
});
