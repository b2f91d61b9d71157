import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { recordFigure } from './index';
import { extensionApi, lineOf, waitFor, workspaceFile } from './context';

/** One OTLP/JSON export with `count` spans of `findOrder`, tied to its line by code attributes. */
function exportBody(file: string, line: number, count: number): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, () => ({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: 'findOrder',
    kind: 1,
    startTimeUnixNano: String(now - 2_000_000n),
    endTimeUnixNano: String(now),
    attributes: [
      { key: 'code.function.name', value: { stringValue: 'findOrder' } },
      { key: 'code.file.path', value: { stringValue: file } },
      { key: 'code.line.number', value: { intValue: line } },
    ],
  }));
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders-service' } }, { key: 'deployment.environment.name', value: { stringValue: 'production' } }] },
      scopeSpans: [{ scope: { name: 'refresh-suite' }, spans }],
    }],
  });
}

/** How fast new spans reach the overlays: measured, never asserted as a time. */
export function refreshSuite(): void {
  describe('refresh after new spans', () => {
    it('shows spans sent now in the overlay data and in a new CodeLens, and records how long that took', async () => {
      const { live } = await extensionApi();
      assert.equal(live.state.kind, 'running');
      const endpoint = live.state.kind === 'running' ? live.state.endpoint : '';
      const uri = workspaceFile('orders.js');
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false });
      const line = lineOf(doc, /^function findOrder\(/) + 1;
      const countNow = async () => (await live.signals({ file: 'orders.js' }))?.functions.find((f) => f.function === 'findOrder' && f.line === line)?.count ?? 0;
      const delays: number[] = [];
      for (let round = 0; round < 10; round++) {
        const before = await countNow();
        const sent = Date.now();
        const res = await fetch(`${endpoint}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: exportBody(uri.fsPath, line, 5) });
        assert.equal(res.status, 200, await res.text());
        await waitFor(`round ${round}: findOrder's count to grow by 5`, async () => ((await countNow()) >= before + 5 ? true : undefined), 30_000);
        delays.push(Date.now() - sent);
        await new Promise((r) => setTimeout(r, 200));
      }
      const lens = await waitFor('a CodeLens above findOrder', async () => {
        const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
        return lenses.find((l) => l.range.start.line === line - 1);
      }, 30_000);
      assert.match(lens.command?.title ?? '', /p50 [\d.]+ ms/);
      delays.sort((a, b) => a - b);
      recordFigure('refreshMedianMs', delays[Math.floor(delays.length / 2)]);
      recordFigure('refreshMaxMs', delays[delays.length - 1]);
    });
  });
}
