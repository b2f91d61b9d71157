/**
 * Entry point VS Code loads as `extensionTestsPath` (bundled to dist/test/suites.js): runs the
 * suites with Mocha inside the extension host, against the real `vscode` API, and writes each
 * test's outcome to RUNTIME_LENS_TEST_RESULTS so the harness outside can report them by name.
 * The same module serves @vscode/test-electron and code-server.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { registerSuites, SUITE_SET_ENV } from './all';
import { extensionId } from './context';
import { profileHost, type BusyStretches } from './hostProfile';

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
  /** What the figures cannot say (e.g. which scripts the busiest stretch ran). */
  notes: string[];
  done: boolean;
}

/** Figures suites record with `recordFigure`; written with the results. */
const figures: Record<string, number> = {};
const notes: string[] = [];

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
    const body: SuiteResults = { results, figures, notes, done };
    writeFileSync(`${out}.tmp`, JSON.stringify(body, null, 2));
    renameSync(`${out}.tmp`, out);
  };
  // How long the extension host's event loop was ever held up while the suites ran (every
  // extension in this host counts, ours included): recorded, never asserted.
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  // The same from the moment the first CodeLens shows: by then the workbench has activated the
  // built-in extensions a JavaScript file wakes (their start-up stalls the host for 300 ms and more
  // with or without ours), so what remains is the steady state the overlays run in.
  const steady = monitorEventLoopDelay({ resolution: 5 });
  let steadyOn = false;
  // A CPU profile over the same steady part says which of those stalls ran our code.
  let stopProfile: Promise<() => Promise<BusyStretches>> | undefined;
  return new Promise((resolve, reject) => {
    const runner = mocha.run(async (failures) => {
      delay.disable();
      steady.disable();
      const stretches = await (await stopProfile)?.().catch(() => undefined);
      if (stretches) {
        recordFigure('busiestStretchMs', stretches.longestMs);
        recordFigure('ourLongestStretchMs', stretches.oursLongestMs);
        recordFigure('ourCodeMaxInOneStretchMs', stretches.oursMaxShareMs);
        recordFigure('ourCodeMaxStretchLongestSampleMs', stretches.oursLongestSampleMs);
        recordFigure('ourCodeMaxInOneStretchCappedMs', stretches.oursMaxShareCappedMs);
        // The backends benchmark reads the same figure from the team set under its own name.
        if (process.env[SUITE_SET_ENV] === 'team') recordFigure('teamHostLongestMs', stretches.longestMs);
        notes.push(`busiest stretch ran: ${stretches.longestScripts.join(', ') || 'no script (native work)'}`);
        notes.push(`where our largest share of one stretch went: ${stretches.oursTop.join(', ')}`);
      }
      recordFigure('hostEventLoopMaxDelayMs', delay.max / 1e6);
      recordFigure('hostEventLoopP99DelayMs', delay.percentile(99) / 1e6);
      if (steadyOn) {
        recordFigure('steadyEventLoopMaxDelayMs', steady.max / 1e6);
        recordFigure('steadyEventLoopP99DelayMs', steady.percentile(99) / 1e6);
      }
      write(true);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('pass', (t) => {
      if (!steadyOn && /live CodeLens/.test(t.title)) {
        steady.enable();
        steadyOn = true;
        // Our bundle by its full path: built-in extensions have a dist/extension.js too.
        const ours = `${vscode.extensions.getExtension(extensionId)?.extensionPath ?? '/nowhere'}/dist/extension.js`;
        stopProfile = profileHost(new RegExp(`${ours.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
      }
      results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
      write(false);
    });
    runner.on('fail', (t, err: Error) => {
      results.push({ title: t.fullTitle(), state: 'failed', error: err.stack ?? String(err) });
      write(false);
    });
  });
}
