import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RuntimeLensApi } from '../../../src/extension';
import { hostileExportJson } from '../../support/hostileExport';
import { injectedMarkdown, labelIcons, markdownIcons, UNSAFE_CHARS } from '../../support/hostileText';
import { extensionApi, lineOf, waitFor, workspaceFile } from './context';

/** An environment name that draws an icon and hides or reorders text wherever it is shown. */
const ENVIRONMENT = 'prod$(bell)\u001b[8m\u202e';
/** Icons the hover, the lens template and the status bar draw themselves. */
const OWN_ICONS = ['error', 'warning', 'watch', 'git-commit', 'link-external', 'pulse'];

function surfaces(api: RuntimeLensApi): NonNullable<RuntimeLensApi['surfaces']> {
  assert.ok(api.surfaces, 'activation composed no surfaces (see the Runtime Lens log)');
  return api.surfaces;
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
}

/**
 * Hostile telemetry (issue 9 §2) sent as a real OTLP/JSON export to the extension's receiver:
 * a revision and version that would end the hover's code span and inject links and a tracking
 * pixel, span/function names and an environment with theme icons and terminal controls, an
 * exception with markdown and HTML. Runs last: its spans land on sleep() in the demo's pricing.js.
 */
export function hostileTelemetrySuite(): void {
  describe('hostile telemetry in the editor', () => {
    let previous: string | undefined;
    let api: RuntimeLensApi;
    let doc: vscode.TextDocument;
    let fnLine = 0;

    before(async () => {
      api = await extensionApi();
      const state = await waitFor('a running receiver', () => (api.live.state.kind === 'running' ? api.live.state : undefined), 60_000);
      doc = (await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile('pricing.js')), { preview: false })).document;
      fnLine = lineOf(doc, /^function sleep\(/);
      const body = hostileExportJson({ file: workspaceFile('pricing.js').fsPath, line: fnLine + 2, environment: ENVIRONMENT, spans: 5, startNs: BigInt(Date.now()) * 1_000_000n });
      const res = await fetch(`${state.endpoint}/v1/traces`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      assert.equal(res.status, 200, await res.text());
      previous = api.live.selection.environment;
      api.live.setEnvironment(ENVIRONMENT);
    });

    after(() => api?.live.setEnvironment(previous));

    it('renders a hover with no injected link, image, HTML, icon or deployed revision', async () => {
      const position = new vscode.Position(fnLine, 'function sl'.length);
      let text = '';
      await waitFor(
        'a Runtime Lens hover from the hostile spans',
        async () => {
          text = hoverText((await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position)) ?? []);
          return /pay/.test(text) && /Errors/.test(text) ? true : undefined;
        },
        60_000,
        () => text,
      );
      assert.deepEqual(injectedMarkdown(text), [], `injected markdown in:\n${text}`);
      assert.deepEqual(markdownIcons(text, OWN_ICONS), [], `foreign theme icons in:\n${text}`);
      assert.doesNotMatch(text, /abc1234|deployed/, `an implausible revision is shown:\n${text}`);
    });

    it('shows `$(…)` from telemetry literally in the CodeLens title and the status bar', async () => {
      let seen: string[] = [];
      const lens = await waitFor(
        'a CodeLens on sleep() from the hostile spans',
        async () => {
          const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
          seen = lenses.map((l) => `${l.range.start.line}: ${l.command?.title}`);
          return lenses.find((l) => l.range.start.line === fnLine && /prod/.test(l.command?.title ?? ''));
        },
        60_000,
        () => JSON.stringify(seen),
      );
      const title = lens.command!.title;
      assert.deepEqual(labelIcons(title, OWN_ICONS), [], title);
      assert.match(title, /prod\\\$\(bell\)/, title);
      assert.doesNotMatch(title, UNSAFE_CHARS, JSON.stringify(title));
      const status = surfaces(api).statusBar.text;
      assert.deepEqual(labelIcons(status, OWN_ICONS), [], status);
      assert.doesNotMatch(status, UNSAFE_CHARS, JSON.stringify(status));
    });

    it('keeps control and bidi characters out of inline hints and Problems', async () => {
      const hint = await waitFor(
        'an inline hint for the hostile exception',
        () =>
          surfaces(api)
            .hints.shown.get('pricing.js')
            ?.find((h) => /Evil/.test(h.text)),
        60_000,
        () => JSON.stringify(surfaces(api).hints.shown.get('pricing.js')),
      );
      assert.doesNotMatch(hint.text, UNSAFE_CHARS, JSON.stringify(hint.text));
      const diagnostic = await waitFor('a Runtime Lens diagnostic for the hostile exception', () => vscode.languages.getDiagnostics(doc.uri).find((d) => d.source === 'Runtime Lens' && /Evil/.test(d.message)), 60_000);
      assert.doesNotMatch(diagnostic.message, UNSAFE_CHARS, JSON.stringify(diagnostic.message));
      assert.doesNotMatch(diagnostic.message, /\n/);
    });
  });
}
