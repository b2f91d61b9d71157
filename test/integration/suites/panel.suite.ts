import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RuntimeLensApi } from '../../../src/extension';
import { extensionApi, waitFor } from './context';

function surfaces(api: RuntimeLensApi): NonNullable<RuntimeLensApi['surfaces']> {
  assert.ok(api.surfaces, 'activation composed no surfaces (see the Runtime Lens log)');
  return api.surfaces;
}

/** The Live Signals panel and the trace view receive what they should draw. */
export function panelSuite(): void {
  describe('Live Signals panel and trace view', () => {
    it('opens the panel and sends it the services and the top functions', async () => {
      const { panel } = surfaces(await extensionApi());
      await vscode.commands.executeCommand('runtimeLens.openPanel');
      const update = await waitFor(
        'an update with orders-service and computeQuote',
        () => {
          const m = panel.delivered.get('update');
          if (m?.kind !== 'update') return undefined;
          const hasService = m.model.services.some((s) => s.service === 'orders-service');
          return hasService && m.model.top.impact.some((f) => f.function === 'computeQuote') ? m : undefined;
        },
        60_000,
        () => JSON.stringify(panel.delivered.get('update'))?.slice(0, 500),
      );
      assert.equal(update.model.empty, false);
      assert.equal(update.model.environment, 'production');
      assert.ok(
        update.model.errors.some((e) => e.type === 'TypeError'),
        'the TypeError group is not in the panel',
      );
      assert.match(JSON.stringify(update.status), /127\.0\.0\.1/);
    });

    it('focuses the panel on a function when its CodeLens command runs', async () => {
      const api = await extensionApi();
      const response = await api.live.signals({ file: 'pricing.js' });
      const fn = response?.functions.find((f) => f.function === 'computeQuote');
      assert.ok(fn, 'no figures for computeQuote');
      await vscode.commands.executeCommand('runtimeLens.showFunction', { service: fn.service, environment: fn.environment, file: fn.file, line: fn.line, function: fn.function });
      const focus = await waitFor(
        'a focus message for computeQuote',
        () => {
          const m = surfaces(api).panel.delivered.get('focus');
          return m?.kind === 'focus' && m.detail.function === 'computeQuote' && m.detail.found ? m.detail : undefined;
        },
        30_000,
      );
      assert.deepEqual(focus.windows.map((w) => w.window).slice(0, 3), ['1m', '5m', '1h']);
      assert.ok(focus.exemplars.length > 0, 'no exemplar traces in the focus card');
    });

    it('opens an exemplar trace as a waterfall with the spans mapped to code', async () => {
      const api = await extensionApi();
      const response = await api.live.signals({ file: 'pricing.js' });
      const exemplar = response?.functions.find((f) => f.function === 'computeQuote')?.exemplars[0];
      assert.ok(exemplar, 'computeQuote has no exemplar');
      await vscode.commands.executeCommand('runtimeLens.openTrace', exemplar.traceId);
      const message = await waitFor('the trace view to receive the trace', () => surfaces(api).traces().delivered.get(exemplar.traceId), 30_000);
      assert.equal(message.kind, 'trace', JSON.stringify(message));
      if (message.kind !== 'trace') return;
      assert.ok(message.waterfall.spanCount >= 2, `only ${message.waterfall.spanCount} span(s)`);
      assert.ok(message.waterfall.services.includes('orders-service'));
      assert.match(JSON.stringify(message.waterfall.rows), /pricing\.js/);
    });
  });
}
