import type { ErrorSignal } from '../api/signals';
import type { SignalStore } from '../signals/signalStore';
import type { ErrorEntry } from '../signals/storeEntries';
import { errorSignal } from '../signals/storeQuery';
import type { Disposable, SourceChange } from './telemetrySource';

/** How often the feed reads the store's change log, and how many new groups one change carries. */
export interface StoreChangeOptions {
  intervalMs: number;
  /** New error groups beyond this per interval are left out of the change (readers see them on their next query). */
  maxNewErrors: number;
}

/** Every 250 ms, at most 50 new groups each: what the stream forwards (it allows 50 per second). */
export const DEFAULT_STORE_CHANGE_OPTIONS: StoreChangeOptions = { intervalMs: 250, maxNewErrors: 50 };

/**
 * A store's change log as SourceChange events: which files and environments changed and which
 * error groups were created. The store records changes, and the timer runs, only while someone
 * listens, so a receiver without stream clients pays nothing.
 */
export class StoreChangeFeed {
  private readonly listeners = new Set<(change: SourceChange) => void>();
  private readonly options: StoreChangeOptions;
  private timer: NodeJS.Timeout | undefined;
  private newGroups: ErrorEntry[] = [];

  constructor(
    private readonly store: SignalStore,
    options: Partial<StoreChangeOptions> = {},
  ) {
    this.options = { ...DEFAULT_STORE_CHANGE_OPTIONS, ...options };
  }

  /** True while the store records changes for listeners. */
  get active(): boolean {
    return this.timer !== undefined;
  }

  /** Calls `listener` with each change, at most once per interval and only when something changed. */
  subscribe(listener: (change: SourceChange) => void): Disposable {
    this.listeners.add(listener);
    if (this.timer === undefined) this.start();
    return {
      dispose: () => {
        if (this.listeners.delete(listener) && this.listeners.size === 0) this.stop();
      },
    };
  }

  private start(): void {
    this.store.trackChanges(true);
    this.store.onNewErrorGroup = (group) => {
      if (this.newGroups.length < this.options.maxNewErrors) this.newGroups.push(group);
    };
    this.timer = setInterval(() => this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.store.trackChanges(false);
    this.store.onNewErrorGroup = null;
    this.newGroups = [];
  }

  private flush(): void {
    const changes = this.store.takeChanges();
    if (changes === null && this.newGroups.length === 0) return;
    // Converted here, not when created: a burst of groups costs at most maxNewErrors conversions per interval.
    const newErrors: ErrorSignal[] = this.newGroups.map((g) => errorSignal(g, g.total));
    this.newGroups = [];
    const change: SourceChange = { files: changes?.files ?? [], environments: changes?.environments ?? [], ...(newErrors.length > 0 ? { newErrors } : {}) };
    for (const l of [...this.listeners]) l(change);
  }
}
