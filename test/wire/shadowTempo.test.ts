// Traffic from Tempo: the shop service (OpenTelemetry Node SDK) runs as "production" and exports each
// batch through an OTLP tee to both a real `runtime-lens serve` and the strict Tempo fixture (Tempo is
// AGPL: never built or run here; the fixture takes the SDK's OTLP/HTTP protobuf as Tempo's distributor
// does); a second `serve` reads only the fixture (`--no-receiver --source tempo=...`). The requests
// both servers give through `GET /api/traffic` must be the same ones, and `runtime-lens shadow --from`
// the Tempo-backed server must replay them (the production statuses and the code mapping came
// through Tempo's search and trace-by-id answers too).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StartedServer, startServer } from '../support/harness';
import { type OtlpTee, startOtlpTee } from '../support/otlpTee';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../support/shadowService';
import { assertOrderTraceWhole, assertReplaysFrom, makeShopRequests, readTraffic, requestKey, untilTrafficHeld } from '../support/shadowTraffic';
import { TempoFixture } from '../support/tempoFixture';

/**
 * One request per route the replay checks. The Tempo source takes at most 5 traces per search (the
 * newest; its default, two searches a minute) and each later search reaches back only 30 s before
 * the last, so an older trace it did not take is never taken: production's traffic is sized to one
 * search, these 4 requests and the `/health` that startShop waits on.
 */
const PATHS = ['/api/items', '/api/orders/10', '/api/quote?sku=apple&qty=3', '/api/stock/apple'];
const TRACES_PER_SEARCH = 5;

let tempo: TempoFixture;
let repo: ShadowServiceRepo;
let receiver: StartedServer;
let viaTempo: StartedServer;
let tee: OtlpTee;

before(async () => {
  tempo = new TempoFixture();
  await tempo.start();
  repo = createShadowServiceRepo();
  receiver = await startServer({ workspace: repo.dir });
  tee = await startOtlpTee([receiver.url, tempo.url]);
  await makeShopRequests(repo.dir, PATHS, tee.url);
  await untilTrafficHeld(receiver.url, PATHS, 'the receiver');
  assert.equal(tempo.traces.size, TRACES_PER_SEARCH, `the fixture holds ${tempo.traces.size} traces; PATHS is sized for one search of ${TRACES_PER_SEARCH}`);
  viaTempo = await startServer({ workspace: repo.dir, args: ['--no-receiver', '--source', `tempo=${tempo.url}`, '--source-refresh', '5s'] });
  await untilTrafficHeld(viaTempo.url, PATHS, 'the server reading Tempo');
});

after(async () => {
  await viaTempo?.stop();
  await receiver?.stop();
  await tee?.close();
  await tempo?.stop();
  repo?.dispose();
});

describe('runtime-lens shadow --from a server reading Tempo', () => {
  it('gives the same requests through Tempo as through the receiver, with their code mapping', async () => {
    const direct = await readTraffic(receiver.url);
    const pulled = await readTraffic(viaTempo.url);
    assert.ok(direct.requests.length >= PATHS.length);
    assert.deepEqual(pulled.requests.map(requestKey).sort(), direct.requests.map(requestKey).sort());
    // Tempo was searched and asked for traces by id, not sent anything by the second server.
    assert.ok(tempo.requests.some((r) => r.path === '/api/search' && r.status === 200));
    assert.ok(tempo.requests.some((r) => r.path.startsWith('/api/v2/traces/') && r.status === 200));
    // The production trace came whole: the order's trace holds loadOrder, mapped to its file, and the call it made.
    assertOrderTraceWhole(pulled);
  });

  it('replays what Tempo holds against the local build, and picks the requests through changed code first', async () => {
    const pulled = await readTraffic(viaTempo.url);
    await assertReplaysFrom(viaTempo.url, repo, pulled);
  });
});
