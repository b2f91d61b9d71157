/**
 * The shop of test/fixtures/shadow-service as an agent finds it: a real git repository (commit
 * `base`), the planted regressions and a new module committed by an AI agent (a Co-Authored-By
 * trailer) on top, and `findItem` removed in the working tree (production knows it by its base name);
 * production figures in an in-process receiver, fed real spans by the OpenTelemetry JS SDK.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { waitForProcessed } from '../../support/harness';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../../support/shadowService';
import { hrTime, makeSpans, sendSpans } from '../server/sdkSend';

/** The module the AI commit adds: a call with no timeout (a `missing-timeout` finding in AI-written code). */
const CARRIER = `'use strict';
// Carrier quotes from the carrier's API.

/** The carrier's quote for \`weight\` kg. */
async function carrierQuote(carrierUrl, weight) {
  const res = await fetch(\`\${carrierUrl}/internal/carrier?weight=\${weight}\`);
  return res.json();
}

module.exports = { carrierQuote };
`;

/** The traffic sent: per function, its calls, duration in ms, and how many failed. */
export const TRAFFIC = {
  loadOrder: { file: 'orders.js', line: 13, calls: 60, ms: 120, failures: 6 },
  quoteShipping: { file: 'shipping.js', line: 7, calls: 30, ms: 4, failures: 0 },
  findItem: { file: 'catalog.js', line: 28, calls: 40, ms: 2, failures: 0 },
  carrierQuote: { file: 'carrier.js', line: 5, calls: 12, ms: 30, failures: 0 },
} as const;

/** The repository, the receiver's read API URL, and how to stop both. */
export interface ShopProduction {
  repo: ShadowServiceRepo;
  url: string;
  receiver: EmbeddedReceiver;
  git(...args: string[]): string;
  dispose(): Promise<void>;
}

/** Builds the repository and the receiver, and sends the traffic (see TRAFFIC). */
export async function startShopProduction(): Promise<ShopProduction> {
  const repo = createShadowServiceRepo();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.invalid', ...args], { cwd: repo.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  repo.plantRegressions();
  writeFileSync(path.join(repo.dir, 'carrier.js'), CARRIER);
  git('add', 'carrier.js');
  git('commit', '-q', '-am', 'Faster orders, carrier quotes, receipts with names\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  // Removed in the working tree: production still calls it under its base name.
  const catalog = path.join(repo.dir, 'catalog.js');
  const text = readFileSync(catalog, 'utf8');
  const removed = text.replace(/\/\*\* One item by id, or undefined\. \*\/\nasync function findItem[\s\S]*?\n}\n/, '');
  if (removed === text) throw new Error('catalog.js no longer holds findItem as this setup expects');
  writeFileSync(catalog, removed);

  const receiver = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: repo.dir, decodeWorkers: 0, watchWorkspace: false });
  await receiver.start();
  await receiver.indexReady;
  const url = `http://127.0.0.1:${receiver.receiver.address()!.port}`;
  const now = Date.now() - 60_000;
  let sent = 0;
  const spans = makeSpans('shop', (tracer) => {
    for (const [name, t] of Object.entries(TRAFFIC)) {
      for (let i = 0; i < t.calls; i++) {
        const start = now + i * 500;
        const span = tracer.startSpan(name, {
          kind: SpanKind.INTERNAL,
          startTime: hrTime(start),
          attributes: { 'code.function.name': name, 'code.file.path': `/srv/shop/${t.file}`, 'code.line.number': t.line },
        });
        if (i < t.failures) {
          span.recordException({ name: 'FetchError', message: 'pricing service refused the connection' }, hrTime(start + 1));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end(hrTime(start + t.ms));
        sent++;
      }
    }
  });
  await sendSpans(url, spans);
  await waitForProcessed(url, sent);
  return {
    repo,
    url,
    receiver,
    git,
    async dispose() {
      await receiver.stop();
      repo.dispose();
    },
  };
}
