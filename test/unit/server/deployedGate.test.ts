import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { SignalStore } from '../../../src/core/signals/signalStore';
import { hostileExportJson } from '../../support/hostileExport';
import { HOSTILE_REVISION, HOSTILE_VERSION } from '../../support/hostileText';
import { postTraces, nowNs } from '../../support/otlpJson';
import { resource, span, TestClock } from '../../support/records';

// The read API never answers a revision or version that is not plausibly one, from live
// telemetry (filed by the store, resolved against git) or from an old snapshot.
const root = mkdtempSync(path.join(os.tmpdir(), 'rl-deployed-gate-'));
after(() => rmSync(root, { recursive: true, force: true }));

function gitRepo(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_NOSYSTEM: '1', HOME: root },
    }).trim();
  mkdirSync(path.join(root, 'src'), { recursive: true });
  writeFileSync(path.join(root, 'src/shop.js'), 'function checkout(cart) {\n  return cart.total;\n}\n');
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'v1');
  return git('rev-parse', 'HEAD');
}

const EVIL = /evil\.example|\$\(bell\)|<img|\n\n/;

test('hostile revisions and versions sent over OTLP are never answered by /api/signals', async () => {
  const head = gitRepo();
  const rx = new EmbeddedReceiver({ port: 0, workspace: root });
  await rx.start();
  try {
    const url = rx.status().listening;
    const send = async (o: { revision?: string; version?: string; service: string }) => {
      const res = await postTraces(url, hostileExportJson({ file: '/app/src/shop.js', line: 2, environment: 'production', spans: 3, startNs: nowNs(), name: 'checkout', ...o }));
      assert.equal(res.status, 200);
    };
    await send({ service: 'hostile' });
    await send({ service: 'half', revision: head.slice(0, 12), version: HOSTILE_VERSION });
    await send({ service: 'fine', revision: head.slice(0, 12), version: 'v1.2.3' });
    await rx.pipeline.idle();
    const text = await (await fetch(`${url}/api/signals?window=5m`)).text();
    const body = JSON.parse(text) as SignalsResponse;
    const fn = (service: string) => body.functions.find((f) => f.service === service);
    const err = (service: string) => body.errors.find((e) => e.service === service);
    assert.equal(body.functions.length, 3, text);
    assert.equal(fn('hostile')?.deployed, undefined);
    assert.equal(err('hostile')?.deployed, undefined);
    assert.deepEqual(fn('half')?.deployed, { revision: head.slice(0, 12), version: '' });
    assert.deepEqual(err('half')?.deployed, { revision: head.slice(0, 12), version: '' });
    assert.deepEqual(fn('fine')?.deployed, { revision: head.slice(0, 12), version: 'v1.2.3' });
    // Nor does the drift of the hostile deployment quote it.
    assert.ok(!JSON.stringify(fn('hostile')?.drift ?? {}).includes('abc1234'), JSON.stringify(fn('hostile')?.drift));
    for (const f of body.functions) assert.doesNotMatch(JSON.stringify([f.deployed, f.drift]), EVIL);
    for (const e of body.errors) assert.doesNotMatch(JSON.stringify([e.deployed, e.drift]), EVIL);
  } finally {
    await rx.stop();
  }
});

test('a snapshot holding a hostile revision (written before the check existed) is not answered either', () => {
  const clock = new TestClock();
  const store = new SignalStore({}, clock);
  const loc = { file: 'src/shop.js', line: 1, function: 'checkout', mappedBy: 'code-attributes' as const, confidence: 0.95 };
  const res = resource('shop', 'production', { revision: 'v1.0.0', serviceVersion: '1.0.0' });
  store.recordSpan(span({ resource: res, startMs: clock.t - 1000 }), loc, '');
  store.recordException(res, { type: 'E', message: 'm', stacktrace: '', timeMs: clock.t - 1000 }, '', loc, 'k');
  const state = JSON.parse(JSON.stringify(store.toState()).replaceAll('"v1.0.0"', JSON.stringify(HOSTILE_REVISION)).replaceAll('"1.0.0"', JSON.stringify(HOSTILE_VERSION)));
  const restored = new SignalStore({}, clock);
  restored.restore(state);
  const answer = restored.query({ windowMs: 5 * 60_000 });
  assert.equal(answer.functions.length, 1);
  assert.equal(answer.functions[0].deployed, undefined);
  assert.equal(answer.errors[0].deployed, undefined);
});
