// The editor's shadow run child (src/vscode/shadow/shadowRunner.ts) against the real CLI (src/cli.ts through
// tsx): progress arrives as JSON lines, cancelling sends SIGINT and still yields the report of what was
// replayed, and a refused target fails with the CLI's one line. The traffic is a real HAR Chromium recorded
// from the shop service; the target is a loopback server that answers slowly, so a cancel lands mid-replay.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { shadowCliArgs } from '../../../src/core/shadow/shadowChoice';
import type { ShadowProgress } from '../../../src/core/shadow/shadowProgress';
import { runShadowCli } from '../../../src/core/client/shadowCliRunner';
import { repoRoot } from '../../support/harness';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../../support/shadowService';
import { shopPaths, recordShopTraffic } from '../../support/shadowTraffic';

const REQUESTS = 120;
let repo: ShadowServiceRepo;
let tmp: string;
let har: string;
let slow: Server;
let slowUrl: string;

before(async () => {
  repo = createShadowServiceRepo();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rl-shadow-runner-'));
  har = path.join(tmp, 'shop.har');
  // The runs keep their reports as the last run under XDG_CACHE_HOME: this test's folder, not the user's.
  process.env.XDG_CACHE_HOME = path.join(tmp, 'cache');
  await recordShopTraffic(repo.dir, shopPaths(REQUESTS), har);
  slow = createServer((_req, res) => setTimeout(() => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}'), 150));
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
});

after(async () => {
  slow?.closeAllConnections();
  await new Promise<void>((resolve) => (slow ? slow.close(() => resolve()) : resolve()));
  repo?.dispose();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function run(args: string[], signal?: AbortSignal, onProgress: (p: ShadowProgress) => void = () => {}) {
  const stderr: string[] = [];
  const outcome = runShadowCli({ cliPath: path.join(repoRoot, 'src', 'cli.ts'), execArgv: ['--import', 'tsx'], args, cwd: repo.dir, onProgress, onStderrLine: (l) => stderr.push(l), signal });
  return { outcome, stderr };
}

test('cancelling mid-replay sends SIGINT and still yields the report of what was replayed', { timeout: 120_000 }, async () => {
  const abort = new AbortController();
  const seen: ShadowProgress[] = [];
  const args = shadowCliArgs({ traffic: har, target: { kind: 'url', url: slowUrl }, baseline: { kind: 'none' }, budget: REQUESTS + 1 }, repo.dir);
  const { outcome, stderr } = run(args, abort.signal, (p) => {
    seen.push(p);
    if (p.phase === 'replay' && p.done >= 16) abort.abort();
  });
  const result = await outcome;
  assert.equal(result.kind, 'report', JSON.stringify(result));
  if (result.kind !== 'report') return;
  assert.equal(result.cancelled, true);
  const note = result.report.warnings.find((w) => w.startsWith('cancelled after '));
  assert.ok(note, JSON.stringify(result.report.warnings));
  const sent = Number(/^cancelled after (\d+) of/.exec(note)![1]);
  assert.ok(sent >= 16 && sent < REQUESTS, note);
  assert.ok(
    seen.some((p) => p.phase === 'replay' && p.total > 0),
    'replay progress arrived as JSON lines',
  );
  // JSON progress lines are progress only: none reaches the log.
  assert.ok(!stderr.some((l) => l.startsWith('{"phase"')));
});

test('a target that is not loopback fails with the CLI’s one line, and no report', { timeout: 60_000 }, async () => {
  const args = shadowCliArgs({ traffic: har, target: { kind: 'url', url: 'http://example.com:8080' }, baseline: { kind: 'none' }, budget: 10 }, repo.dir);
  const result = await run(args).outcome;
  assert.equal(result.kind, 'failed');
  if (result.kind !== 'failed') return;
  assert.equal(result.exitCode, 2);
  assert.equal(result.cancelled, false);
  assert.match(result.message, /example\.com.*--allow-host/);
  assert.ok(!result.message.includes('\n'));
});
