import type { LatencySketch } from './latencySketch';

/**
 * A fixed number of sketch slots, each holding a sketch and the period (minute or block) it covers,
 * as one array: the slots' sketches first, then their periods. A series keeps two of these; an
 * object per slot ({id, sketch}) was one more heap object per sketch, tens of thousands of them
 * at high cardinality, for the GC to copy and mark.
 */
export type SketchRing = (LatencySketch | number | undefined)[];

/** A ring of `slots` empty slots. */
export function newSketchRing(slots: number): SketchRing {
  return new Array(slots * 2);
}

/** How many slots `ring` has. */
export function ringSlots(ring: SketchRing): number {
  return ring.length >> 1;
}

/** The sketch in slot `i`, undefined when the slot is empty. */
export function sketchIn(ring: SketchRing, i: number): LatencySketch | undefined {
  return ring[i] as LatencySketch | undefined;
}

/** The period slot `i` covers (meaningful only when it holds a sketch). */
export function periodIn(ring: SketchRing, i: number): number {
  return ring[ringSlots(ring) + i] as number;
}

/** Puts `sketch`, covering `period`, in slot `i`. */
export function putSketch(ring: SketchRing, i: number, period: number, sketch: LatencySketch): void {
  ring[i] = sketch;
  ring[ringSlots(ring) + i] = period;
}

/** The slots that hold a sketch, as [period, sketch], in slot order. */
export function heldSketches(ring: SketchRing): [number, LatencySketch][] {
  const out: [number, LatencySketch][] = [];
  for (let i = 0; i < ringSlots(ring); i++) {
    const sketch = sketchIn(ring, i);
    if (sketch !== undefined) out.push([periodIn(ring, i), sketch]);
  }
  return out;
}

/** The sketches whose period passes `keep`, in slot order, added to `out`. */
export function sketchesWhere(ring: SketchRing, keep: (period: number) => boolean, out: LatencySketch[] = []): LatencySketch[] {
  for (let i = 0; i < ringSlots(ring); i++) {
    const sketch = sketchIn(ring, i);
    if (sketch !== undefined && keep(periodIn(ring, i))) out.push(sketch);
  }
  return out;
}
