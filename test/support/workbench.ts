/** What the browser tests do in VS Code's workbench, as a user would: commands, files, webview frames. */
import type { Frame, Page } from 'playwright-core';

/** Runs a command from the Command Palette by its title. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Opens a workspace file by name (Quick Open), or switches to its tab; resolves once it is the active tab. */
export async function openFile(page: Page, name: string): Promise<void> {
  const tab = page.locator(`.tab[data-resource-name="${name}"]`);
  if (await tab.count()) {
    await tab.first().click();
    await page.locator(`.tab.active[data-resource-name="${name}"]`).waitFor();
    return;
  }
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[data-resource-name="${name}"]`).waitFor();
}

/** The first frame (a webview) holding `selector`; throws `what` after 60 s. */
export async function frameWith(page: Page, selector: string, what: string): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (
        await frame
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(what);
}
