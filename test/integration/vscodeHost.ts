/**
 * Runs the integration suites (dist/test/suites.js) inside a real VS Code: a desktop VS Code
 * through @vscode/test-electron when VSCODE_EXECUTABLE names one, otherwise code-server driven
 * by headless chromium, where the workbench's own test runner loads the suites (the smoke-test
 * driver option makes it honour `extensionDevelopmentPath`/`extensionTestsPath` in the URL).
 * Either way the suites write their outcomes to a JSON file that this side reads.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureCodeServer, QUIET_SETTINGS, startCodeServer } from '../../scripts/lib/codeServer';
import { launchChromium } from '../support/browser';
import { repoRoot } from '../support/harness';
import type { SuiteResults } from './suites/index';

/** Where the bundled suites live (built by esbuild.config.mjs). */
export const suitesPath = path.join(repoRoot, 'dist', 'test', 'suites.js');

/** What a host run needs: the folder to open and where to put results and logs. */
export interface HostRun {
  workspace: string;
  /** Directory for the results file, logs and profiles of this run. */
  runDir: string;
  /** Extra environment for the extension host (inherited from the server process). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Which VS Code runs the suites on this machine. */
export function hostKind(): 'electron' | 'code-server' {
  return process.env.VSCODE_EXECUTABLE ? 'electron' : 'code-server';
}

/** Runs the suites in the host `hostKind()` picks and returns their outcomes. */
export async function runSuites(run: HostRun): Promise<SuiteResults> {
  if (!existsSync(suitesPath)) throw new Error(`${suitesPath} is missing; run npm run build first`);
  mkdirSync(run.runDir, { recursive: true });
  const resultsFile = path.join(run.runDir, 'results.json');
  const env = { ...run.env, RUNTIME_LENS_TEST_RESULTS: resultsFile };
  if (hostKind() === 'electron') await runInElectron(run, env);
  else await runInCodeServer(run, env);
  if (!existsSync(resultsFile)) throw new Error(`the suites wrote no results (${resultsFile}); see the logs in ${run.runDir}`);
  return JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
}

async function runInElectron(run: HostRun, env: Record<string, string>): Promise<void> {
  const { runTests } = await import('@vscode/test-electron');
  // A failing suite makes runTests reject; the results file still says which test failed.
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: suitesPath,
    launchArgs: [run.workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', path.join(run.runDir, 'user-data')],
    extensionTestsEnv: env,
  }).catch(() => undefined);
}

async function runInCodeServer(run: HostRun, env: Record<string, string>): Promise<void> {
  await ensureCodeServer();
  const server = await startCodeServer({
    folder: run.workspace,
    port: 0,
    userDataDir: path.join(run.runDir, 'user-data'),
    extensionsDir: path.join(run.runDir, 'extensions'),
    settings: { ...QUIET_SETTINGS, 'editor.codeLens': true },
    vscodeOptions: ['enable-smoke-test-driver'],
    env,
    logFile: path.join(run.runDir, 'code-server.log'),
  });
  const browser = await launchChromium();
  const consoleLines: string[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    // The workbench calls window.codeAutomationExit(code) once the test module has settled.
    const exited = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ['extensionTestsPath', remote(suitesPath)],
    ];
    await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(run.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeoutMs = run.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') await page.screenshot({ path: path.join(run.runDir, 'timeout.png') }).catch(() => undefined);
  } finally {
    writeFileSync(path.join(run.runDir, 'browser-console.log'), consoleLines.join('\n'));
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
