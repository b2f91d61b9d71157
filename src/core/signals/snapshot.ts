import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { silentLogger, type Logger } from '../logger';
import type { SignalStore } from './signalStore';
import type { StoreState } from './storeTypes';

/** Writes the store to `file` atomically: a temp file in the same folder, then a rename. */
export async function writeSnapshot(file: string, state: StoreState): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(state));
  await fs.rename(tmp, file);
}

/**
 * Restores `store` from `file`. A missing file is a fresh start; a corrupt one is renamed to
 * `<file>.corrupt-<time>`, reported once and otherwise ignored, so a bad snapshot never stops the receiver.
 * Returns what happened, in one line.
 */
export async function restoreSnapshot(file: string, store: SignalStore, logger: Logger = silentLogger): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `no snapshot at ${file}; starting empty`;
    throw err;
  }
  try {
    store.restore(JSON.parse(text) as StoreState);
    const sizes = store.sizes();
    return `restored ${sizes.locations} locations and ${sizes.errorGroups} error groups from ${file}`;
  } catch (err) {
    const aside = `${file}.corrupt-${Date.now()}`;
    await fs.rename(file, aside).catch(() => undefined);
    const message = `snapshot ${file} is unreadable (${(err as Error).message}); moved it to ${aside} and started empty`;
    logger.warn(message);
    return message;
  }
}

/** Writes the snapshot every `intervalMs` and once more on `stop()`. */
export class SnapshotScheduler {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: SignalStore,
    private readonly file: string,
    private readonly intervalMs: number,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Starts the periodic writes. */
  start(): void {
    this.timer = setInterval(() => void this.writeNow(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes now; writes never overlap. Errors are logged, not thrown. */
  writeNow(): Promise<void> {
    this.writing = this.writing.then(() =>
      writeSnapshot(this.file, this.store.toState()).catch((err: Error) => this.logger.error(`could not write snapshot ${this.file}: ${err.message}`)),
    );
    return this.writing;
  }

  /** Stops the timer and writes a final snapshot. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writeNow();
  }
}
