/**
 * The built CLI prints telemetry (span names, services, environments, messages) without the
 * terminal control sequences a sender put in them: `signals` as a table and as JSON, and `check`'s
 * text report with production figures, against a real `serve` fed OTLP/JSON over HTTP.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cliPath, runCli, startServer, waitForProcessed, type StartedServer } from '../support/harness';
import { hostileExportJson } from '../support/hostileExport';
import { HOSTILE_NAME, UNSAFE_CHARS } from '../support/hostileText';
import { nowNs, postTraces } from '../support/otlpJson';
import { makeRepo, removeTestRepos, type TestRepo } from '../unit/analysis/attribution/gitRepo';

const ENVIRONMENT = 'prod\u001b]0;pwned\u0007\u001b[8m\u202e';
const SOURCE = ['async function syncInventory(url) {', "  const res = await fetch(url, { method: 'POST' });", '  return res.ok;', '}', '', 'module.exports = { syncInventory };'];

let repo: TestRepo;
let server: StartedServer | undefined;

before(async () => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  repo = makeRepo();
  repo.write('src/orders.js', SOURCE);
  repo.commit('Add order sync\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  server = await startServer({ workspace: repo.dir });
  const startNs = nowNs() - 10_000_000_000n;
  // Mapped spans under a hostile span name, service and environment; the same name for syncInventory.
  const hostile = hostileExportJson({ file: '/srv/app/src/orders.js', line: 2, environment: ENVIRONMENT, spans: 20, startNs });
  const named = hostileExportJson({ file: '/srv/app/src/orders.js', line: 2, environment: ENVIRONMENT, spans: 20, startNs, service: 'orders', name: 'syncInventory' });
  for (const body of [hostile, named]) assert.equal((await postTraces(server.url, body)).status, 200);
  await waitForProcessed(server.url, 40);
});

after(async () => {
  await server?.stop();
  removeTestRepos();
});

function cli(args: string[]) {
  return runCli(args, { cwd: repo.dir, timeoutMs: 60_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

describe('terminal output of hostile telemetry', () => {
  it('signals prints the table without control or bidi characters, the text still readable', () => {
    const r = cli(['signals', '--server', server!.url, '--window', '15m', '--environment', ENVIRONMENT]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pay\$\(bell\)/, r.stdout);
    assert.doesNotMatch(r.stdout, UNSAFE_CHARS, JSON.stringify(r.stdout));
    assert.doesNotMatch(r.stdout, /\r/);
  });

  it('signals --json is the same data with C1 and bidi characters escaped', () => {
    const r = cli(['signals', '--server', server!.url, '--window', '15m', '--environment', ENVIRONMENT, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, UNSAFE_CHARS, JSON.stringify(r.stdout.slice(0, 2000)));
    const body = JSON.parse(r.stdout);
    // The row is named by the definition (syncInventory); the span name stays the operation's, exactly.
    assert.ok(
      body.operations.some((o: { name: string }) => o.name === HOSTILE_NAME),
      'the JSON keeps the exact span name',
    );
    assert.ok(
      body.functions.some((f: { service: string }) => f.service === HOSTILE_NAME),
      'the JSON keeps the exact service name',
    );
  });

  it('check prints its text report with the production environment and no control characters', () => {
    const r = cli(['check', '--signals', server!.url, '--window', '15m']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /syncInventory/);
    assert.match(r.stdout, /in prod\]0;pwned\[8m/, r.stdout);
    assert.doesNotMatch(r.stdout, UNSAFE_CHARS, JSON.stringify(r.stdout));
  });
});
