import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SpanRecord } from '../../../src/core/ingest/records';
import { IngestPipeline } from '../../../src/core/sources/ingestPipeline';
import { DRIFT_MAX_PENDING, DRIFT_MAX_REVISIONS, GIT_MAX_IN_FLIGHT } from '../../../src/core/loadLimits';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { nodeGit, type GitPort } from '../../../src/core/mapping/git';
import { RevisionDrift } from '../../../src/core/mapping/revisionDrift';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { SignalStore } from '../../../src/core/signals/signalStore';
import { resource, span } from '../../support/records';

const GIT_ENV: Record<string, string> = {
  GIT_AUTHOR_NAME: 'Lens Test',
  GIT_AUTHOR_EMAIL: 'lens@example.invalid',
  GIT_COMMITTER_NAME: 'Lens Test',
  GIT_COMMITTER_EMAIL: 'lens@example.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CEILING_DIRECTORIES: tmpdir(),
};
const dir = mkdtempSync(join(tmpdir(), 'rl-revbounds-'));
let head = '';
after(() => rmSync(dir, { recursive: true, force: true }));
before(() => {
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/pay.ts'), 'export function charge(card: { amount: number }) {\n  return card.amount;\n}\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'first');
  head = git('rev-parse', 'HEAD');
});

/** Real git, counted: commands started, running now, most at once. Can hold commands until released. */
class CountedGit implements GitPort {
  started = 0;
  running = 0;
  maxRunning = 0;
  private held: (() => void)[] | null;
  private readonly real: GitPort;
  constructor(hold = false) {
    this.real = nodeGit(dir, { env: GIT_ENV });
    this.held = hold ? [] : null;
  }
  async run(args: string[]): Promise<string> {
    this.started++;
    this.running = this.running + 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      if (this.held !== null) await new Promise<void>((go) => this.held!.push(go));
      return await this.real.run(args);
    } finally {
      this.running--;
    }
  }
  /** Lets every held command run, and every later one at once. */
  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const go of held) go();
  }
}

const uniqueRevision = () => randomBytes(20).toString('hex');

/** Enough event-loop turns for anything that does not wait on git to finish (no wall-clock time). */
async function turns(n: number): Promise<string> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  return 'still waiting';
}

function codeSpan(revision: string): SpanRecord {
  return span({
    name: 'charge',
    resource: resource('pay', 'production', { revision }),
    code: { file: '/srv/app/src/pay.ts', line: 2, column: 0, function: 'charge', namespace: '', stacktrace: '' },
  });
}

describe('revision drift bounds its git work', () => {
  it('resolves a stream of unique revisions with a bounded number of git processes, once each, remembering a bounded number', async () => {
    const git = new CountedGit();
    const drift = new RevisionDrift(git);
    const revisions = Array.from({ length: 300 }, uniqueRevision);
    const infos = await Promise.all(revisions.map((r) => drift.resolve(r, '')));
    assert.ok(infos.every((i) => i.status === 'unknown' && i.reason.includes('is not in this clone')));
    assert.ok(git.maxRunning <= GIT_MAX_IN_FLIGHT, `${git.maxRunning} git processes ran at once`);
    // Two to read the repository (once), then one rev-parse per distinct revision.
    assert.ok(git.started <= 3 + revisions.length, `${git.started} git commands`);
    assert.equal(drift.gitCounters.started, git.started);
    assert.ok(drift.remembered <= DRIFT_MAX_REVISIONS, `${drift.remembered} revisions remembered`);
    // The most recent ones are answered from the cache.
    const before = git.started;
    await Promise.all(revisions.slice(-10).map((r) => drift.resolve(r, '')));
    assert.equal(git.started, before);
  });

  it('never asks git about implausible revisions', async () => {
    const git = new CountedGit();
    const drift = new RevisionDrift(git);
    for (const revision of ['--output=/tmp/x', 'HEAD..main', 'a b', 'f'.repeat(200), 'x;rm -rf /', '']) {
      const info = await drift.resolve(revision, '');
      assert.equal(info.status, 'unknown');
      assert.ok(info.reason.length < 200, 'a short reason');
    }
    assert.equal((await drift.resolve('', '1.0.0 beta')).status, 'unknown');
    assert.equal(git.started, 0, 'no git process for any of them');
  });

  it('files spans without waiting on git, and fills the drift in once git has answered', async () => {
    const git = new CountedGit(true);
    const drift = new RevisionDrift(git);
    const { index } = await WorkspaceIndex.build(dir);
    const store = new SignalStore();
    const pipeline = new IngestPipeline(store, new CodeMapper(index, drift), 1_000_000);

    // While git answers nothing, a stream of unique revisions is filed all the same.
    const batches = 100;
    for (let b = 0; b < batches; b++) pipeline.offer({ spans: [codeSpan(uniqueRevision()), codeSpan(uniqueRevision())], logs: [], rejected: 0, rejectReasons: [] });
    const outcome = await Promise.race([pipeline.idle().then(() => 'filed'), turns(200)]);
    assert.equal(outcome, 'filed', 'ingest waited on git');
    assert.equal(pipeline.stats.spansProcessed, 2 * batches);
    assert.ok(git.running > 0, 'git is still held');
    assert.ok(git.started <= GIT_MAX_IN_FLIGHT, `${git.started} git processes started`);
    assert.equal(drift.gitCounters.waiting + git.started <= DRIFT_MAX_PENDING + GIT_MAX_IN_FLIGHT, true);
    const early = store.query({ windowMs: 300_000 }).functions;
    assert.equal(early.length, 1);
    assert.equal(early[0].drift?.status, 'unknown', 'shown as unknown while git is asked');

    // git answers: the next span of a known revision carries the answer into the same entry.
    git.release();
    await drift.resolve(head, '');
    let f = early[0];
    while (f.drift?.status === 'unknown') {
      pipeline.offer({ spans: [codeSpan(head)], logs: [], rejected: 0, rejectReasons: [] });
      await pipeline.idle();
      f = store.query({ windowMs: 300_000 }).functions[0];
      if (f.drift?.status === 'unknown') await turns(5);
    }
    assert.equal(store.query({ windowMs: 300_000 }).functions.length, 1, 'one entry, its drift filled in');
    assert.deepEqual(f.drift, { deployed: head, status: 'same', behind: 0, ahead: 0, reason: '' });
    assert.ok(git.maxRunning <= GIT_MAX_IN_FLIGHT, `${git.maxRunning} git processes ran at once`);
    assert.ok(git.started <= 3 + 2 * batches + 1, `${git.started} git commands for ${2 * batches + 1} revisions`);
  });
});
