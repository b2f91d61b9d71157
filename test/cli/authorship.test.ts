/**
 * `runtime-lens authorship` (issue 11 §4) as a user runs it: the built CLI on a real git repository
 * with an agent-trailered commit, a human one and an aider-authored one, joined with production
 * figures from a real receiver fed OTLP over HTTP.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { assertUsageError, cliPath, runCli, startServer, waitForProcessed, type CliRun, type StartedServer } from '../support/harness';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../support/otlpJson';
import { makeRepo, removeTestRepos, type TestRepo } from '../unit/analysis/attribution/gitRepo';

const ORDERS = ['async function loadOrders(url) {', '  const res = await fetch(url);', '  return res.json();', '}', '', 'function total(order) {', '  return order.items.length;', '}', ''];
const USERS = ['function loadUsers(db) {', '  return db.all();', '}', ''];
const BILLING = ['def charge(card, amount):', '    return card.debit(amount)', ''];

let repo: TestRepo;
let server: StartedServer | undefined;

before(async () => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  repo = makeRepo();
  repo.write('src/orders.js', ORDERS);
  repo.commit('Add orders\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  repo.write('src/users.js', USERS);
  repo.commit('Add users');
  repo.write('billing/charge.py', BILLING);
  repo.commit('Add billing', { name: 'Ada Lovelace (aider)', email: 'ada@example.com' });
  server = await startServer({ workspace: repo.dir });
  // loadOrders: 120 calls; loadUsers (human-written): 40 calls; total: none.
  const now = nowNs();
  const spans = [
    ...Array.from({ length: 120 }, (_, i): CodeSpan => ({ function: 'loadOrders', file: '/srv/app/src/orders.js', line: 2, startNs: now - BigInt(i) * 1_000_000_000n, durationMs: 20 })),
    ...Array.from(
      { length: 40 },
      (_, i): CodeSpan => ({ function: 'loadUsers', file: '/srv/app/src/users.js', line: 2, startNs: now - BigInt(i) * 1_000_000_000n, durationMs: 5, spanId: (i + 500).toString(16).padStart(16, 'c') }),
    ),
  ];
  assert.equal((await postTraces(server.url, codeSpansJson({ 'service.name': 'orders', 'deployment.environment.name': 'production' }, spans))).status, 200);
  await waitForProcessed(server.url, spans.length);
});
after(async () => {
  await server?.stop();
  removeTestRepos();
});

function authorship(args: string[]): CliRun {
  return runCli(['authorship', ...args], { cwd: repo.dir, timeoutMs: 60_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

describe('runtime-lens authorship', () => {
  it('lists every AI-written function, how we know and which agent, and none written by people', () => {
    const r = authorship(['--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { rows: { file: string; function: string; line: number; attribution: { agent?: string; kind: string; aiShare: number } }[]; files: number; functions: number };
    const rows = body.rows.map((x) => [x.file, x.function, x.line, x.attribution.agent, x.attribution.kind, x.attribution.aiShare]);
    assert.deepEqual(rows, [
      ['billing/charge.py', 'charge', 1, 'aider', 'commit-author', 1],
      ['src/orders.js', 'loadOrders', 1, 'Claude Code', 'commit-trailer', 1],
      ['src/orders.js', 'total', 6, 'Claude Code', 'commit-trailer', 1],
    ]);
    assert.equal(body.files, 3);
    assert.equal(body.functions, 4);
  });

  it('joins production figures, hottest first, and says how much traffic runs through AI-written code', () => {
    const r = authorship(['--signals', server!.url, '--window', '15m', '--summary']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(
      lines[0]!,
      /^src\/orders\.js:1 {2}loadOrders {2}AI-written \(Claude Code, trailer\) · Co-Authored-By trailer on [0-9a-f]{7} · 100% AI lines · confidence medium · p95 [\d.]+ ms, [\d.]+\/min in production$/,
    );
    assert.match(r.stdout, /^By agent:\n {2}Claude Code +2 functions, 7 AI lines, [\d.]+\/min\n {2}aider +1 function, 2 AI lines$/m);
    assert.match(r.stdout, /^By folder:\n {2}src +2 functions/m);
    // 120 of the 160 calls the receiver has for these functions run through loadOrders.
    assert.match(lines[lines.length - 1]!, /^3 AI-written functions in 3 files \(of 4 functions\) · 75% of production calls\/min run through them$/);
  });

  it('bad flags and an unreachable receiver are one-line usage errors', () => {
    assertUsageError(authorship(['--format', 'sarif']), /--format must be one of text, json, got "sarif"/);
    assertUsageError(authorship(['--window', '5m']), /--window needs --signals URL/);
    assertUsageError(authorship(['no/such/dir']), /no such file or folder: no\/such\/dir/);
    assertUsageError(authorship(['--signals', 'http://127.0.0.1:1']), /--signals: cannot reach http:\/\/127\.0\.0\.1:1/);
  });
});
