import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listAuthorship } from '../../../src/core/analysis/authorship';
import { AnalysisClient } from '../../../src/core/analysis/worker/analysisClient';
import { fnLines, makeRepo, removeTestRepos } from './attribution/gitRepo';

after(() => removeTestRepos());

describe('AnalysisClient authorship (AI-written functions, listed on the worker)', () => {
  it('lists the AI-written functions of a folder as the in-process listing does, with progress and without figures', async () => {
    const repo = makeRepo();
    repo.write('src/orders.ts', [...fnLines('loadOrders', ['return 1;']), '']);
    repo.commit('Orders');
    repo.write('src/shipping.ts', [...fnLines('quoteShipping', ['return fetch("http://carrier/quote");']), ...fnLines('packParcel', ['return 2;'])]);
    repo.commit('Add shipping quotes\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    const client = new AnalysisClient();
    try {
      const progress: [number, number][] = [];
      const rows = await client.authorship({ root: repo.dir, onProgress: (done, total) => progress.push([done, total]) });
      assert.deepEqual(
        rows.map((r) => `${r.file}:${r.function}:${r.line}-${r.endLine}`),
        ['src/shipping.ts:quoteShipping:1-3', 'src/shipping.ts:packParcel:4-6'],
      );
      assert.equal(rows[0]!.attribution.agent, 'Claude Code');
      assert.equal(rows[0]!.attribution.kind, 'commit-trailer');
      assert.ok(
        rows.every((r) => r.production === undefined),
        'figures are joined by the editor, not the worker',
      );
      const local = await listAuthorship({ paths: [repo.dir], root: repo.dir });
      assert.deepEqual(rows, local.rows);
      assert.deepEqual(progress[0], [0, 2]);
      assert.deepEqual(progress.at(-1), [2, 2]);
    } finally {
      await client.dispose();
    }
  });

  it('stops when cancelled, and the worker answers afterwards', async () => {
    const repo = makeRepo();
    for (let i = 0; i < 30; i++) repo.write(`src/m${i}.ts`, fnLines(`f${i}`, ['return 1;']));
    repo.commit('Modules\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    const client = new AnalysisClient();
    try {
      const controller = new AbortController();
      let seen = 0;
      const cancelled = client.authorship({
        root: repo.dir,
        signal: controller.signal,
        onProgress: (done) => {
          seen = done;
          if (done === 3) controller.abort();
        },
      });
      await assert.rejects(cancelled, /abort/i);
      assert.ok(seen < 30, `the listing ran on to ${seen} files after the abort`);
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(client.authorship({ root: repo.dir, signal: aborted.signal }), /abort/i);
      assert.equal((await client.authorship({ root: repo.dir })).length, 30);
    } finally {
      await client.dispose();
    }
  });
});
