/**
 * Following units through the edits of one update: which previous units an edit touched, where the
 * untouched ones moved, and how they pair with the units of the new tree (incremental.ts uses it).
 */
import type { TextChange } from './parser';
import type { GrammarLanguage } from './languages';
import type { Unit } from './units';
import { classifyUnit } from './units';

/** A unit of the previous tree, tracked through the edits of one update. */
export interface TrackedUnit extends Unit {
  dirty: boolean;
  /** Offsets after the edits so far (meaningful while not dirty). */
  newStart: number;
  newEnd: number;
  rowDelta: number;
}

/** A change as lines: rows of the text before it, and the row its new text ends on. */
export interface RowChange {
  startRow: number;
  oldEndRow: number;
  newEndRow: number;
}

export function rowChangeOf(text: string, change: TextChange): RowChange {
  const startRow = countNewlines(text, 0, change.start);
  const oldEndRow = startRow + countNewlines(text, change.start, change.end);
  return { startRow, oldEndRow, newEndRow: startRow + countNewlines(change.text, 0, change.text.length) };
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Marks units the change touches (by rows: a unit sharing a row with the change is re-checked) and moves the rest. */
export function trackUnits(units: TrackedUnit[], change: TextChange, rows: RowChange): void {
  const delta = change.text.length - (change.end - change.start);
  const rowDelta = rows.newEndRow - rows.oldEndRow;
  for (const u of units) {
    if (u.dirty) continue;
    const startRow = u.startRow + u.rowDelta;
    const endRow = u.endRow + u.rowDelta;
    if (endRow < rows.startRow) continue;
    if (startRow > rows.oldEndRow) {
      u.newStart += delta;
      u.newEnd += delta;
      u.rowDelta += rowDelta;
    } else {
      u.dirty = true;
    }
  }
}

export interface MatchPlan {
  dirtyNew: Unit[];
  dirtyOld: Unit[];
  dirtyNewIndex: Set<number>;
  /** Rows (of the text before the update) whose findings are dropped. */
  dirtyOldRows: [number, number][];
  contextTouched: boolean;
}

/**
 * Pairs the previous units that the edits did not touch with the new units at their moved
 * offsets; everything unpaired is re-checked, along with any unit sharing a row with it.
 */
export function matchUnits(old: TrackedUnit[], fresh: Unit[], language: GrammarLanguage): MatchPlan {
  const byStart = new Map<number, number>();
  fresh.forEach((u, i) => byStart.set(u.start, i));
  const pairOfOld = new Map<number, number>();
  const pairOfNew = new Map<number, number>();
  old.forEach((u, i) => {
    if (u.dirty) return;
    const j = byStart.get(u.newStart);
    const n = j === undefined ? undefined : fresh[j];
    if (j === undefined || !n || n.end !== u.newEnd || n.type !== u.type || n.member !== u.member) return;
    // error recovery inside a unit can parse it differently once text elsewhere changes: check it again
    if (n.node?.hasError) return;
    n.kind = u.kind; // same text, same kind
    n.imports = u.imports;
    pairOfOld.set(i, j);
    pairOfNew.set(j, i);
  });
  const oldDirty = new Set(old.map((_, i) => i).filter((i) => !pairOfOld.has(i)));
  const newDirty = new Set(fresh.map((_, i) => i).filter((i) => !pairOfNew.has(i)));
  // Closure: a unit sharing rows with a re-checked one is re-checked too, on both sides.
  for (let changed = true; changed; ) {
    changed = spreadByRows(old, oldDirty) || spreadByRows(fresh, newDirty);
    for (const i of oldDirty) {
      const j = pairOfOld.get(i);
      if (j !== undefined && !newDirty.has(j)) newDirty.add(j), (changed = true);
    }
    for (const j of newDirty) {
      const i = pairOfNew.get(j);
      if (i !== undefined && !oldDirty.has(i)) oldDirty.add(i), (changed = true);
    }
  }
  const contextTouched = [...oldDirty].some((i) => old[i]!.kind !== 'code') || [...newDirty].some((j) => classifyUnit(fresh[j]!, language) === 'context');
  return {
    dirtyNew: [...newDirty].sort((a, b) => a - b).map((j) => fresh[j]!),
    dirtyNewIndex: newDirty,
    dirtyOld: [...oldDirty].map((i) => old[i]!),
    dirtyOldRows: [...oldDirty].map((i) => [old[i]!.startRow, old[i]!.endRow]),
    contextTouched,
  };
}

function spreadByRows(units: readonly Unit[], dirty: Set<number>): boolean {
  let changed = false;
  for (const i of [...dirty]) {
    const d = units[i]!;
    units.forEach((u, j) => {
      if (!dirty.has(j) && u.startRow <= d.endRow && u.endRow >= d.startRow) {
        dirty.add(j);
        changed = true;
      }
    });
  }
  return changed;
}
