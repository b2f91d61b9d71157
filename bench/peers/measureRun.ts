/**
 * One measured run of bench:peers: a fresh server, N spans from a sender child process, and what
 * the server spent on them, read from /proc. CPU is read just before the first send, at the last
 * acknowledgement and again SETTLE_MS after everything accepted was done (for runtime-lens, after
 * its /api/status says every accepted span was filed; it acknowledges before filing, and the Go
 * servers' batch processors also hold work behind the ack): the settled reading is the one reported.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { BATCH_SIZE } from '../corpus';
import { cpuSeconds, machineBusySeconds, peakRssMb } from './procStats';
import { type PeerName, startPeer } from './peerServers';
import type { SenderReport } from './sender';

/** Wire encodings, named as the tables name them. */
export type Encoding = 'protobuf' | 'JSON';

/** What one run measured; `error` set when the peer misbehaved (then the figures may be missing). */
export interface RunResult {
  peer: PeerName;
  ackedSpans: number;
  /** The rate compared: acked spans / (first send -> last ack), or for runtime-lens -> all filed. */
  spansPerSec: number;
  /** acked spans / (first send -> last ack), for every peer. */
  ackSpansPerSec: number;
  /** Server CPU seconds per 100,000 acked spans, settled (see the file's comment). */
  cpuPer100k: number;
  /** The same at the last acknowledgement. */
  cpuPer100kAtAck: number;
  peakRssMb: number;
  retries: number;
  /**
   * CPU the rest of the machine spent while spans were sent (busy time from /proc/stat less the
   * server's and the sender's), in cores: near 0 on a quiet machine; more means the figures are disturbed.
   */
  otherCores: number;
  /** Requests the sender gave up on, and why the first one failed. */
  failedRequests: number;
  error?: string;
}

const SETTLE_MS = 1_000;
const CONCURRENCY = 4;
/** How long runtime-lens may take to file what it acknowledged before the run counts as failed. */
const FILE_TIMEOUT_MS = 300_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Starts `peer`, sends `spans` spans of `files` (cycled) as `encoding`, measures, stops it. With
 * `warmSpans`, that many are sent first, unmeasured (and, for runtime-lens, filed): the figures are
 * then those of a process past its start, whose store has filled to its caps.
 */
export async function measureRun(peer: PeerName, workspace: string, files: string[], encoding: Encoding, spans: number, warmSpans = 0): Promise<RunResult> {
  const server = await startPeer(peer, workspace);
  const result: RunResult = { peer, ackedSpans: 0, spansPerSec: 0, ackSpansPerSec: 0, cpuPer100k: 0, cpuPer100kAtAck: 0, peakRssMb: 0, otherCores: 0, retries: 0, failedRequests: 0 };
  const senders: ChildProcess[] = [];
  const contentType = encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  try {
    if (warmSpans > 0) {
      const warmBefore = server.status ? filed(await server.status()) : 0;
      const warm = startSender(server, contentType, Math.ceil(warmSpans / BATCH_SIZE), files, senders);
      await warm.nextLine();
      warm.child.stdin!.write('go\n');
      const warmReport = JSON.parse(await warm.nextLine()) as SenderReport;
      await warm.exited;
      if (warmReport.failed > 0) throw new Error(`${warmReport.failed} warm-up requests failed (${warmReport.firstFailure ?? 'no answer'})`);
      if (server.status) await allFiled(server.status, warmBefore, warmReport.ackedSpans);
    }
    const filedBefore = server.status ? filed(await server.status()) : 0;
    const requests = Math.ceil(spans / BATCH_SIZE);
    const { child, nextLine, exited } = startSender(server, contentType, requests, files, senders);
    await nextLine(); // {"ready":true}: its files are loaded
    const cpuStart = cpuSeconds(server.pid);
    const machineStart = machineBusySeconds();
    child.stdin!.write('go\n');
    const report = JSON.parse(await nextLine()) as SenderReport;
    const cpuAtAck = cpuSeconds(server.pid);
    const machineAtAck = machineBusySeconds();
    await exited;
    let doneAt = report.lastAckAt;
    if (server.status) {
      // It acknowledges before filing: its rate runs until everything acknowledged is filed.
      await allFiled(server.status, filedBefore, report.ackedSpans);
      doneAt = epochNow();
    }
    await sleep(SETTLE_MS);
    const cpuSettled = cpuSeconds(server.pid);
    result.peakRssMb = peakRssMb(server.pid);
    result.ackedSpans = report.ackedSpans;
    result.retries = report.retries;
    result.failedRequests = report.failed;
    const sendSeconds = (report.lastAckAt - report.firstSendAt) / 1000;
    result.otherCores = sendSeconds > 0 ? Math.max(0, machineAtAck - machineStart - (cpuAtAck - cpuStart) - report.cpuSeconds) / sendSeconds : 0;
    result.ackSpansPerSec = rate(report.ackedSpans, report.lastAckAt - report.firstSendAt);
    result.spansPerSec = rate(report.ackedSpans, doneAt - report.firstSendAt);
    result.cpuPer100k = per100k(cpuSettled - cpuStart, report.ackedSpans);
    result.cpuPer100kAtAck = per100k(cpuAtAck - cpuStart, report.ackedSpans);
    if (report.failed > 0) result.error = `${report.failed} of ${requests} requests failed (${report.firstFailure ?? 'no answer'}); figures count the acknowledged spans only`;
  } catch (e) {
    result.error = `${(e as Error).message}\n${server.logTail()}`;
  } finally {
    for (const sender of senders) if (sender.exitCode === null && sender.signalCode === null) sender.kill('SIGKILL');
    await server.stop();
  }
  return result;
}

/** A sender child process for `requests` requests, waiting for 'go' once it prints that it is ready. */
function startSender(server: { tracesUrl: string }, contentType: string, requests: number, files: string[], started: ChildProcess[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'sender.ts'), server.tracesUrl, contentType, String(requests), String(BATCH_SIZE), String(CONCURRENCY), ...files], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error(`the sender exited (code ${await exited}) before reporting`);
    return line.value;
  };
  return { child, nextLine, exited };
}

/** Waits until runtime-lens has filed `acked` spans past the `before` it had filed (it acknowledges before filing). */
async function allFiled(status: () => Promise<{ spansProcessed: number; spansFailed?: number }>, before: number, acked: number): Promise<void> {
  const deadline = Date.now() + FILE_TIMEOUT_MS;
  for (;;) {
    const s = await status();
    if (filed(s) >= before + acked) return;
    if (Date.now() > deadline) throw new Error(`filed ${filed(s) - before} of ${acked} acknowledged spans within ${FILE_TIMEOUT_MS / 1000} s`);
    await sleep(20);
  }
}

function filed(s: { spansProcessed: number; spansFailed?: number }): number {
  return s.spansProcessed + (s.spansFailed ?? 0);
}

function rate(spans: number, ms: number): number {
  return ms > 0 ? (spans * 1000) / ms : 0;
}

function per100k(cpu: number, spans: number): number {
  return spans > 0 ? (cpu * 100_000) / spans : 0;
}
