/**
 * The DDSketch protobuf (the format of @datadog/sketches-js's toProto, which snapshots hold),
 * written and read by hand for the one shape our sketches have: a fixed index mapping, positive
 * contiguous bins, an empty negative store and a zero count. The library's encoder builds a
 * message object per sketch and its decoder a store grown bin by bin; a snapshot holds a dozen
 * sketches per location for tens of thousands of locations, and a crafted one must cost no more
 * than its length.
 */

/** A decoded sketch: what the bytes say, not yet checked against our parameters. */
export interface SketchMessage {
  gamma: number;
  indexOffset: number;
  interpolation: number;
  /** Bins of the positive store, contiguous from `offset`. */
  counts: Float64Array;
  offset: number;
  /** True when the positive store used the sparse map form, or the negative store holds any bin. */
  foreignBins: boolean;
  zeroCount: number;
}

class Reader {
  at = 0;
  constructor(
    readonly bytes: Buffer,
    readonly end = bytes.length,
  ) {}

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.at >= this.end) throw new Error('sketch bytes end inside a number');
      const b = this.bytes[this.at++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
    throw new Error('sketch bytes hold an overlong number');
  }

  double(): number {
    if (this.at + 8 > this.end) throw new Error('sketch bytes end inside a number');
    const v = this.bytes.readDoubleLE(this.at);
    this.at += 8;
    return v;
  }

  sub(): Reader {
    const len = this.varint();
    if (this.at + len > this.end) throw new Error('sketch bytes end inside a field');
    const r = new Reader(this.bytes, this.at + len);
    r.at = this.at;
    this.at += len;
    return r;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.at += 8;
    else if (wire === 2) this.at += this.varint();
    else if (wire === 5) this.at += 4;
    else throw new Error(`sketch bytes hold wire type ${wire}`);
    if (this.at > this.end) throw new Error('sketch bytes end inside a field');
  }
}

function zigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** Reads a store; `maxBins` bounds the bins it may declare (checked before any is copied). */
function readStore(r: Reader, maxBins: number): { counts: Float64Array; offset: number; sparse: boolean } {
  let counts = new Float64Array(0);
  let offset = 0;
  let sparse = false;
  while (r.at < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1) {
      sparse = true;
      r.skip(wire);
    } else if (field === 2 && wire === 2) {
      const packed = r.sub();
      const n = (packed.end - packed.at) / 8;
      if (!Number.isInteger(n)) throw new Error('sketch bins are not whole doubles');
      if (counts.length + n > maxBins) throw new Error(`sketch has more than ${maxBins} bins`);
      const next = new Float64Array(counts.length + n);
      next.set(counts);
      for (let i = counts.length; i < next.length; i++) next[i] = packed.double();
      counts = next;
    } else if (field === 2 && wire === 1) {
      if (counts.length + 1 > maxBins) throw new Error(`sketch has more than ${maxBins} bins`);
      const next = new Float64Array(counts.length + 1);
      next.set(counts);
      next[counts.length] = r.double();
      counts = next;
    } else if (field === 3 && wire === 0) {
      offset = zigzag(r.varint());
    } else {
      r.skip(wire);
    }
  }
  return { counts, offset, sparse };
}

/** Decodes a sketch's protobuf bytes; throws a one-line Error for bytes that are not one, or declare more than `maxBins` bins. */
export function decodeSketch(bytes: Buffer, maxBins: number): SketchMessage {
  const r = new Reader(bytes);
  const out: SketchMessage = { gamma: NaN, indexOffset: 0, interpolation: 0, counts: new Float64Array(0), offset: 0, foreignBins: false, zeroCount: 0 };
  while (r.at < r.end) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1 && wire === 2) {
      const m = r.sub();
      while (m.at < m.end) {
        const t = m.varint();
        if (t === 0x09) out.gamma = m.double();
        else if (t === 0x11) out.indexOffset = m.double();
        else if (t === 0x18) out.interpolation = m.varint();
        else m.skip(t % 8);
      }
    } else if (field === 2 && wire === 2) {
      const store = readStore(r.sub(), maxBins);
      out.counts = store.counts;
      out.offset = store.offset;
      out.foreignBins ||= store.sparse;
    } else if (field === 3 && wire === 2) {
      const store = readStore(r.sub(), maxBins);
      out.foreignBins ||= store.sparse || store.counts.some((c) => c !== 0);
    } else if (field === 4 && wire === 1) {
      out.zeroCount = r.double();
    } else {
      r.skip(wire);
    }
  }
  return out;
}

function varintBytes(n: number, out: number[]): void {
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

/**
 * Encodes a sketch: `mapping` is the encoded IndexMapping message (the same for every sketch),
 * `bins` the positive store's contiguous bins from `offset`.
 */
export function encodeSketch(mapping: Uint8Array, bins: ArrayLike<number>, offset: number, zeroCount: number): Buffer {
  const store: number[] = [];
  const binBytes = bins.length * 8;
  if (bins.length > 0) {
    store.push(0x12);
    varintBytes(binBytes, store);
  }
  const storeTail: number[] = [0x18];
  varintBytes(offset >= 0 ? offset * 2 : -offset * 2 - 1, storeTail);
  const storeLen = store.length + binBytes + storeTail.length;
  const head: number[] = [0x0a];
  varintBytes(mapping.length, head);
  const positive: number[] = [0x12];
  varintBytes(storeLen, positive);
  // An empty negative store, then the zero count.
  const total = head.length + mapping.length + positive.length + storeLen + 2 + (zeroCount !== 0 ? 9 : 0);
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (const b of head) buf[at++] = b;
  buf.set(mapping, at);
  at += mapping.length;
  for (const b of positive) buf[at++] = b;
  for (const b of store) buf[at++] = b;
  for (let i = 0; i < bins.length; i++, at += 8) buf.writeDoubleLE(bins[i], at);
  for (const b of storeTail) buf[at++] = b;
  buf[at++] = 0x1a;
  buf[at++] = 0;
  if (zeroCount !== 0) {
    buf[at++] = 0x21;
    buf.writeDoubleLE(zeroCount, at);
    at += 8;
  }
  return buf;
}
