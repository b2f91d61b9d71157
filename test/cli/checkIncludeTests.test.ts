// `runtime-lens check` leaves test code out unless `--include-tests`: the built CLI on a real git repository.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cliPath, runCli, type CliRun } from '../support/harness';
import { makeRepo, removeTestRepos } from '../unit/analysis/attribution/gitRepo';
import type { TestRepo } from '../unit/analysis/attribution/gitRepo';

const GO = (pkg: string): string[] => [`package ${pkg}`, '', 'import "net/http"', '', 'func Load(u string) {', '\t_, _ = http.Get(u)', '}'];

let repo: TestRepo;
before(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  repo = makeRepo();
  repo.write('orders/orders.go', GO('orders'));
  repo.write('orders/orders_test.go', GO('orders'));
  repo.write('web/__tests__/load.ts', ['export async function load(url: string) {', '  return fetch(url);', '}']);
  repo.commit('Add orders\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
});
after(removeTestRepos);

function check(args: string[]): CliRun {
  return runCli(['check', '--format', 'json', ...args], { cwd: repo.dir, timeoutMs: 60_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

const files = (r: CliRun): string[] => [...new Set((JSON.parse(r.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file))].sort();

describe('runtime-lens check --include-tests', () => {
  it('leaves test code out by default', () => {
    const r = check([]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(files(r), ['orders/orders.go']);
  });

  it('analyses test code with --include-tests', () => {
    const r = check(['--include-tests']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(files(r), ['orders/orders.go', 'orders/orders_test.go', 'web/__tests__/load.ts']);
  });
});
