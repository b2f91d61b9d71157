/**
 * The team demo as a user runs it (`npm run demo:team`): the orders service exports to a real
 * OpenTelemetry Collector (spans to Jaeger, span metrics to Prometheus), and VS Code in the browser
 * reads Jaeger and Prometheus with its own receiver off. Headless chromium opens the printed URL and
 * checks that the CodeLens, the hover, the panel and the status bar show production figures read
 * from those two backends, and saves screenshots under test-results/e2e/.
 */
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startGroup, type StartedGroup } from '../../scripts/lib/processGroup';
import { launchChromium } from '../support/browser';
import { freePort } from '../support/demoWorkspace';
import { repoRoot } from '../support/harness';
import { frameWith, openFile, runCommand } from '../support/workbench';

const shots = path.join(repoRoot, 'test-results', 'e2e');
const LENS = /p50 ≈[\d.]+ (ms|s) · p95 ≈[\d.]+ (ms|s) · [\d.]+% errors · [\d.,]+\/min · 5m · production/;

let demo: StartedGroup;
let browser: Browser;
let page: Page;
let url: string;

before(async () => {
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  demo = await startGroup(process.execPath, ['--import', 'tsx', path.join('scripts', 'demo.ts'), '--team'], {
    name: 'demo-team',
    cwd: repoRoot,
    env: { ...process.env, DEMO_PORT: String(port) },
    logFile: path.join(shots, 'demo-team.log'),
    ready: /Demo ready: (http:\/\/\S+)/,
    // The first run packages the extension and may build the backends and install code-server.
    timeoutMs: 900_000,
  });
  url = demo.match[1]!;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

after(async () => {
  await page?.screenshot({ path: path.join(shots, 'team-last.png') }).catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await demo?.stop();
});

test('npm run demo:team shows production figures read from Jaeger and Prometheus', { timeout: 1_200_000 }, async () => {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await openFile(page, 'pricing.js');

  const lens = page.locator('.codelens-decoration', { hasText: LENS }).first();
  await lens.waitFor({ timeout: 180_000 });
  await page.screenshot({ path: path.join(shots, 'team-codelens-dark.png') });

  // Right after start the hover may rest on Jaeger's sample alone (and says so) until Prometheus has been
  // asked for that window: hover again until it shows figures of all traffic.
  const deadline = Date.now() + 120_000;
  let hoverText = '';
  for (;;) {
    await page.locator('.view-line', { hasText: 'async function computeQuote' }).locator('span', { hasText: 'computeQuote' }).last().hover();
    const hover = page.locator('.monaco-hover-content', { hasText: 'p95' }).first();
    await hover.waitFor({ timeout: 30_000 });
    hoverText = (await hover.textContent()) ?? '';
    if (/Figures from prometheus/.test(hoverText) || Date.now() > deadline) break;
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    await page.waitForTimeout(3_000);
  }
  assert.match(hoverText, /Figures from prometheus \(span metrics\)/);
  assert.match(hoverText, /errors from jaeger \(sampled, \d+ traces?\)/);
  assert.match(hoverText, /Percentiles interpolated in histogram buckets: p50 in .+ · p95 in .+ · p99 (in|above) /);
  await page.screenshot({ path: path.join(shots, 'team-hover-dark.png') });
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');

  await runCommand(page, 'Runtime Lens: Open Live Signals');
  const panel = await frameWith(page, '.src-name', 'the Live Signals panel never listed a source');
  const sources = await panel.locator('.src-name').allTextContents();
  assert.deepEqual(sources.map((s) => s.split(' ')[0]).sort(), ['jaeger', 'prometheus']);
  await panel.locator('.svc-name', { hasText: 'orders-service' }).first().waitFor({ timeout: 60_000 });
  const status =
    (await page
      .locator('.statusbar-item', { hasText: /2 sources/ })
      .first()
      .textContent()) ?? '';
  assert.match(status, /2 sources/);
  await page.screenshot({ path: path.join(shots, 'team-overview-dark.png') });
});
