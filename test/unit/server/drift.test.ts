import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import type { SignalsResponse } from '../../../src/core/api/signals';
import { codeSpansJson, nowNs, postTraces } from '../../support/otlpJson';

const root = mkdtempSync(path.join(os.tmpdir(), 'rl-drift-'));
after(() => rmSync(root, { recursive: true, force: true }));

const git = (...args: string[]) =>
  execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e', GIT_CONFIG_NOSYSTEM: '1', HOME: root },
  }).trim();

test('signals of an older deployment are carried to the local lines and say how far behind it is', async () => {
  mkdirSync(path.join(root, 'src'));
  const v1 = 'function a() {\n  return 1;\n}\n\nfunction checkout(cart) {\n  return cart.total;\n}\n';
  writeFileSync(path.join(root, 'src/shop.js'), v1);
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'v1');
  const deployed = git('rev-parse', 'HEAD');
  writeFileSync(path.join(root, 'src/shop.js'), `// header\n// more header\n\n${v1}`);
  git('commit', '-qam', 'add header');

  const rx = new EmbeddedReceiver({ port: 0, workspace: root });
  await rx.start();
  try {
    const body = codeSpansJson({ 'service.name': 'shop', 'vcs.ref.head.revision': deployed.slice(0, 12) }, [{ function: 'checkout', file: '/app/src/shop.js', line: 5, startNs: nowNs(), durationMs: 1 }]);
    const signals = async () => (await (await fetch(`${rx.status().listening}/api/signals?window=5m`)).json()) as SignalsResponse;
    assert.equal((await postTraces(rx.status().listening, body)).status, 200);
    await rx.pipeline.idle();
    // Ingest never waits on git: the first spans are filed as reported, their drift still unknown.
    const early = (await signals()).functions;
    assert.equal(early.length, 1);
    assert.equal(early[0].drift?.status, 'unknown');
    assert.equal(early[0].deployedLine, undefined);
    // Once git has answered, spans are carried (bounded by the test's timeout).
    let f = early[0];
    while (f.line !== 8) {
      assert.equal((await postTraces(rx.status().listening, body)).status, 200);
      await rx.pipeline.idle();
      f = (await signals()).functions.find((g) => g.line === 8) ?? f;
      if (f.line !== 8) await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(f.file, 'src/shop.js');
    assert.equal(f.deployedLine, 5, 'as the deployment reported it');
    assert.equal(f.line, 8, 'carried across the three inserted lines');
    assert.deepEqual(f.drift, { deployed: deployed.slice(0, 12), status: 'drifted', behind: 1, ahead: 0, reason: '' });
  } finally {
    await rx.stop();
  }
});
