import * as vscode from 'vscode';
import { EmbeddedReceiver } from './core/backends/embeddedReceiver';
import type { Logger } from './core/logger';

let receiver: EmbeddedReceiver | undefined;

/** Composition root for the editor: builds core objects and hands them to the adapters. */
export function activate(context: vscode.ExtensionContext): void {
  const channel = vscode.window.createOutputChannel('Runtime Lens', { log: true });
  context.subscriptions.push(channel);
  const logger: Logger = {
    debug: (m) => channel.debug(m),
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(m),
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('runtimeLens.startReceiver', async () => {
      if (receiver) return;
      const config = vscode.workspace.getConfiguration('runtimeLens.receiver');
      const next = new EmbeddedReceiver({
        host: config.get<string>('host', '127.0.0.1'),
        port: config.get<number>('port', 4318),
        portHint: 'the runtimeLens.receiver.port setting',
        workspace: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '',
        snapshotFile: context.storageUri ? vscode.Uri.joinPath(context.storageUri, 'signals.json').fsPath : '',
      }, logger);
      try {
        await next.start();
        receiver = next;
        logger.info(`receiver listening on ${next.status().listening}`);
      } catch (err) {
        logger.error((err as Error).message);
        void vscode.window.showErrorMessage(`Runtime Lens: ${(err as Error).message}`);
      }
    }),
    vscode.commands.registerCommand('runtimeLens.stopReceiver', async () => {
      const current = receiver;
      receiver = undefined;
      await current?.stop();
    }),
  );
}

/** Stops the receiver and writes its snapshot. */
export async function deactivate(): Promise<void> {
  await receiver?.stop();
  receiver = undefined;
}
