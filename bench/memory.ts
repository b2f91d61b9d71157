/**
 * `npm run bench:memory`: the signal store's memory over a simulated hour (a test clock, no
 * waiting) of steady traffic over 2,000 locations and their 2,000 operations, measured after a
 * forced GC every ten minutes. Shows that memory levels off once the rings are full. Then one
 * latency series' memory after an hour of latencies spread like real ones (the store's traffic
 * gives each location one latency, so its sketches stay one bin wide).
 */
import { emptyCode } from '../src/core/ingest/records';
import { BinSlab } from '../src/core/signals/binSlab';
import { SignalStore } from '../src/core/signals/signalStore';
import { TimeSeries } from '../src/core/signals/timeSeries';

const LOCATIONS = 2_000;
const SPANS_PER_LOCATION_PER_MINUTE = 10;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

async function main(): Promise<void> {
  const base = await settled();
  let now = Date.UTC(2026, 10, 21, 12, 0, 0);
  const store = new SignalStore({}, { now: () => now });
  const resource = { service: 'svc', environment: 'production', revision: '', serviceVersion: '', language: 'nodejs' };
  const locations = Array.from({ length: LOCATIONS }, (_, i) => ({ file: `src/module${i >> 4}.js`, line: i, function: `handler${i}`, mappedBy: 'code-attributes' as const, confidence: 0.95 }));
  const perMinute = LOCATIONS * SPANS_PER_LOCATION_PER_MINUTE;
  const rows: string[] = [];
  for (let minute = 1; minute <= 150; minute++) {
    for (let k = 0; k < perMinute; k++) {
      const i = k % LOCATIONS;
      now += 60_000 / perMinute;
      store.recordSpan(
        {
          traceId: 'a'.repeat(32),
          spanId: 'b'.repeat(16),
          parentSpanId: '',
          name: `GET /api/r${i}`,
          kind: 2,
          startMs: now - 5,
          durationMs: 2 + (k % 400) / 4,
          error: k % 20 === 0,
          statusMessage: '',
          resource,
          code: emptyCode(),
          httpRoute: `/api/r${i}`,
          httpMethod: 'GET',
          exceptions: [],
        },
        locations[i],
        '',
      );
    }
    if (minute % 10 === 0) {
      const m = await settled();
      const mb = (heap: number, ext: number) => ((heap + ext) / 1048576).toFixed(1);
      rows.push(`| ${minute} | ${mb(m.heapUsed - base.heapUsed, m.external - base.external)} |`);
    }
  }
  const started = performance.now();
  store.query({ windowMs: 3_600_000 });
  const queryMs = performance.now() - started;
  console.log(`\n### ${new Date().toISOString().slice(0, 10)} · ${LOCATIONS.toLocaleString('en-US')} locations + operations, ${SPANS_PER_LOCATION_PER_MINUTE} spans each per minute\n`);
  console.log('| minute | store memory (MB, heap + off-heap, after GC) |\n| ---: | ---: |');
  console.log(rows.join('\n'));
  console.log(`\nA 1h query over all of it: ${queryMs.toFixed(0)} ms.`);
}

/** A full GC, and time for V8 to free dead ArrayBuffers' memory (it does so off the main thread). */
async function settled(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage();
}

/**
 * Heap and off-heap bytes per latency series after 62 minutes of 60 log-normal latencies a minute
 * (median 33 ms, ~100x from p1 to p99), the series in one slab compacted as the store does it.
 */
async function seriesAfterAnHour(): Promise<void> {
  const count = 2_000;
  let seed = 1;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const before = await settled();
  const t0 = Date.UTC(2026, 10, 21, 12, 0, 0);
  const slab = new BinSlab();
  const series = Array.from({ length: count }, () => new TimeSeries(3_600_000, true, slab));
  for (let minute = 0; minute < 62; minute++) {
    if (slab.due) slab.compact(() => series.forEach((s) => s.relocate(slab)));
    for (const s of series) {
      for (let n = 0; n < 60; n++) {
        const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        s.add(t0 + minute * 60_000 + n * 1000, Math.exp(3.5 + 0.8 * gauss), false);
      }
    }
  }
  for (const s of series) s.window(t0 + 62 * 60_000, 60_000);
  const after = await settled();
  const heap = (after.heapUsed - before.heapUsed) / count;
  const offHeap = (after.arrayBuffers - before.arrayBuffers) / count;
  console.log(
    `\nOne latency series after an hour of a log-normal spread (${series.length.toLocaleString('en-US')} series): ${((heap + offHeap) / 1024).toFixed(1)} KB (${(heap / 1024).toFixed(1)} KB of heap, ${(offHeap / 1024).toFixed(1)} KB off it; ` +
      `the slab holds ${(slab.stats().chunkBytes / count / 1024).toFixed(1)} KB a series, ${(slab.stats().liveBytes / count / 1024).toFixed(1)} KB of it live at its last compaction).`,
  );
}

void main().then(seriesAfterAnHour);
