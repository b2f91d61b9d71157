// Traffic from Jaeger: the shop service (OpenTelemetry Node SDK) runs as "production" and exports each
// batch through an OTLP tee to both a real `runtime-lens serve` and a real Jaeger v2; a second `serve`
// reads only Jaeger (`--no-receiver --source jaeger=...`). The requests both servers give through
// `GET /api/traffic` must be the same ones, and `runtime-lens shadow --from` the Jaeger-backed server
// must replay them (the production statuses and the code mapping came through Jaeger too).
// Needs `bash scripts/setup-backends.sh`; fails with one line naming it when Jaeger is missing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningJaeger, startJaeger } from '../support/backends';
import { type StartedServer, startServer } from '../support/harness';
import { type OtlpTee, startOtlpTee } from '../support/otlpTee';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../support/shadowService';
import { assertOrderTraceWhole, assertReplaysFrom, makeShopRequests, readTraffic, requestKey as key, shopPaths, untilTrafficHeld } from '../support/shadowTraffic';

/** The shop's route mix once: one pull of Jaeger's (20 traces per service) takes them all. */
const PATHS = shopPaths(14);

let jaeger: RunningJaeger;
let repo: ShadowServiceRepo;
let receiver: StartedServer;
let viaJaeger: StartedServer;
let tee: OtlpTee;

const traffic = (server: StartedServer) => readTraffic(server.url);

before(async () => {
  jaeger = await startJaeger();
  repo = createShadowServiceRepo();
  receiver = await startServer({ workspace: repo.dir });
  tee = await startOtlpTee([receiver.url, jaeger.otlpHttpUrl]);
  await makeShopRequests(repo.dir, PATHS, tee.url);
  await untilTrafficHeld(receiver.url, PATHS, 'the receiver');
  viaJaeger = await startServer({ workspace: repo.dir, args: ['--no-receiver', '--source', `jaeger=${jaeger.queryUrl}`, '--source-refresh', '5s'] });
  await untilTrafficHeld(viaJaeger.url, PATHS, 'the server reading Jaeger');
});

after(async () => {
  await viaJaeger?.stop();
  await receiver?.stop();
  await tee?.close();
  await jaeger?.stop();
  repo?.dispose();
});

describe('runtime-lens shadow --from a server reading Jaeger', () => {
  it('gives the same requests through Jaeger as through the receiver, with their code mapping', async () => {
    const direct = await traffic(receiver);
    const pulled = await traffic(viaJaeger);
    assert.ok(direct.requests.length >= PATHS.length);
    assert.deepEqual(pulled.requests.map(key).sort(), direct.requests.map(key).sort());
    // The production trace came whole: the order's trace holds loadOrder, mapped to its file, and the call it made.
    assertOrderTraceWhole(pulled);
  });

  it('replays what Jaeger holds against the local build, and picks the requests through changed code first', async () => {
    const pulled = await traffic(viaJaeger);
    await assertReplaysFrom(viaJaeger.url, repo, pulled);
  });
});
