/**
 * Debian's chromium driven by playwright-core, with the flags that keep it headless and quiet
 * on a machine without a display, a GPU or internet.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where the test setup (scripts/setup-test-deps.sh) installs chromium. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Starts headless chromium; fails with one clear line when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`chromium not found at ${chromiumPath}; run bash scripts/setup-test-deps.sh`);
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
