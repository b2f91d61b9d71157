/**
 * `serve --source tempo=... --source loki=...` end to end, against the strict Tempo and Loki
 * fixtures (Tempo and Loki are AGPL and not run here): the sources are built from the flags, answer
 * through the read API, and their rows say where they came from.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from '../support/backendSample';
import { getSignals, getStatus, startServer, type StartedServer } from '../support/harness';
import { LokiFixture } from '../support/lokiFixture';
import { ORDERS_FILE, tempoTraffic, type TempoTraffic } from '../support/tempoFixtureTraffic';

describe('serve reading Tempo and Loki', () => {
  let tempo: TempoTraffic;
  let loki: LokiFixture;
  let server: StartedServer;

  before(async () => {
    tempo = await tempoTraffic();
    loki = await LokiFixture.start();
    const now = Date.now();
    const stack = ['TypeError: card declined', `    at listOrders (${path.join(tempo.root, ORDERS_FILE)}:6:3)`, '    at processTicksAndRejections (node:internal/process/task_queues:95:5)'];
    loki.push(
      { service_name: 'orders', deployment_environment_name: 'production' },
      stack.map((line, i) => [`${now - 60_000 + i}000000`, line]),
    );
    server = await startServer({ workspace: tempo.root, args: ['--window', '15m', '--source', `tempo=${tempo.fixture.url}`, '--source', `loki=${loki.url}`, '--source-refresh', '5s'] });
  });

  after(async () => {
    await server?.stop();
    await loki?.stop();
    await tempo?.teardown();
  });

  it('lists both sources beside the embedded receiver and answers from them', async () => {
    const answer = await pollUntil(
      'createOrder from tempo and the logged TypeError from loki',
      async () => {
        const a = await getSignals(server.url, { window: '15m' });
        const create = a.functions.find((f) => f.function === 'createOrder');
        return create?.figures?.traffic.source === 'tempo' && a.errors.some((e) => e.figures?.source === 'loki') ? a : undefined;
      },
      60_000,
    );
    const create = answer.functions.find((f) => f.function === 'createOrder')!;
    assert.equal(create.file, ORDERS_FILE);
    assert.equal(create.count, 3);
    const logged = answer.errors.find((e) => e.figures?.source === 'loki')!;
    assert.deepEqual([logged.type, logged.file, logged.line, logged.function, logged.figures!.basis], ['TypeError', ORDERS_FILE, 6, 'listOrders', 'logs']);
    const status = await getStatus(server.url);
    assert.deepEqual(
      status.sources?.map((s) => [s.name, s.kind]),
      [
        ['embedded', 'embedded receiver'],
        ['tempo', 'tempo'],
        ['loki', 'loki'],
      ],
    );
    assert.equal(status.receiving, true);
  });
});
