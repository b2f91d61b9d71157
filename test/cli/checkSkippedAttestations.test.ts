/**
 * `runtime-lens check` says how many git-ai attestation lines it skipped (keys with no record in
 * any note), in the text summary and the JSON report: the built CLI on a real repository whose
 * git-ai note names a session it holds no record for.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cliPath, runCli, type CliRun } from '../support/harness';
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

// As git-ai writes it: the second session has no record, so its lines are skipped, not AI.
const NOTE = [
  'src/orders.js',
  '  s_aaaaaaaaaaaaaa::t_00000000000001 1-4',
  '  s_bbbbbbbbbbbbbb::t_00000000000002 6-9',
  '---',
  JSON.stringify(
    { schema_version: 'authorship/3.0.0', git_ai_version: '1.4.0', base_commit_sha: '', prompts: {}, sessions: { s_aaaaaaaaaaaaaa: { agent_id: { tool: 'claude', id: 'x', model: 'claude-opus-4-7' } } } },
    null,
    2,
  ),
].join('\n');

let repo: TestRepo;

before(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  repo = makeRepo();
  repo.write('src/orders.js', ORDERS);
  repo.addNote(repo.commit('Add order sync'), NOTE);
});
after(removeTestRepos);

function check(args: string[]): CliRun {
  return runCli(['check', ...args], { cwd: repo.dir, timeoutMs: 60_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
}

describe('check counts skipped git-ai attestation lines', () => {
  it('in the text summary', () => {
    const r = check([]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^ {4}AI-written \(Claude Code \(claude-opus-4-7\), git-ai note\) · no timeout on fetch/m);
    assert.doesNotMatch(r.stdout, /syncInventory/, 'a session with no record does not make a function AI-written');
    assert.match(r.stdout, /· 1 git-ai attestation line skipped \(no record\)$/m);
  });

  it('in the JSON report', () => {
    const r = check(['--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { findings: { function: string }[]; skippedAttestations?: number };
    assert.deepEqual(
      report.findings.map((f) => f.function),
      ['loadOrders'],
    );
    assert.equal(report.skippedAttestations, 1);
  });
});
