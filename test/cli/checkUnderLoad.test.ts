/**
 * `runtime-lens check` gives the same answer however busy the machine is: the built CLI on a real
 * repository with AI-trailered commits, once quiet and once beside two processes spinning on the
 * CPU; a git that never answers for one file (a real binary on PATH) makes that file's authorship
 * "unknown" in every format, never human; a named file that is not analysed is said to be skipped.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertUsageError, cliPath, runCli } from '../support/harness';
import type { CliRun } from '../support/harness';
import { makeSlowGit } from '../support/slowGit';
import type { SlowGit } from '../support/slowGit';
import { makeRepo, removeTestRepos } from '../unit/analysis/attribution/gitRepo';
import type { TestRepo } from '../unit/analysis/attribution/gitRepo';

const CLAUDE = { trailer: 'Co-Authored-By: Claude <noreply@anthropic.com>' };
const COPILOT = { trailer: 'Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>' };

let repo: TestRepo;
let slow: SlowGit;

/** A module whose functions call fetch without a deadline and swallow what fails. */
function service(name: string, functions: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < functions; i++) {
    out.push(`async function ${name}${i}(url) {`, '  try {', `    const res = await fetch(url + '/${name}/${i}');`, '    return await res.json();', '  } catch (e) {}', '}', '');
  }
  out.push(`module.exports = { ${Array.from({ length: functions }, (_, i) => `${name}${i}`).join(', ')} };`);
  return out;
}

before(() => {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build it with \`node esbuild.config.mjs\``);
  repo = makeRepo();
  // Sixteen files in commits by agents and by a person, then a person editing an agent's file.
  for (let f = 0; f < 16; f++) {
    repo.write(`src/svc${f}.js`, service(`svc${f}`, 6));
    const by = f % 3 === 0 ? null : f % 3 === 1 ? CLAUDE : COPILOT;
    repo.commit(`Add svc${f}${by ? `\n\n${by.trailer}` : ''}`);
  }
  repo.write('src/svc1.js', [...service('svc1', 6), '', ...service('extra', 2)]);
  repo.commit('Add extra by hand');
  repo.write('src/slow.js', service('slow', 2));
  repo.commit(`Add slow\n\n${CLAUDE.trailer}`);
  repo.write('README.md', ['# Service']);
  writeFileSync(join(repo.dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  repo.commit('Docs');
  slow = makeSlowGit('blame', 'slow.js');
});
after(() => {
  removeTestRepos();
  slow.remove();
});

function check(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  return runCli(['check', ...args], { cwd: repo.dir, timeoutMs: 120_000, env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', ...env } });
}

/** Runs `body` while `n` processes spin on the CPU; they are killed after, whatever happens. */
function underCpuHog<T>(n: number, body: () => T): T {
  const hogs: ChildProcess[] = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  try {
    return body();
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
  }
}

describe('runtime-lens check under load', () => {
  it('gives the same findings and attributions on a quiet and on a loaded machine', () => {
    const args = [
      ['--all', '--format', 'json'],
      ['--format', 'json'],
    ];
    const quiet = args.map((a) => check(a));
    const loaded = underCpuHog(2, () => args.map((a) => check(a)));
    for (const [i, r] of quiet.entries()) {
      assert.equal(r.code, 1, r.stderr);
      assert.equal(loaded[i]!.code, 1, loaded[i]!.stderr);
      assert.deepEqual(JSON.parse(loaded[i]!.stdout), JSON.parse(r.stdout), `check ${args[i]!.join(' ')}`);
    }
    const all = JSON.parse(quiet[0]!.stdout) as { findings: { file: string; function: string; attribution: { ai: boolean | null; agent: string | null } }[]; authorshipUnknown?: unknown };
    // The scan saw what there is to see: agents' and people's functions, and no unknown authorship.
    assert.equal(all.authorshipUnknown, undefined);
    const byAi = (ai: boolean) => new Set(all.findings.filter((f) => f.attribution.ai === ai).map((f) => f.file));
    assert.ok(byAi(true).has('src/svc1.js') && byAi(true).has('src/svc2.js') && byAi(true).has('src/slow.js'));
    assert.ok(byAi(false).has('src/svc0.js') && byAi(false).has('src/svc1.js'), 'the hand-written extra functions in svc1.js are human');
    assert.deepEqual(new Set(all.findings.filter((f) => f.attribution.ai).map((f) => f.attribution.agent)), new Set(['Claude Code', 'GitHub Copilot']));
  });
});

describe('runtime-lens check when git blame never answers for a file', () => {
  const env = () => ({ PATH: slow.path });

  it('keeps its findings as "authorship unknown" in the text report, and says so in the summary', () => {
    const r = check(['--blame-timeout', '200', 'src/slow.js', 'src/svc2.js'], env());
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^src\/slow\.js:3:\d+ {2}warning {2}missing-timeout {2}slow0$/m);
    assert.match(r.stdout, /^ {4}authorship unknown · no timeout on fetch/m);
    assert.match(r.stdout, /^ {4}authorship unknown \(git blame timed out after \d+ ms\)$/m);
    assert.match(r.stdout, /^src\/svc2\.js:3:\d+ {2}warning {2}missing-timeout {2}svc20$/m);
    assert.match(r.stdout, /· authorship unknown in 1 file \(git failed; findings kept\)$/m);
    assert.match(r.stderr, /blame of src\/slow\.js failed: git blame timed out/);
  });

  it('writes attribution.ai null and lists the file under authorshipUnknown in JSON', () => {
    const r = check(['--blame-timeout', '200', '--format', 'json', 'src/slow.js'], env());
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { findings: { function: string; attribution: { ai: boolean | null; source: string } }[]; authorshipUnknown: { file: string; reason: string }[] };
    assert.deepEqual(report.findings.map((f) => f.function).sort(), ['slow0', 'slow0', 'slow1', 'slow1']);
    for (const f of report.findings) assert.equal(f.attribution.ai, null);
    assert.equal(report.authorshipUnknown.length, 1);
    assert.equal(report.authorshipUnknown[0]!.file, 'src/slow.js');
    assert.match(report.authorshipUnknown[0]!.reason, /^git blame timed out after \d+ ms$/);
  });

  it('adds a tool notification in SARIF', () => {
    const r = check(['--blame-timeout', '200', '--format', 'sarif', 'src/slow.js'], env());
    assert.equal(r.code, 1, r.stderr);
    const run = JSON.parse(r.stdout).runs[0];
    const notes = run.invocations[0].toolExecutionNotifications as { message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message.text, /^authorship unknown for src\/slow\.js \(git blame timed out after \d+ ms\); its findings are kept$/);
    assert.equal(notes[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'src/slow.js');
    assert.equal(run.results[0].properties.attribution.ai, null);
  });

  it('rejects a --blame-timeout that is not a number of milliseconds', () => {
    assertUsageError(check(['--blame-timeout', '0']), /--blame-timeout must be a whole number of milliseconds, got "0"/);
    assertUsageError(check(['--blame-timeout', '2s']), /--blame-timeout must be a whole number of milliseconds, got "2s"/);
  });
});

describe('runtime-lens check on files it does not analyse', () => {
  it('says each named file was skipped, and exits as for no findings', () => {
    const r = check(['README.md', 'logo.png']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, 'runtime-lens: skipped README.md: not an analysed language\nruntime-lens: skipped logo.png: not an analysed language\n');
    assert.equal(r.stdout, 'No findings in 0 files, 0 lines · AI-written functions only (--all for every function)\n');
  });

  it('says so beside the files it did analyse, whatever the format', () => {
    const r = check(['--format', 'json', 'README.md', 'src/svc2.js']);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, 'runtime-lens: skipped README.md: not an analysed language\n');
    assert.ok(JSON.parse(r.stdout).findings.length > 0);
  });
});
