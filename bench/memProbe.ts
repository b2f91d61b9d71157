/**
 * Where a process's resident memory is, for the ingest benchmark's RSS phase: V8's heap spaces,
 * Node's off-heap accounting, and /proc/self/smaps grouped by kind of mapping (brk heap,
 * thread malloc arenas, other anonymous memory, files). Linux only; elsewhere the proc parts are empty.
 */
import { readFileSync } from 'node:fs';
import * as v8 from 'node:v8';

/** One reading, in MB. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** V8 space name -> [used, committed] MB. */
  spaces: Record<string, [number, number]>;
  /** smaps_rollup: Rss, Anonymous, file-backed (Rss - Anonymous). */
  anonymous: number;
  fileBacked: number;
  /** Resident MB of the brk heap (main malloc arena). */
  brkHeap: number;
  /** Resident MB in 64 MB-aligned reservations that look like glibc thread arenas, and how many. */
  threadArenas: number;
  threadArenaCount: number;
  /** Resident MB of other anonymous mappings (V8 heaps of every isolate, stacks, mmapped mallocs). */
  otherAnon: number;
  threads: number;
}

const MB = 1048576;
const round = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

/** What V8 and Node report inside a process: the part of a reading a process must take itself. */
export interface HeapReading {
  memoryUsage: NodeJS.MemoryUsage;
  spaces: { space_name: string; space_used_size: number; physical_space_size: number }[];
}

/** This process's V8 and Node figures. */
export function readHeap(): HeapReading {
  return { memoryUsage: process.memoryUsage(), spaces: v8.getHeapSpaceStatistics() };
}

/** Reads the current memory picture of this process. */
export function readMemory(): MemoryReading {
  return combine(readHeap(), 'self');
}

/** The memory picture of another process: its own heap figures (sent over IPC) and its /proc entries. */
export function combine(heap: HeapReading, pid: number | 'self'): MemoryReading {
  const m = heap.memoryUsage;
  const spaces: Record<string, [number, number]> = {};
  for (const s of heap.spaces) spaces[s.space_name] = [round(s.space_used_size), round(s.physical_space_size)];
  const reading: MemoryReading = {
    rss: round(m.rss),
    heapUsed: round(m.heapUsed),
    heapTotal: round(m.heapTotal),
    external: round(m.external),
    arrayBuffers: round(m.arrayBuffers),
    spaces,
    anonymous: 0,
    fileBacked: 0,
    brkHeap: 0,
    threadArenas: 0,
    threadArenaCount: 0,
    otherAnon: 0,
    threads: 0,
  };
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) * 1024;
    // The RSS of the moment the proc files are read (the heap figures may be a few ms older).
    reading.rss = round(field('Rss'));
    reading.anonymous = round(field('Anonymous'));
    reading.fileBacked = round(field('Rss') - field('Anonymous'));
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    reading.threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    classify(readFileSync(`/proc/${pid}/smaps`, 'utf8'), reading);
  } catch {
    // Not Linux: the proc parts stay 0.
  }
  return reading;
}

/**
 * A glibc thread arena is a 64 MB-aligned reservation (HEAP_MAX_SIZE) whose used part is
 * read-write and the rest PROT_NONE; the two halves are adjacent mappings summing to 64 MB.
 */
function classify(smaps: string, out: MemoryReading): void {
  const maps: { start: number; end: number; perms: string; name: string; rss: number; anon: number }[] = [];
  let current: (typeof maps)[number] | undefined;
  for (const line of smaps.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      current = { start: parseInt(head[1], 16), end: parseInt(head[2], 16), perms: head[3], name: head[4], rss: 0, anon: 0 };
      maps.push(current);
      continue;
    }
    const kv = /^(Rss|Anonymous):\s+(\d+) kB/.exec(line);
    if (kv && current) current[kv[1] === 'Rss' ? 'rss' : 'anon'] = Number(kv[2]) * 1024;
  }
  const ARENA = 64 * MB;
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i];
    if (m.name === '[heap]') {
      out.brkHeap += m.rss;
      continue;
    }
    if (m.name !== '' || m.anon === 0) continue;
    const next = maps[i + 1];
    const isArena = m.start % ARENA === 0 && m.perms.startsWith('rw') && next !== undefined && next.start === m.end && next.perms.startsWith('---') && next.end - m.start === ARENA;
    if (isArena) {
      out.threadArenas += m.rss;
      out.threadArenaCount++;
    } else out.otherAnon += m.anon;
  }
  out.brkHeap = round(out.brkHeap);
  out.threadArenas = round(out.threadArenas);
  out.otherAnon = round(out.otherAnon);
}

/** A one-paragraph summary of a reading. */
export function describeMemory(r: MemoryReading): string {
  const spaces = Object.entries(r.spaces)
    .filter(([, [, committed]]) => committed >= 0.5)
    .map(([name, [used, committed]]) => `${name.replace(/_space$/, '')} ${used}/${committed}`)
    .join(', ');
  return (
    `RSS ${r.rss} MB (anonymous ${r.anonymous}, file-backed ${r.fileBacked}); main V8 heap ${r.heapUsed} used of ${r.heapTotal} [${spaces}]; ` +
    `external ${r.external} (array buffers ${r.arrayBuffers}); brk heap ${r.brkHeap}, thread arenas ${r.threadArenas} in ${r.threadArenaCount}, other anonymous ${r.otherAnon}; ${r.threads} threads`
  );
}
