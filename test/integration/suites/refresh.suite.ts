import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { recordFigure } from './index';
import { codeSpansJson, nowNs, postTraces, type CodeSpan } from '../../support/otlpJson';
import { extensionApi, lineOf, waitFor, workspaceFile } from './context';

/** One OTLP/JSON export with `count` spans of `findOrder`, tied to its line by code attributes. */
function exportBody(file: string, line: number, count: number): string {
  const start = nowNs() - 2_000_000n;
  const spans = Array.from(
    { length: count },
    (): CodeSpan => ({
      function: 'findOrder',
      file,
      line,
      startNs: start,
      durationMs: 2,
      // unique across exports: the receiver keeps exemplar traces by id
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
    }),
  );
  return codeSpansJson({ 'service.name': 'orders-service', 'deployment.environment.name': 'production' }, spans);
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
        const res = await postTraces(endpoint, exportBody(uri.fsPath, line, 5));
        assert.equal(res.status, 200, await res.text());
        await waitFor(`round ${round}: findOrder's count to grow by 5`, async () => ((await countNow()) >= before + 5 ? true : undefined), 30_000);
        delays.push(Date.now() - sent);
        await new Promise((r) => setTimeout(r, 200));
      }
      const lens = await waitFor(
        'a CodeLens above findOrder',
        async () => {
          const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
          return lenses.find((l) => l.range.start.line === line - 1);
        },
        30_000,
      );
      assert.match(lens.command?.title ?? '', /p50 [\d.]+ ms/);
      delays.sort((a, b) => a - b);
      recordFigure('refreshMedianMs', delays[Math.floor(delays.length / 2)]);
      recordFigure('refreshMaxMs', delays[delays.length - 1]);
    });
  });
}
