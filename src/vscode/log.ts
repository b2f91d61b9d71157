import * as vscode from 'vscode';
import type { Logger } from '../core/logger';

/** The extension's one `LogOutputChannel` (levels, timestamps and the log-level picker come with it). */
export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel('Runtime Lens', { log: true });
}

/** A core Logger writing to the channel with a `[component]` tag, so lines say which part spoke. */
export function componentLogger(channel: vscode.LogOutputChannel, component: string): Logger {
  const tag = `[${component}] `;
  return {
    debug: (m) => channel.debug(tag + m),
    info: (m) => channel.info(tag + m),
    warn: (m) => channel.warn(tag + m),
    error: (m) => channel.error(tag + m),
  };
}
