import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { recordFigure } from './index';
import { extensionApi, manifest, waitFor } from './context';

/** Activation from the workspace setting, the contributed commands, the receiver coming up. */
export function activationSuite(): void {
  describe('activation', () => {
    it('activates and reports how long activation took', async () => {
      const api = await extensionApi();
      assert.equal(typeof api.activationMs, 'number');
      assert.ok(api.activationMs > 0, `activationMs = ${api.activationMs}`);
      assert.ok(api.activateCallMs <= api.activationMs, 'activate() cannot take longer than loading plus activate()');
      recordFigure('activationMs', api.activationMs);
      recordFigure('activateCallMs', api.activateCallMs);
      if (api.activationCpuMs !== undefined) {
        assert.ok(api.activationCpuMs > 0, `activationCpuMs = ${api.activationCpuMs}`);
        recordFigure('activationCpuMs', api.activationCpuMs);
      }
      for (const [step, ms] of Object.entries(api.activationSteps ?? {})) recordFigure(`activateStep.${step}`, ms);
    });

    it('registers every command package.json contributes', async () => {
      await extensionApi();
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = manifest()
        .contributes.commands.map((c) => c.command)
        .filter((id) => !registered.has(id));
      assert.deepEqual(missing, []);
    });

    it('starts the receiver because the workspace sets runtimeLens.autoStart', async () => {
      const { live } = await extensionApi();
      const state = await waitFor(
        'the receiver to run',
        () => (live.state.kind === 'running' ? live.state : undefined),
        30_000,
        () => JSON.stringify(live.state),
      );
      assert.match(state.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    });
  });
}
