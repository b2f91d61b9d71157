/**
 * The browser tier: runs the demo exactly as `npm start` does (build, package, code-server with
 * the .vsix installed, the orders service under load), opens the printed URL in headless
 * chromium, reads the CodeLens from the page, hovers the slow function, opens the Live Signals
 * panel and the Production risk view, and saves screenshots in the dark and the light theme
 * under test-results/e2e/.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startGroup, type StartedGroup } from '../../scripts/lib/processGroup';
import { launchChromium } from '../support/browser';
import { demoDiagnosis } from '../support/demoDiagnosis';
import { freePort } from '../support/demoWorkspace';
import { repoRoot } from '../support/harness';
import { frameWith, openFile, runCommand } from '../support/workbench';

const shots = path.join(repoRoot, 'test-results', 'e2e');
const LENS = /p50 [\d.]+ (ms|s) · p95 [\d.]+ (ms|s) · [\d.]+% errors · [\d.,]+\/min · 5m · production/;

let demo: StartedGroup;
let browser: Browser;
let page: Page;
let url: string;
let readyAt = 0;

before(async () => {
  mkdirSync(shots, { recursive: true });
  const port = await freePort();
  demo = await startGroup(process.execPath, ['--import', 'tsx', path.join('scripts', 'demo.ts')], {
    name: 'demo',
    cwd: repoRoot,
    env: { ...process.env, DEMO_PORT: String(port) },
    logFile: path.join(shots, 'demo.log'),
    ready: /Demo ready: (http:\/\/\S+)/,
    // The first run packages the extension and may install code-server.
    timeoutMs: 600_000,
  });
  url = demo.match[1]!;
  readyAt = Date.now();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

after(async () => {
  // What the page showed last: the first thing to look at when this test fails.
  await page?.screenshot({ path: path.join(shots, 'last.png') }).catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await demo?.stop();
  // The next demo start wipes these: the extension's and the services' logs of this run are kept.
  keepLogs('demo-logs');
});

function keepLogs(name: string): void {
  const kept = path.join(shots, name);
  rmSync(kept, { recursive: true, force: true });
  for (const [from, to] of [
    ['.tools/demo/user-data/logs', 'vscode'],
    ['.tools/demo/logs', 'services'],
  ]) {
    if (existsSync(path.join(repoRoot, from))) cpSync(path.join(repoRoot, from), path.join(kept, to), { recursive: true });
  }
}

async function setTheme(theme: 'Default Light Modern' | 'Default Dark Modern'): Promise<void> {
  // Through the theme picker (Ctrl+K Ctrl+T), as a user would; it applies and saves the choice at once.
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  const input = page.locator('.quick-input-widget input');
  // The picker lists themes by label ("Light Modern"), not by the setting's value.
  const label = theme.replace(/^Default /, '');
  await input.fill(label);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).first().waitFor();
  await page.keyboard.press('Enter');
  const light = theme.includes('Light');
  await page.waitForFunction(
    (wantLight) => {
      const wb = (globalThis as unknown as { document: { querySelector(s: string): { classList: { contains(c: string): boolean } } | null } }).document.querySelector('.monaco-workbench');
      return !!wb && wb.classList.contains('vs') === wantLight && wb.classList.contains('vs-dark') === !wantLight;
    },
    light,
    { timeout: 20_000 },
  );
  await page.waitForTimeout(1000);
}

test('the demo shows live CodeLens, a hover and the Live Signals panel in a real VS Code', { timeout: 900_000 }, async (t) => {
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?folder=/);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await openFile(page, 'pricing.js');

  // Live figures from the service's real OTLP, drawn by the workbench itself.
  const lens = page.locator('.codelens-decoration', { hasText: LENS }).first();
  await lens.waitFor({ timeout: 120_000 }).catch(async (e: Error) => {
    // Did the receiver have the figures the lens should show? CI keeps only this message.
    const diagnosis = await demoDiagnosis('pricing.js');
    writeFileSync(path.join(shots, 'demo-pricing-diagnosis.txt'), diagnosis);
    throw new Error(`${e.message.split('\n')[0]}\n${diagnosis}`);
  });
  const lensText = (await lens.textContent()) ?? '';
  // Measured for the record (the issue asks for under 30 s), never asserted.
  t.diagnostic(`CodeLens with live figures ${((Date.now() - readyAt) / 1000).toFixed(1)} s after "Demo ready"`);
  assert.match(lensText, LENS);
  await page.screenshot({ path: path.join(shots, 'codelens-dark.png') });

  // The hover on computeQuote: per-window table and sparkline.
  await page.locator('.view-line', { hasText: 'async function computeQuote' }).locator('span', { hasText: 'computeQuote' }).last().hover();
  const hover = page.locator('.monaco-hover-content', { hasText: 'p95' }).first();
  await hover.waitFor({ timeout: 30_000 });
  assert.match((await hover.textContent()) ?? '', /1m[\s\S]*5m[\s\S]*1h/);
  await page.screenshot({ path: path.join(shots, 'hover-dark.png') });
  await page.mouse.move(5, 5);
  await page.keyboard.press('Escape');

  // The panel, from the command palette.
  await runCommand(page, 'Runtime Lens: Open Live Signals');
  const panel = await frameWith(page, '.svc-name', 'the Live Signals panel never showed a service');
  const services = await panel.locator('.svc-name').allTextContents();
  assert.ok(services.includes('orders-service'), `services in the panel: ${services.join(', ')}`);
  assert.ok((await panel.locator('.fn').count()) > 0, 'no function rows in the panel');
  await openFile(page, 'orders.js');
  await page
    .locator('.codelens-decoration', { hasText: LENS })
    .first()
    .waitFor({ timeout: 60_000 })
    .catch(() => undefined);
  await page.screenshot({ path: path.join(shots, 'overview-dark.png') });

  await setTheme('Default Light Modern');
  await page.screenshot({ path: path.join(shots, 'overview-light.png') });
  await openFile(page, 'pricing.js');
  await page.locator('.codelens-decoration', { hasText: LENS }).first().waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(shots, 'codelens-light.png') });
  await setTheme('Default Dark Modern');

  // The Production risk view: shipping.js is committed as AI-written and calls the carrier without a
  // timeout; the view lists its function with the figures it has in production.
  const riskHeader = page.locator('.pane-header', { hasText: /Production risk/i }).first();
  if ((await riskHeader.getAttribute('aria-expanded')) !== 'true') await riskHeader.click();
  const riskRow = page.locator('.monaco-list-row', { hasText: 'quoteShipping' }).first();
  await riskRow.waitFor({ timeout: 90_000 });
  await page
    .locator('.monaco-list-row', { hasText: /quoteShipping\s*shipping\.js · p95 [\d.]+ (ms|s), [\d.]+\/min/ })
    .first()
    .waitFor({ timeout: 60_000 });
  // the row's click opens the code (the AI-written fetch, with its warning); the twistie shows the finding
  await riskRow.click();
  await page.locator('.tab.active[data-resource-name="shipping.js"]').waitFor({ timeout: 30_000 });
  await riskRow.locator('.monaco-tl-twistie').click();
  await page.locator('.monaco-list-row', { hasText: 'no timeout on fetch' }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(shots, 'risk-dark.png') });
});
