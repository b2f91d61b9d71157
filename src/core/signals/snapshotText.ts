import type { StoreState } from './storeTypes';

/** One list of the snapshot: its entries' states, produced lazily (undefined: left out, e.g. evicted since the write began). */
export interface SnapshotList {
  name: 'locations' | 'operations' | 'errors' | 'unmapped' | 'calls';
  states: Iterable<object | undefined>;
}

/** Lazily maps entries listed now to their states, as the text is pulled. */
export function* lazyStates<E>(entries: readonly E[], toState: (entry: E) => object | undefined): Generator<object | undefined, void, undefined> {
  for (const entry of entries) yield toState(entry);
}

/**
 * The snapshot as JSON text (the `StoreState` format), in pieces of at most `perChunk` entries.
 * Entries are serialized only as pieces are pulled, so a caller that yields to the event loop
 * between pieces never blocks it for more than one piece's worth of work.
 */
export function* snapshotText(dataSinceMs: number, lists: readonly SnapshotList[], evicted: () => StoreState['evicted'], perChunk: number): Generator<string, void, undefined> {
  let out = `{"version":1${Number.isFinite(dataSinceMs) ? `,"dataSinceMs":${JSON.stringify(dataSinceMs)}` : ''}`;
  for (const list of lists) {
    out += `,"${list.name}":[`;
    let first = true;
    let inChunk = 0;
    for (const state of list.states) {
      if (state === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(state);
      first = false;
      if (++inChunk >= perChunk) {
        yield out;
        out = '';
        inChunk = 0;
      }
    }
    out += ']';
  }
  // Read last: evictions during the write are counted.
  yield `${out},"evicted":${JSON.stringify(evicted())}}`;
}
