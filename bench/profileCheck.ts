/**
 * `npm run bench:profile-check`: how far the host profile's stall figures (test/integration/suites/
 * hostProfile.ts) are from the CPU time they stand for. Bursts of a known thread CPU time (20 ms,
 * by process.threadCpuUsage, so Node 24 from .tools) are profiled exactly as the suites profile the
 * extension host, on a quiet machine and with three busy processes competing for the cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { threadCpuMs as measuredThreadCpuMs } from '../src/vscode/activationTiming';
import { profileHost } from '../test/integration/suites/hostProfile';

const BURST_MS = 20;
const BURSTS = 7;

function threadCpuMs(): number {
  const ms = measuredThreadCpuMs();
  if (ms === undefined) throw new Error(`Node ${process.version} has no process.threadCpuUsage: run with Node 24 (npm run bench:profile-check)`);
  return ms;
}

/** Busy for BURST_MS of this thread's CPU time, however long that takes on the clock. */
function burst(): { cpuMs: number; wallMs: number } {
  const c0 = threadCpuMs();
  const w0 = performance.now();
  let x = 0;
  while (threadCpuMs() - c0 < BURST_MS) for (let i = 0; i < 10_000; i++) x += i;
  if (x < 0) console.log(x);
  return { cpuMs: threadCpuMs() - c0, wallMs: performance.now() - w0 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(label: string): Promise<string> {
  const rows: { cpu: number; wall: number; raw: number; capped: number; longest: number }[] = [];
  for (let k = 0; k < BURSTS; k++) {
    const stop = await profileHost(/bench\/profileCheck\.ts$/);
    await new Promise((r) => setTimeout(r, 20));
    const { cpuMs, wallMs } = burst();
    await new Promise((r) => setTimeout(r, 20));
    const s = await stop();
    rows.push({ cpu: cpuMs, wall: wallMs, raw: s.oursMaxShareMs, capped: s.oursMaxShareCappedMs, longest: s.oursLongestSampleMs });
  }
  const col = (f: (r: (typeof rows)[number]) => number) => `${median(rows.map(f)).toFixed(1)} (${Math.min(...rows.map(f)).toFixed(1)}-${Math.max(...rows.map(f)).toFixed(1)})`;
  return `| ${label} | ${col((r) => r.cpu)} | ${col((r) => r.wall)} | ${col((r) => r.raw)} | ${col((r) => r.capped)} | ${col((r) => r.longest)} |`;
}

async function main(): Promise<void> {
  const lines = [
    `${BURSTS} bursts of ${BURST_MS} ms thread CPU each, ms: median (range)`,
    '',
    '| machine | thread CPU | wall | profile: our share of the stretch | same, samples capped at 1 ms | longest sample |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    await measure('quiet'),
  ];
  const spinners: ChildProcess[] = [0, 1, 2].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 500));
    lines.push(await measure('3 busy processes on the cores'));
  } finally {
    for (const s of spinners) s.kill('SIGKILL');
  }
  console.log(`\n${lines.join('\n')}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
