import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { analyzeFile } from '../../../src/core/analysis/analyze';
import type { TextChange } from '../../../src/core/analysis/parser';
import { AnalysisClient, DocumentNotOpenError } from '../../../src/core/analysis/worker/analysisClient';
import { scanWorkspace } from '../../../src/core/analysis/workspaceScan';
import { makeRepo, removeTestRepos } from './attribution/gitRepo';

const temps: string[] = [];
after(() => {
  removeTestRepos();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const SOURCE = [
  "import axios from 'axios';",
  '',
  'export async function loadUser(id: string) {',
  '  const res = await fetch(`http://users/${id}`);',
  '  return res.json();',
  '}',
  '',
  'export async function loadPrice(sku: string) {',
  '  try {',
  '    return (await axios.get(`/price/${sku}`)).data;',
  '  } catch (err) {',
  '    return null;',
  '  }',
  '}',
  '',
].join('\n');

function apply(text: string, changes: readonly TextChange[]): string {
  return changes.reduce((t, c) => t.slice(0, c.start) + c.text + t.slice(c.end), text);
}

/** Rule and line of each finding, for comparing runs. */
const shape = (findings: readonly { rule: string; line: number; function: string }[]) => findings.map((f) => `${f.rule}@${f.line}:${f.function}`);

describe('AnalysisClient (the analysis worker thread)', () => {
  it('gives the findings of a full analysis, on open and after each edit, with the span each finding is attributed by', async () => {
    const client = new AnalysisClient();
    try {
      const opened = await client.open('src/api.ts', SOURCE);
      assert.ok(opened);
      assert.equal(opened.language, 'typescript');
      assert.deepEqual(shape(opened.findings), shape(await analyzeFile('src/api.ts', SOURCE)));
      assert.ok(opened.findings.length >= 3, shape(opened.findings).join(' '));
      assert.equal(opened.spans.length, opened.findings.length);
      const fetchAt = opened.findings.findIndex((f) => f.rule === 'missing-timeout' && f.function === 'loadUser');
      assert.deepEqual(opened.spans[fetchAt], { name: 'loadUser', startLine: 3, endLine: 6 });

      // add a timeout to loadUser's fetch, then a function without one
      const edits: ((text: string) => TextChange)[] = [
        (t) => {
          const at = t.indexOf('${id}`)') + '${id}`'.length;
          return { start: at, end: at, text: ', { signal: AbortSignal.timeout(2000) }' };
        },
        (t) => ({ start: t.length, end: t.length, text: 'export function ping() {\n  return fetch("http://ping");\n}\n' }),
      ];
      let text = SOURCE;
      let last = opened;
      for (const edit of edits) {
        const change = edit(text);
        text = apply(text, [change]);
        last = await client.update('src/api.ts', [change]);
        assert.deepEqual(shape(last.findings), shape(await analyzeFile('src/api.ts', text)));
      }
      assert.ok(
        last.findings.some((f) => f.function === 'ping'),
        'the new function is flagged',
      );
      assert.ok(!last.findings.some((f) => f.rule === 'missing-timeout' && f.function === 'loadUser'), 'the fixed fetch is no longer flagged');
    } finally {
      await client.dispose();
    }
  });

  it('says a document is not open (so the editor opens it again), and null for files it does not analyse', async () => {
    const client = new AnalysisClient();
    try {
      await assert.rejects(client.update('nowhere.ts', [{ start: 0, end: 0, text: 'x' }]), DocumentNotOpenError);
      assert.equal(await client.open('notes.txt', 'hello'), null);
      await client.open('a.ts', SOURCE);
      await client.close('a.ts');
      await assert.rejects(client.update('a.ts', []), DocumentNotOpenError);
    } finally {
      await client.dispose();
    }
  });

  it('applies new options to the open documents and to those opened later', async () => {
    const client = new AnalysisClient();
    try {
      await client.open('a.ts', SOURCE);
      const results = await client.configure({ severity: { 'missing-timeout': 'error' } });
      const a = results.get('a.ts');
      assert.ok(a);
      assert.deepEqual([...new Set(a.findings.filter((f) => f.rule === 'missing-timeout').map((f) => f.severity))], ['error']);
      const b = await client.open('b.ts', SOURCE);
      assert.deepEqual([...new Set(b!.findings.filter((f) => f.rule === 'missing-timeout').map((f) => f.severity))], ['error']);
    } finally {
      await client.dispose();
    }
  });

  it('scans a folder with progress, as the in-process scan does, and stops when cancelled', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rl-worker-scan-'));
    temps.push(root);
    mkdirSync(join(root, 'src'));
    for (let i = 0; i < 30; i++) writeFileSync(join(root, 'src', `m${i}.ts`), SOURCE);
    const client = new AnalysisClient();
    try {
      const progress: [number, number][] = [];
      const result = await client.scan({ root, all: true, attribute: true, onProgress: (done, total) => progress.push([done, total]) });
      const local = await scanWorkspace({ root, all: true });
      assert.equal(result.files, 30);
      assert.equal(result.lines, local.lines);
      assert.deepEqual(result.findings.map((f) => `${f.file}:${f.rule}@${f.line}`).sort(), local.findings.map((f) => `${f.file}:${f.rule}@${f.line}`).sort());
      assert.deepEqual(progress[0], [0, 30]);
      assert.deepEqual(progress.at(-1), [30, 30]);

      const controller = new AbortController();
      let seen = 0;
      const cancelled = client.scan({
        root,
        all: true,
        attribute: true,
        signal: controller.signal,
        onProgress: (done) => {
          seen = done;
          if (done === 3) controller.abort();
        },
      });
      await assert.rejects(cancelled, /abort/i);
      assert.ok(seen < 30, `the scan ran on to ${seen} files after the abort`);
      // the worker still answers after a cancelled scan
      assert.ok(await client.open('c.ts', SOURCE));
    } finally {
      await client.dispose();
    }
  });

  it('attributes an open document through git on the worker, and scans without git when told to', async () => {
    const repo = makeRepo();
    repo.write('src/orders.ts', ['export async function loadOrders(url: string) {', '  const res = await fetch(url);', '  return res.json();', '}']);
    repo.commit('Add order loading\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
    const client = new AnalysisClient();
    try {
      const text = readFileSync(join(repo.dir, 'src/orders.ts'), 'utf8');
      const opened = await client.open('src/orders.ts', text);
      assert.deepEqual(opened?.spans, [{ name: 'loadOrders', startLine: 1, endLine: 4 }]);
      const attributions = new Map(await client.attribute('src/orders.ts', join(repo.dir, 'src/orders.ts')));
      const loadOrders = attributions.get('loadOrders:1:4');
      assert.equal(loadOrders?.ai, true);
      assert.equal(loadOrders?.kind, 'commit-trailer');
      assert.equal(loadOrders?.agent, 'Claude Code');

      const attributed = await client.scan({ root: repo.dir, all: false, attribute: true });
      assert.deepEqual(
        attributed.findings.map((f) => `${f.function}:${f.attribution?.ai}`),
        ['loadOrders:true'],
      );
      // untrusted workspace: no git, so nothing is known to be AI-written, and with `all` nothing is attributed
      assert.deepEqual((await client.scan({ root: repo.dir, all: false, attribute: false })).findings, []);
      assert.deepEqual(
        (await client.scan({ root: repo.dir, all: true, attribute: false })).findings.map((f) => f.attribution),
        [null],
      );
    } finally {
      await client.dispose();
    }
  });

  it('starts a new worker when the old one dies: pending requests fail, documents must be opened again', async () => {
    const client = new AnalysisClient();
    try {
      await client.open('a.ts', SOURCE);
      const worker = (client as unknown as { worker: Worker }).worker;
      // A scan of this project's sources takes the worker a second or more: it is surely pending when
      // the worker dies (a one-line edit could be answered first, and an idle worker does not keep
      // the test's process alive while it terminates).
      const pending = client.scan({ root: join(__dirname, '..', '..', '..', 'src'), all: true, attribute: false });
      await worker.terminate();
      await assert.rejects(pending, /^Error: the analysis worker exited \(code 1\)$/);
      await assert.rejects(client.update('a.ts', []), DocumentNotOpenError);
      assert.ok(await client.open('a.ts', SOURCE));
    } finally {
      await client.dispose();
    }
  });

  it('does not keep a process alive once it has answered', () => {
    const script = `const { AnalysisClient } = require(${JSON.stringify(require.resolve('../../../src/core/analysis/worker/analysisClient'))});
new AnalysisClient().open('a.ts', 'export function f() { return fetch("x"); }').then((r) => console.log(r.findings.length));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), '1');
  });
});
