/**
 * Entry point VS Code loads as `extensionTestsPath` (bundled to dist/test/suites.js): runs the
 * suites with Mocha inside the extension host, against the real `vscode` API, and writes each
 * test's outcome to RUNTIME_LENS_TEST_RESULTS so the harness outside can report them by name.
 * The same module serves @vscode/test-electron and code-server.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Mocha from 'mocha';
import { registerSuites } from './all';

/** One test's outcome, as the harness reads it. */
export interface SuiteResult {
  title: string;
  state: 'passed' | 'failed';
  error?: string;
  durationMs?: number;
}

/** What the results file holds. */
export interface SuiteResults {
  results: SuiteResult[];
  /** Figures the suites observed (e.g. activation time) for the benchmarks to pick up. */
  figures: Record<string, number>;
  done: boolean;
}

/** Figures suites record with `recordFigure`; written with the results. */
const figures: Record<string, number> = {};

/** Records a measured figure (never asserted on) for the benchmark that runs the suites. */
export function recordFigure(name: string, value: number): void {
  figures[name] = value;
}

/** Called by VS Code's test runner; rejects when any test failed. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90_000, color: false, reporter: 'spec' });
  mocha.suite.emit('pre-require', globalThis, 'runtime-lens-suites', mocha);
  registerSuites();
  const out = process.env.RUNTIME_LENS_TEST_RESULTS;
  const results: SuiteResult[] = [];
  const write = (done: boolean) => {
    if (!out) return;
    const body: SuiteResults = { results, figures, done };
    writeFileSync(`${out}.tmp`, JSON.stringify(body, null, 2));
    renameSync(`${out}.tmp`, out);
  };
  // How long the extension host's event loop was ever held up while the suites ran (every
  // extension in this host counts, ours included): recorded, never asserted.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      delay.disable();
      recordFigure('hostEventLoopMaxDelayMs', delay.max / 1e6);
      recordFigure('hostEventLoopP99DelayMs', delay.percentile(99) / 1e6);
      write(true);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
      write(false);
    });
    runner.on('fail', (t, err: Error) => {
      results.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? String(err) });
      write(false);
    });
  });
}
