import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { assertUsageError, cliPath, runCli, startChild } from '../support/harness';
import { codeSpansJson, nowNs, postTraces } from '../support/otlpJson';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-tokens-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The test runner's environment without a token, so only what a test passes counts. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('RUNTIME_LENS_TOKEN' in extra)) delete env.RUNTIME_LENS_TOKEN;
  return env;
}

function tokenFile(name: string, content: string, mode = 0o600): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  chmodSync(file, mode);
  return file;
}

const listening = /^Runtime Lens receiver listening on (http:\/\/[^:]+:(\d+))$/;

test('a non-loopback --host without a token, and bad token files, are one-line usage errors', () => {
  const env = cleanEnv();
  assertUsageError(runCli(['serve', '--host', '0.0.0.0', '--port', '0'], { env }), /^runtime-lens: --host 0\.0\.0\.0 is not loopback, so a token is required .*--token-file FILE/);
  assertUsageError(runCli(['serve', '--host', '::', '--port', '0', '--read-token', 'r'], { env }), /--host :: is not loopback, so a token is required/);
  assertUsageError(runCli(['serve', '--port', '0', '--token-file', path.join(tmp, 'absent')], { env }), /--token-file .*absent: no such file/);
  assertUsageError(runCli(['serve', '--port', '0', '--read-token-file', tokenFile('empty', ' \n')], { env }), /--read-token-file .*empty: the file is empty/);
  assertUsageError(runCli(['serve', '--port', '0', '--read-token-file', tokenFile('shared', 'abc\n', 0o644)], { env }), /other users can access it \(mode 644\); chmod 600 it/);
  assertUsageError(runCli(['serve', '--port', '0', '--token', 'a', '--token-file', tokenFile('both', 'b')], { env }), /--token and --token-file are alternatives; give one/);
  assertUsageError(runCli(['serve', '--port', '0', '--read-token', ''], { env }), /--read-token is empty/);
});

test('--read-token-file guards reads (not ingest), stays out of the process list, and `signals --token` reads with it', async () => {
  const secret = 'f'.repeat(64);
  const file = tokenFile('read.token', `${secret}\n`);
  const server = await startChild(process.execPath, [cliPath, 'serve', '--host', '127.0.0.1', '--port', '0', '--read-token-file', file], { ready: listening, env: cleanEnv() });
  try {
    const url = server.match[1]!;
    assert.doesNotMatch(readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8'), new RegExp(secret), 'the token is not in the process list');
    const res = await postTraces(url, codeSpansJson({ 'service.name': 'orders' }, [{ function: 'createOrder', file: '/srv/src/orders.js', line: 2, startNs: nowNs(), durationMs: 3, error: true }]));
    assert.equal(res.status, 200, 'a local SDK sends without any token');

    const locked = await fetch(`${url}/api/status`);
    assert.equal(locked.status, 401);
    assert.equal(locked.headers.get('x-runtime-lens'), '0.1.0');
    assert.doesNotMatch(await locked.text(), /spansAccepted/);
    assert.equal((await fetch(`${url}/api/signals?window=5m`)).status, 401);

    const auth = { Authorization: `Bearer ${secret}` };
    let processed = 0;
    for (let i = 0; i < 200 && processed < 1; i++) {
      const open = await fetch(`${url}/api/status`, { headers: auth });
      assert.equal(open.status, 200);
      processed = ((await open.json()) as { spansProcessed: number }).spansProcessed;
      if (processed < 1) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(processed, 1);
    const printed = runCli(['signals', '--server', url, '--json', '--token', secret], { env: cleanEnv() });
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal((JSON.parse(printed.stdout) as { operations: { count: number }[] }).operations[0]?.count, 1);
    // The client commands read the token from a file too, so it stays out of their process list as well.
    const fromFile = runCli(['signals', '--server', url, '--json', '--token-file', file], { env: cleanEnv() });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal((JSON.parse(fromFile.stdout) as { operations: { count: number }[] }).operations[0]?.count, 1);
    const refused = runCli(['signals', '--server', url, '--json'], { env: cleanEnv() });
    assert.equal(refused.code, 2, 'without the token the read is refused');
    const checked = runCli(['check', tmp, '--signals', url, '--token-file', file, '--format', 'json'], { env: cleanEnv() });
    assert.equal(checked.code, 0, checked.stderr);
    assertUsageError(runCli(['check', tmp, '--token-file', file], { env: cleanEnv() }), /--token and --token-file need --signals URL/);
  } finally {
    await server.stop();
  }
});

test('a wildcard --host with a token (file or RUNTIME_LENS_TOKEN) starts, and every request needs it', async () => {
  for (const how of ['file', 'env'] as const) {
    const args = [cliPath, 'serve', '--host', '0.0.0.0', '--port', '0'];
    if (how === 'file') args.push('--token-file', tokenFile('wild.token', 'wild-secret'));
    const server = await startChild(process.execPath, args, { ready: listening, env: cleanEnv(how === 'env' ? { RUNTIME_LENS_TOKEN: 'wild-secret' } : {}) });
    try {
      const url = `http://127.0.0.1:${server.match[2]}`;
      // The warning follows the ready line on another stream: poll for it rather than race it.
      for (let i = 0; i < 100 && !/warning: listening on 0\.0\.0\.0/.test(server.stderr()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(server.stderr(), /warning: listening on 0\.0\.0\.0: other machines can reach the receiver; every request needs the token/);
      const body = codeSpansJson({ 'service.name': 'orders' }, [{ function: 'f', file: '/srv/a.js', line: 1, startNs: nowNs(), durationMs: 1 }]);
      assert.equal((await postTraces(url, body)).status, 401, how);
      assert.equal((await fetch(`${url}/api/status`)).status, 401, how);
      assert.equal((await fetch(`${url}/api/status`, { headers: { Authorization: 'Bearer wild-secret', Host: 'build-box.lan' } })).status, 200, how);
    } finally {
      await server.stop();
    }
  }
});
