/**
 * `runtime-lens check` as CI runs it: the built CLI on real git repositories in temp folders
 * (an AI-written commit and a human one with the same problem), joined with production figures
 * from a real receiver (`dist/cli.js serve`) fed OTLP over HTTP; every format, every exit code.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { assertUsageError, cliPath, runCli, startServer, waitForProcessed, type CliRun } from '../support/harness';
import type { StartedServer } from '../support/harness';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../support/otlpJson';
import { makeRepo, removeTestRepos } from '../unit/analysis/attribution/gitRepo';
import type { TestRepo } from '../unit/analysis/attribution/gitRepo';

const ORDERS = [
  'async function loadOrders(url) {',
  '  const res = await fetch(url);',
  '  return res.json();',
  '}',
  '',
  'async function syncInventory(url) {',
  "  const res = await fetch(url, { method: 'POST' });",
  '  return res.ok;',
  '}',
  '',
  'module.exports = { loadOrders, syncInventory };',
];
const USERS = ['async function loadUsers(url) {', '  const res = await fetch(url);', '  return res.json();', '}', '', 'module.exports = { loadUsers };'];

let repo: TestRepo;
let aiSha = '';

before(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  repo = makeRepo();
  repo.write('src/orders.js', ORDERS);
  aiSha = repo.commit('Add order sync\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  repo.write('src/users.js', USERS);
  repo.commit('Add users');
});
after(removeTestRepos);

function check(args: string[], cwd = repo.dir): CliRun {
  return runCli(['check', ...args], { cwd, timeoutMs: 60_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

function assertCheckUsageError(r: CliRun, pattern: RegExp): void {
  assertUsageError(r, pattern);
  assert.equal(r.stdout, '');
}

describe('runtime-lens check on a repository', () => {
  it('reports the AI-written functions only, as text, and exits 1', () => {
    const r = check([]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^src\/orders\.js:2:21 {2}warning {2}missing-timeout {2}loadOrders$/m);
    assert.match(r.stdout, /^ {4}AI-written \(Claude Code, trailer\) · no timeout on fetch \(no AbortSignal\)$/m);
    assert.match(r.stdout, new RegExp(`^ {4}Co-Authored-By trailer on ${aiSha.slice(0, 7)} \\(confidence medium\\)$`, 'm'));
    assert.match(r.stdout, /^src\/orders\.js:7:21 {2}warning {2}missing-timeout {2}syncInventory$/m);
    assert.doesNotMatch(r.stdout, /users\.js/);
    assert.match(r.stdout, /^2 findings \(2 warnings\) in 2 files, 17 lines · AI-written functions only \(--all for every function\)$/m);
  });

  it('with --all reports the human-written function too, as not AI', () => {
    const r = check(['--all', '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const { findings } = JSON.parse(r.stdout);
    assert.deepEqual(
      findings.map((f: { file: string; function: string }) => `${f.file} ${f.function}`),
      ['src/orders.js loadOrders', 'src/orders.js syncInventory', 'src/users.js loadUsers'],
    );
    assert.equal(findings[2].attribution.ai, false);
    assert.equal(findings[2].message, 'no timeout on fetch (no AbortSignal)');
  });

  it('writes the JSON contract', () => {
    const r = check(['--format', 'json', 'src']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(report.findings[0], {
      rule: 'missing-timeout',
      file: 'src/orders.js',
      line: 2,
      endLine: 2,
      function: 'loadOrders',
      message: 'AI-written (Claude Code, trailer) · no timeout on fetch (no AbortSignal)',
      severity: 'warning',
      confidence: 'high',
      attribution: { ai: true, source: `Co-Authored-By trailer on ${aiSha.slice(0, 7)}`, agent: 'Claude Code', model: null, commit: aiSha.slice(0, 7), confidence: 'medium' },
      production: null,
    });
  });

  it('writes SARIF to --output with repo-relative locations, from a subfolder too', () => {
    const out = join(repo.dir, 'reports', 'check.sarif');
    const r = check(['--format', 'sarif', '--output', out, '.'], join(repo.dir, 'src'));
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '', 'the report goes to the file');
    assert.match(r.stderr, /2 findings \(2 warnings\) in 2 files, 17 lines .*; sarif report written to /);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0];
    assert.equal(run.tool.driver.name, 'Runtime Lens');
    assert.equal(run.tool.driver.rules.length, 6);
    assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${repo.dir}/`);
    assert.deepEqual(
      run.results.map((x: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: unknown; region: { startLine: number } } }[] }) => [
        x.ruleId,
        x.level,
        x.locations[0]!.physicalLocation.artifactLocation,
        x.locations[0]!.physicalLocation.region.startLine,
      ]),
      [
        ['missing-timeout', 'warning', { uri: 'src/orders.js', uriBaseId: '%SRCROOT%' }, 2],
        ['missing-timeout', 'warning', { uri: 'src/orders.js', uriBaseId: '%SRCROOT%' }, 7],
      ],
    );
    assert.equal(run.results[0].properties.attribution.agent, 'Claude Code');
  });

  it('exits 0 when nothing is at or above --fail-on, and when there is nothing at all', () => {
    assert.equal(check(['--fail-on', 'error']).code, 0);
    assert.equal(check(['--fail-on', 'warning']).code, 1);
    assert.equal(check(['--fail-on', 'note']).code, 1);
    const clean = check(['src/users.js']);
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, 'No findings in 1 file, 6 lines · AI-written functions only (--all for every function)\n');
    assert.deepEqual(JSON.parse(check(['--format', 'json', 'src/users.js']).stdout), { findings: [] });
  });

  it('exits 2 with one line on usage errors', async () => {
    assertCheckUsageError(check(['--format', 'xml']), /--format must be one of text, json, sarif, got "xml"/);
    assertCheckUsageError(check(['--fail-on', 'critical']), /--fail-on must be one of error, warning, note, got "critical"/);
    assertCheckUsageError(check(['no/such/dir']), /no such file or folder: no\/such\/dir/);
    assertCheckUsageError(check(['--bogus']), /Unknown option '--bogus'/);
    assertCheckUsageError(check(['--window', '5m']), /--window needs --signals URL/);
    assertCheckUsageError(check(['--signals', 'http://127.0.0.1:1', '--window', '7x']), /--window: invalid window "7x"/);
    assertCheckUsageError(check(['--signals', 'not a url']), /--signals: not a URL: "not a url"/);
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    assertCheckUsageError(check(['--signals', `http://127.0.0.1:${port}`]), new RegExp(`--signals: cannot reach http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  });
});

describe('runtime-lens check --signals against a receiver', () => {
  let server: StartedServer | undefined;

  before(async () => {
    server = await startServer({ workspace: repo.dir });
    // syncInventory is hot in production: 200 calls, most of them slow; loadOrders has no traffic
    const now = nowNs();
    const spans = Array.from(
      { length: 200 },
      (_, i): CodeSpan => ({
        function: 'syncInventory',
        file: '/srv/app/src/orders.js',
        line: 7,
        startNs: now - BigInt(i) * 1_000_000_000n,
        durationMs: i < 20 ? 50 : 2300,
        error: i % 10 === 0,
      }),
    );
    const res = await postTraces(server.url, codeSpansJson({ 'service.name': 'orders', 'deployment.environment.name': 'production' }, spans));
    assert.equal(res.status, 200);
    await waitForProcessed(server.url, 200);
  });
  after(async () => server?.stop());

  it('ranks the hot function first and says what it does in production', () => {
    const r = check(['--signals', server!.url, '--window', '15m', '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const [hot, cold] = JSON.parse(r.stdout).findings;
    assert.equal(hot.function, 'syncInventory', 'hot code first, though it comes later in the file');
    assert.equal(hot.production.count, 200);
    assert.equal(hot.production.window, '15m');
    assert.equal(hot.production.environment, 'production');
    assert.equal(hot.production.errorRate, 0.1);
    assert.ok(hot.production.p95Ms >= 2000 && hot.production.p95Ms <= 2600, `p95 ${hot.production.p95Ms}`);
    assert.ok(hot.production.impact > hot.production.ratePerMin * hot.production.p95Ms, 'errors add to the impact');
    assert.match(hot.message, /^AI-written \(Claude Code, trailer\) · no timeout on fetch \(no AbortSignal\) · p95 2\.\d s, [\d.]+\/min, 10% errors in production$/);
    assert.equal(cold.function, 'loadOrders');
    assert.equal(cold.production, null);
  });

  it('puts the figures in the text and SARIF reports too', () => {
    const text = check(['--signals', server!.url, '--window', '15m']);
    assert.equal(text.code, 1, text.stderr);
    assert.match(text.stdout.split('\n')[0]!, /^src\/orders\.js:7:21 {2}warning {2}missing-timeout {2}syncInventory$/);
    assert.match(text.stdout.split('\n')[1]!, /· p95 2\.\d s, [\d.]+\/min, 10% errors in production$/);
    const sarif = JSON.parse(check(['--signals', server!.url, '--window', '15m', '--format', 'sarif']).stdout);
    const first = sarif.runs[0].results[0];
    assert.equal(first.locations[0].physicalLocation.region.startLine, 7);
    assert.equal(first.properties.production.count, 200);
  });
});
