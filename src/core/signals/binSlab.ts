/** The typed arrays a slab hands out views of. */
export type SlabView = Uint8Array | Uint16Array | Uint32Array | Float32Array | Float64Array;
export type SlabKind = { new (buffer: ArrayBuffer): SlabView; readonly BYTES_PER_ELEMENT: number };

/** Regions start on 8-byte boundaries, so that every kind's view can index them. */
const ALIGN = 8;
/** The first chunk of a slab: a store that holds little (most of the tests') takes little. */
const FIRST_CHUNK = 16 * 1024;
/** Chunks grow with what the slab holds, up to this; a larger region gets a chunk of its own size. */
const MAX_CHUNK = 1024 * 1024;
/** Bytes taken since the last compaction that make one due, at the least. */
const MIN_DUE = 256 * 1024;

/**
 * Memory for the sketch bins and minute slots of a store's series: regions of a few large
 * ArrayBuffers instead of a typed array each. A typed array costs ~200 bytes of V8 heap before its
 * data (the view and its ArrayBuffer object; on Node 24, `new Uint16Array(16)` is 257 bytes), and
 * at 10,000 locations the store held ~60,000 of them, most holding a few dozen bytes.
 *
 * Regions are taken from the end of the current chunk and never handed out again: a region is its
 * owner's alone for as long as the owner holds it, whatever else happens. What owners outgrow or
 * drop stays in its chunk as garbage until a compaction, which the store runs when enough has been
 * taken since the last one (see `due`): it moves every region of every live series (`relocate`)
 * into fresh chunks and lets go of the old ones. An owner the store does not visit then (an entry
 * evicted while a caller still held it) keeps its old chunk alive through its own view and keeps
 * working in it; nothing else writes there any more.
 */
export class BinSlab {
  private buffer = new ArrayBuffer(0);
  private views = new Map<SlabKind, SlabView>();
  /** Bytes of the current chunk in use. */
  private top = 0;
  /** Bytes of chunks taken since the last compaction began (the current one included). */
  private held = 0;
  /** Bytes of regions taken since the last compaction ended. */
  private sinceCompaction = 0;
  /** Bytes the last compaction moved: what was live then. */
  private live = 0;
  compactions = 0;

  /** True when enough has been taken since the last compaction that the next safe point should run one. */
  get due(): boolean {
    return this.sinceCompaction > Math.max(MIN_DUE, this.live / 2);
  }

  /**
   * Takes a zeroed region of `length` elements of `Kind` and returns the index of its first element
   * in `view(Kind)`, which must be read after this call (the region may be in a new chunk).
   */
  take(Kind: SlabKind, length: number): number {
    const bytes = Math.ceil((length * Kind.BYTES_PER_ELEMENT) / ALIGN) * ALIGN;
    if (this.top + bytes > this.buffer.byteLength) this.newChunk(bytes);
    const at = this.top;
    this.top += bytes;
    this.sinceCompaction += bytes;
    return at / Kind.BYTES_PER_ELEMENT;
  }

  /** The view of `Kind` over the chunk the last region was taken from. */
  view(Kind: SlabKind): SlabView {
    let view = this.views.get(Kind);
    if (view === undefined) {
      view = new Kind(this.buffer);
      this.views.set(Kind, view);
    }
    return view;
  }

  /**
   * Moves the regions `relocateAll` takes again (every live owner's, see TimeSeries.relocate) into
   * fresh chunks; the old chunks are let go (the GC frees them once no stale owner holds a view).
   */
  compact(relocateAll: () => void): void {
    // No room left: the next region opens a fresh chunk.
    this.buffer = new ArrayBuffer(0);
    this.views = new Map();
    this.top = 0;
    this.held = 0;
    this.sinceCompaction = 0;
    relocateAll();
    this.live = this.sinceCompaction;
    this.sinceCompaction = 0;
    this.compactions++;
  }

  /** Bytes of chunks taken since the last compaction began, and bytes live at its end (for tests and benchmarks). */
  stats(): { chunkBytes: number; liveBytes: number; compactions: number } {
    return { chunkBytes: this.held, liveBytes: this.live, compactions: this.compactions };
  }

  /** A new current chunk of at least `atLeast` bytes, half as large as what the slab holds (so chunks are few), within bounds. */
  private newChunk(atLeast: number): void {
    let size = FIRST_CHUNK;
    while (size < MAX_CHUNK && size < this.held / 2) size *= 2;
    size = Math.max(size, Math.ceil(atLeast / ALIGN) * ALIGN);
    this.buffer = new ArrayBuffer(size);
    this.views = new Map();
    this.top = 0;
    this.held += size;
  }
}

/**
 * `length` zeroed elements of `Kind`: a region of `slab`, or an array of their own when there is
 * no slab. Returns the array holding them and the index of the first.
 */
export function takeZeroed(slab: BinSlab | null, Kind: SlabKind & (new (length: number) => SlabView), length: number): [SlabView, number] {
  if (slab === null) return [new Kind(length), 0];
  const base = slab.take(Kind, length);
  return [slab.view(Kind), base];
}
