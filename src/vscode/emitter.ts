import type * as vscode from 'vscode';

/**
 * A minimal event emitter whose `event` is a `vscode.Event`, so the data side can fire events
 * the editor API accepts while running (and being tested) in plain Node.
 */
export class Emitter<T> {
  private listeners: { fn: (e: T) => unknown; thisArg: unknown }[] = [];

  /** Subscribe; the returned disposable unsubscribes. */
  readonly event: vscode.Event<T> = (listener, thisArgs?, disposables?) => {
    const entry = { fn: listener, thisArg: thisArgs };
    this.listeners.push(entry);
    const subscription = { dispose: () => (this.listeners = this.listeners.filter((l) => l !== entry)) };
    disposables?.push(subscription);
    return subscription;
  };

  /** Calls every listener; one throwing does not stop the others. */
  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l.fn.call(l.thisArg, value);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Drops every listener. */
  dispose(): void {
    this.listeners = [];
  }
}
