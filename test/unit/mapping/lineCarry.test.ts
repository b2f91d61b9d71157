import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { carryLine, parseUnifiedDiffHunks } from '../../../src/core/mapping/lineCarry';

// Recorded from `git diff -U0 --no-color HEAD -- f` (git 2.39) after turning a,b,c,d,e into
// X,a,c,D,e,Y: one line inserted at the top, b deleted, d changed, Y appended.
const GIT_U0 = ['diff --git a/f b/f', 'index 9405325..d98a0a4 100644', '--- a/f', '+++ b/f', '@@ -0,0 +1 @@', '+X', '@@ -2 +2,0 @@ a', '-b', '@@ -4 +4 @@ c', '-d', '+D', '@@ -5,0 +6 @@ e', '+Y', ''].join('\n');

describe('parseUnifiedDiffHunks', () => {
  it('reads git -U0 hunks, with and without counts and section headings', () => {
    assert.deepEqual(parseUnifiedDiffHunks(GIT_U0), [
      { oldStart: 0, oldCount: 0, newStart: 1, newCount: 1 },
      { oldStart: 2, oldCount: 1, newStart: 2, newCount: 0 },
      { oldStart: 4, oldCount: 1, newStart: 4, newCount: 1 },
      { oldStart: 5, oldCount: 0, newStart: 6, newCount: 1 },
    ]);
  });

  it('reduces a hunk with context to its changed runs', () => {
    const diff = ['@@ -1,5 +1,5 @@', '+X', ' a', '-b', ' c', '-d', '+D', ' e', '\\ No newline at end of file', ''].join('\n');
    assert.deepEqual(parseUnifiedDiffHunks(diff), [
      { oldStart: 0, oldCount: 0, newStart: 1, newCount: 1 },
      { oldStart: 2, oldCount: 1, newStart: 2, newCount: 0 },
      { oldStart: 4, oldCount: 1, newStart: 4, newCount: 1 },
    ]);
  });

  it('treats an inner empty line as context whose space was stripped', () => {
    const diff = ['@@ -1,3 +1,3 @@', ' a', '', '-c', '+C'].join('\n');
    assert.deepEqual(parseUnifiedDiffHunks(diff), [{ oldStart: 3, oldCount: 1, newStart: 3, newCount: 1 }]);
  });

  it('returns no hunks for an empty diff or a header-only rename', () => {
    assert.deepEqual(parseUnifiedDiffHunks(''), []);
    const rename = 'diff --git a/x b/y\nsimilarity index 100%\nrename from x\nrename to y\n';
    assert.deepEqual(parseUnifiedDiffHunks(rename), []);
  });

  it('rejects malformed and truncated hunks', () => {
    assert.throws(() => parseUnifiedDiffHunks('@@ -a,1 +1 @@\n-x\n'), /malformed hunk header/);
    assert.throws(() => parseUnifiedDiffHunks('@@ -1,2 +1,2 @@\n-x\n+y\n'), /truncated hunk/);
    assert.throws(() => parseUnifiedDiffHunks('@@ -1 +1 @@\n-x\n-y\n'), /does not match its header/);
  });
});

describe('carryLine', () => {
  const hunks = parseUnifiedDiffHunks(GIT_U0);

  it('carries untouched lines across inserts and deletes', () => {
    assert.equal(carryLine(hunks, 1), 2); // a: shifted by the insert at the top
    assert.equal(carryLine(hunks, 3), 3); // c: +1 insert, -1 delete
    assert.equal(carryLine(hunks, 5), 5); // e
  });

  it('gives null for deleted and changed lines', () => {
    assert.equal(carryLine(hunks, 2), null); // b deleted
    assert.equal(carryLine(hunks, 4), null); // d changed
  });

  it('carries lines past the end of every hunk and rejects non-lines', () => {
    assert.equal(carryLine(hunks, 9), 10);
    assert.equal(carryLine([], 7), 7);
    assert.equal(carryLine(hunks, 0), null);
    assert.equal(carryLine(hunks, -3), null);
    assert.equal(carryLine(hunks, 1.5), null);
  });

  it('treats an insertion after line k as moving k+1 but not k', () => {
    const insertAfter3 = [{ oldStart: 3, oldCount: 0, newStart: 4, newCount: 2 }];
    assert.equal(carryLine(insertAfter3, 3), 3);
    assert.equal(carryLine(insertAfter3, 4), 6);
  });
});

/** One edit: for every old line, lines inserted before it and whether it survives. */
interface Edit {
  oldLines: number;
  insertsBefore: number[]; // length oldLines + 1 (last: appended at the end)
  keep: boolean[];
}

const editArb: fc.Arbitrary<Edit> = fc.integer({ min: 0, max: 25 }).chain((n) =>
  fc.record({
    oldLines: fc.constant(n),
    insertsBefore: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }), {
      minLength: n + 1,
      maxLength: n + 1,
    }),
    keep: fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), {
      minLength: n,
      maxLength: n,
    }),
  }),
);

type Entry = { kind: ' ' | '-' | '+'; text: string };

function entriesOf(edit: Edit): Entry[] {
  const entries: Entry[] = [];
  let added = 0;
  for (let i = 0; i <= edit.oldLines; i++) {
    for (let k = 0; k < edit.insertsBefore[i]!; k++) entries.push({ kind: '+', text: `new${added++}` });
    if (i < edit.oldLines) entries.push({ kind: edit.keep[i] ? ' ' : '-', text: `old${i + 1}` });
  }
  return entries;
}

/** The whole file as one hunk with full context. */
function fullContextDiff(entries: Entry[]): string {
  const oldCount = entries.filter((e) => e.kind !== '+').length;
  const newCount = entries.filter((e) => e.kind !== '-').length;
  const body = entries.map((e) => `${e.kind}${e.text}`);
  return [`--- a/f`, `+++ b/f`, `@@ -${oldCount === 0 ? 0 : 1},${oldCount} +${newCount === 0 ? 0 : 1},${newCount} @@`, ...body, ''].join('\n');
}

/** What git -U0 prints: one header per changed run, counts of 1 omitted. */
function zeroContextDiff(entries: Entry[]): string {
  const out: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  let i = 0;
  while (i < entries.length) {
    if (entries[i]!.kind === ' ') {
      oldLine++;
      newLine++;
      i++;
      continue;
    }
    const run: Entry[] = [];
    while (i < entries.length && entries[i]!.kind !== ' ') run.push(entries[i++]!);
    const removed = run.filter((e) => e.kind === '-');
    const added = run.filter((e) => e.kind === '+');
    const side = (start: number, count: number): string => (count === 1 ? `${start}` : `${count === 0 ? start - 1 : start},${count}`);
    out.push(`@@ -${side(oldLine, removed.length)} +${side(newLine, added.length)} @@`);
    for (const e of [...removed, ...added]) out.push(`${e.kind}${e.text}`);
    oldLine += removed.length;
    newLine += added.length;
  }
  return out.join('\n') + '\n';
}

describe('carryLine against generated edits', () => {
  it('maps every surviving line to where its text is in the new file, and the rest to null', () => {
    fc.assert(
      fc.property(editArb, fc.boolean(), (edit, withContext) => {
        const entries = entriesOf(edit);
        const newFile = entries.filter((e) => e.kind !== '-').map((e) => e.text);
        const hunks = parseUnifiedDiffHunks(withContext ? fullContextDiff(entries) : zeroContextDiff(entries));
        for (let line = 1; line <= edit.oldLines; line++) {
          const carried = carryLine(hunks, line);
          if (edit.keep[line - 1]) {
            assert.equal(carried === null ? null : newFile[carried - 1], `old${line}`);
          } else {
            assert.equal(carried, null);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
