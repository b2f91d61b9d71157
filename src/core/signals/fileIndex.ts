import type { Touchable } from './boundedMap';

/**
 * Entries by workspace file, so a query for one file touches only that file's entries. Evicted
 * entries are dropped in `prune`, which the owning BoundedMap's eviction round calls.
 */
export class FileIndex<V extends Touchable> {
  private readonly byFile = new Map<string, V[]>();

  /** Adds an entry under `file` ('' is not indexed). */
  add(file: string, entry: V): void {
    if (file === '') return;
    const list = this.byFile.get(file);
    if (list === undefined) this.byFile.set(file, [entry]);
    else list.push(entry);
  }

  /** The live entries of `file` (entries evicted since the last `prune` are left out). */
  get(file: string): readonly V[] {
    const list = this.byFile.get(file);
    if (list === undefined) return [];
    for (const e of list) if (e.evicted) return list.filter((x) => !x.evicted);
    return list;
  }

  /** Forgets evicted entries (amortized: the owner calls it once per tenth of its cap evicted). */
  prune(): void {
    for (const [file, list] of this.byFile) {
      const live = list.filter((e) => !e.evicted);
      if (live.length === 0) this.byFile.delete(file);
      else if (live.length !== list.length) this.byFile.set(file, live);
    }
  }
}
