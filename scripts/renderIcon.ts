/**
 * Rasterizes media/icon.svg to media/icon.png (128x128, transparent corners) with Debian's
 * Chromium through playwright-core. Run once after editing the SVG: `npx tsx scripts/renderIcon.ts`;
 * the PNG is committed, so packaging never needs a browser.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const root = join(__dirname, '..');
const SIZE = 128;

async function main(): Promise<void> {
  const svg = readFileSync(join(root, 'media', 'icon.svg'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg}</body></html>`);
    const png = await page.locator('svg').screenshot({ omitBackground: true });
    writeFileSync(join(root, 'media', 'icon.png'), png);
    process.stdout.write(`media/icon.png written (${png.length} bytes)\n`);
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`renderIcon: ${(err as Error).message}\n`);
  process.exit(1);
});
