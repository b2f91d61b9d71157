/**
 * A shadow run as a user starts it: VS Code in the browser (code-server, this checkout loaded as the
 * development extension) opens the shop service (test/fixtures/shadow-service) in a git repository with
 * every regression planted in its working tree and a HAR Chromium recorded from its base revision.
 * Headless Chromium runs "Runtime Lens: Shadow Run…" from the command palette, answers its questions,
 * reads the report webview, the CodeLens and the Live Signals line, and saves screenshots in the dark
 * and the light theme under test-results/e2e/shadow-*.png.
 */
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Frame, Page } from 'playwright-core';
import { QUIET_SETTINGS, type RunningCodeServer, startCodeServer } from '../../scripts/lib/codeServer';
import { freePort } from '../../src/core/shadow/localBuild';
import { launchChromium } from '../support/browser';
import { repoRoot } from '../support/harness';
import { createShadowServiceRepo, type ShadowServiceRepo } from '../support/shadowService';
import { shopPaths, recordShopTraffic } from '../support/shadowTraffic';
import { frameWith, openFile, runCommand } from '../support/workbench';

const shots = path.join(repoRoot, 'test-results', 'e2e');
const runDir = path.join(repoRoot, 'test-results', 'e2e-shadow');

let repo: ShadowServiceRepo;
let server: RunningCodeServer;
let browser: Browser;
let page: Page;

before(async () => {
  mkdirSync(shots, { recursive: true });
  repo = createShadowServiceRepo();
  // The traffic sits in the workspace (the picker lists it), kept out of git like any local file.
  mkdirSync(path.join(repo.dir, 'traffic'));
  appendFileSync(path.join(repo.dir, '.git', 'info', 'exclude'), 'traffic/\n.vscode/\n');
  await recordShopTraffic(repo.dir, shopPaths(140), path.join(repo.dir, 'traffic', 'shop.har'));
  repo.plantRegressions();
  mkdirSync(path.join(repo.dir, '.vscode'));
  writeFileSync(path.join(repo.dir, '.vscode', 'settings.json'), JSON.stringify({ 'runtimeLens.autoStart': false, 'runtimeLens.receiver.port': await freePort() }, null, 2));
  server = await startCodeServer({
    folder: repo.dir,
    port: 0,
    userDataDir: path.join(runDir, 'user-data'),
    extensionsDir: path.join(runDir, 'extensions'),
    settings: { ...QUIET_SETTINGS, 'editor.codeLens': true, 'workbench.colorTheme': 'Default Dark Modern' },
    // Honours extensionDevelopmentPath in the URL: this checkout (its dist/) is the extension.
    vscodeOptions: ['enable-smoke-test-driver'],
    logFile: path.join(runDir, 'code-server.log'),
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
});

after(async () => {
  await page?.screenshot({ path: path.join(shots, 'shadow-last.png') }).catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop();
  repo?.dispose();
});

async function setTheme(theme: 'Default Light Modern' | 'Default Dark Modern'): Promise<void> {
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+T');
  const label = theme.replace(/^Default /, '');
  await page.locator('.quick-input-widget input').fill(label);
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

/** Types into the open quick pick and picks the row holding `row` (a filter alone may leave another first). */
async function choose(filter: string, row: string | RegExp): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(filter);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: row }).first().click();
}

/** Fills the open input box and accepts it. */
async function answer(value: string, prompt: RegExp): Promise<void> {
  await page.locator('.quick-input-widget', { hasText: prompt }).waitFor({ state: 'visible' });
  const input = page.locator('.quick-input-widget input');
  await input.fill(value);
  await page.keyboard.press('Enter');
}

async function reportFrame(): Promise<Frame> {
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      return await frameWith(page, '.tiles .tile', 'no report yet');
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`the shadow report never showed: ${(err as Error).message}`);
    }
  }
}

test('Runtime Lens: Shadow Run… from the command palette shows what the working tree changed', { timeout: 900_000 }, async () => {
  const payload = [['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${server.port}${repoRoot}`]];
  await page.goto(`${server.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  await openFile(page, 'orders.js');

  await runCommand(page, 'Runtime Lens: Shadow Run…');
  await choose('shop.har', 'shop.har');
  await choose('Start it', 'Start it with a command');
  await answer('node server.js', /command that starts the build/);
  await answer('/health', /answers 2xx/);
  await choose('base', /\bbase\s*tag\b/);
  await answer('140', /How many requests/);

  const report = await reportFrame();
  const verdict = (await report.locator('.verdict').textContent()) ?? '';
  assert.match(verdict, /^\d+ routes? and \d+ functions? changed behaviour$/);
  const tile = async (key: string) => (await report.locator(`.tile[data-tile="${key}"] .tile-value`).textContent())?.trim() ?? '';
  assert.ok(Number(await tile('status')) > 0, 'status mismatches');
  assert.ok(Number(await tile('shape')) >= 2, 'shape changes');
  assert.ok(Number(await tile('calls')) >= 2, 'new calls');
  const stock = report.locator('tr.route[data-key="GET /api/stock/:sku"]');
  assert.match((await stock.getAttribute('class')) ?? '', /\bchanged\b.*\berror\b/);
  const order = report.locator('.fn[data-key="orders.js:13:loadOrder"]');
  assert.match((await order.locator('.badges').textContent()) ?? '', /1 call repeated ×/);
  assert.match((await report.locator('.fn[data-key$=":quoteShipping"] .badges').textContent()) ?? '', /\+1 call/);
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(shots, 'shadow-report-dark.png') });
  await report.locator('#h-functions').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, 'shadow-report-functions-dark.png') });

  // A function row opens its code: loadOrder in orders.js at line 13.
  await order.click();
  await page.locator('.tab.active[data-resource-name="orders.js"]').waitFor();
  const lens = page.locator('.codelens-decoration', { hasText: /^shadow: .*1 call repeated ×/ }).first();
  await lens.waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(shots, 'shadow-codelens-dark.png') });

  // The Live Signals panel's line about the run.
  await runCommand(page, 'Runtime Lens: Open Live Signals');
  const panel = await frameWith(page, '.shadow-line', 'the Live Signals panel never showed the shadow run');
  assert.match((await panel.locator('.shadow-text').textContent()) ?? '', /status mismatch/);
  await page.screenshot({ path: path.join(shots, 'shadow-panel-dark.png') });

  await setTheme('Default Light Modern');
  // Its link reopens the report.
  await panel.locator('.shadow-open').click();
  const again = await reportFrame();
  await again.locator('.fn').first().waitFor();
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(shots, 'shadow-report-light.png') });
  await again.locator('#h-functions').scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(shots, 'shadow-report-functions-light.png') });
  await openFile(page, 'shipping.js');
  await page
    .locator('.codelens-decoration', { hasText: /^shadow: .*\+1 call/ })
    .first()
    .waitFor({ timeout: 60_000 });
  await page.screenshot({ path: path.join(shots, 'shadow-codelens-light.png') });
});
