/**
 * The three servers bench:peers compares, each a fresh process on free loopback ports:
 *   runtime-lens  `dist/cli.js serve` spawned by the extension's own ReceiverProcess (the Node flags,
 *                 arguments, read-token file and snapshot file the extension gives it) on the
 *                 editor's Node (editorNode.ts);
 *   jaeger        Jaeger v2 all-in-one with memory storage, configured as test/support/backends.ts
 *                 runs it (OTLP/HTTP receiver -> batch -> memstore, max_traces 100,000);
 *   collector     the OpenTelemetry Collector: OTLP/HTTP receiver -> batch processor -> nop exporter.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { StatusResponse } from '../../src/core/api/signals';
import { decodeWorkersFor } from '../../src/core/ingest/decodePool';
import type { Logger } from '../../src/core/logger';
import { ReceiverProcess, RECEIVER_ENV, RECEIVER_NODE_FLAGS } from '../../src/vscode/receiverProcess';
import { backendTempDir, expectHttpOk, freeLoopbackPort, freeLoopbackPorts, startBackendProcess } from '../../test/support/backendProcess';
import { collectorBinary, JAEGER_VERSION, jaegerBinary, jaegerConfig } from '../../test/support/backends';
import { editorNode } from '../editorNode';

/** Which server. */
export type PeerName = 'runtime-lens' | 'jaeger' | 'collector';

/** A running server under test. */
export interface PeerServer {
  name: PeerName;
  /** Where OTLP/HTTP traces go. */
  tracesUrl: string;
  pid: number;
  /** runtime-lens only: its status (spans filed so far), read with its read token. */
  status?: () => Promise<StatusResponse>;
  /** The last lines it logged, for a failure report. */
  logTail(): string;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '..', '..');
const loopback = (port: number): string => `127.0.0.1:${port}`;
// Neither Go server may open its own metrics port (:8888 by default) or log per batch.
const quietTelemetry = { metrics: { level: 'none' }, logs: { level: 'warn' } };

/** How runtime-lens is started, for the report's header. */
export function runtimeLensCommand(): string {
  const flags = [...nodeFlags(process.env.PEERS_NODE_FLAGS, RECEIVER_NODE_FLAGS), ...nodeFlags(process.env.PEERS_EXTRA_NODE_FLAGS, [])];
  // ReceiverProcess adds RECEIVER_ENV where the environment does not set it.
  const env = Object.entries(RECEIVER_ENV).map(([k, v]) => `${k}=${process.env[k] ?? v} `);
  const node = editorNode();
  const command = `${env.join('')}node ${flags.join(' ')} dist/cli.js serve --host 127.0.0.1 --port P --workspace DIR --snapshot FILE --read-token-file FILE`;
  return `\`${command}\`, node being Node ${node.version} (${node.origin})`;
}

/** Which bundle runtime-lens runs and how many decode workers it starts here, for the report's header. */
export function runtimeLensBuild(): string {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  // A development build links a source map and keeps comments: a larger bundle, whose source stays in the heap.
  const bundle = readFileSync(cli, 'utf8').includes('//# sourceMappingURL=') ? 'a development build' : 'the production build, as packaged';
  return `${bundle}, ${decodeWorkersFor()} decode worker(s) on this machine (decodeWorkersFor)`;
}

/** Versions of the peers, for the report's header. */
export function peerVersions(): string {
  return `Jaeger v2 (module v${JAEGER_VERSION}, memory storage), OpenTelemetry Collector v0.165.0 (otlp -> batch -> nop)`;
}

/** Starts `name` for a workspace (only runtime-lens maps to it) and waits until it accepts spans. */
export function startPeer(name: PeerName, workspace: string): Promise<PeerServer> {
  if (name === 'runtime-lens') return startRuntimeLens(workspace);
  return name === 'jaeger' ? startJaeger() : startCollector();
}

async function startRuntimeLens(workspace: string): Promise<PeerServer> {
  const port = await freeLoopbackPort();
  const dir = mkdtempSync(path.join(tmpdir(), 'runtime-lens-peers-'));
  const lines: string[] = [];
  const keep = (level: string) => (message: string) => {
    lines.push(`${level}: ${message}`);
    if (lines.length > 30) lines.shift();
  };
  const log: Logger = { debug: () => {}, info: keep('info'), warn: keep('warn'), error: keep('error') };
  // What the extension passes (src/extension.ts): a snapshot in its storage folder, a per-session
  // read token in its global storage, the bundled CLI, the default Node flags.
  const proc = new ReceiverProcess(
    {
      host: '127.0.0.1',
      port,
      workspace,
      snapshotFile: path.join(dir, 'storage', 'signals.json'),
      tokenFile: path.join(dir, 'global', `receiver-${port}.token`),
      cliPath: path.join(repoRoot, 'dist', 'cli.js'),
      portSetting: 'runtimeLens.receiver.port',
      // For trying other flags: PEERS_NODE_FLAGS replaces the extension's (set but empty: Node's
      // defaults); PEERS_EXTRA_NODE_FLAGS adds some (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
      execArgv: [...nodeFlags(process.env.PEERS_NODE_FLAGS, RECEIVER_NODE_FLAGS), ...nodeFlags(process.env.PEERS_EXTRA_NODE_FLAGS, [])],
      execPath: editorNode().path,
    },
    log,
  );
  const stop = async (): Promise<void> => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { token } = await proc.start();
    const endpoint = proc.endpoint;
    const status = async (): Promise<StatusResponse> => {
      const res = await fetch(`${endpoint}/api/status`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      if (!res.ok) throw new Error(`${endpoint}/api/status: HTTP ${res.status}`);
      return (await res.json()) as StatusResponse;
    };
    // Spans wait for the workspace index; measuring starts once it is built, so its CPU is not counted.
    const deadline = Date.now() + 60_000;
    while (!((await status()).indexedAt ?? 1)) {
      if (Date.now() > deadline) throw new Error('runtime-lens: the workspace index was not ready within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { name: 'runtime-lens', tracesUrl: `${endpoint}/v1/traces`, pid: proc.pid!, status, logTail: () => lines.join('\n'), stop };
  } catch (e) {
    await stop();
    throw new Error(`runtime-lens: ${(e as Error).message}\n${lines.join('\n')}`);
  }
}

const nodeFlags = (value: string | undefined, otherwise: string[]): string[] => (value === undefined ? otherwise : value.split(' ').filter(Boolean));

function writeConfig(dir: string, name: string, config: unknown): string {
  // JSON is YAML, and writing it avoids quoting mistakes in generated YAML.
  const file = path.join(dir, name);
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

// An empty ExportTraceServiceRequest: accepted once the OTLP receiver listens.
const emptyPost: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };

async function startJaeger(): Promise<PeerServer> {
  const [otlpPort, queryPort, queryGrpcPort] = await freeLoopbackPorts(3);
  const dir = backendTempDir('jaeger-peers');
  // The wire tests' all-in-one (test/support/backends.ts startJaeger), with its memory store's
  // default size: old traces are evicted, so memory stays bounded as the receiver's does.
  const config = jaegerConfig({ otlpPort, queryPort, queryGrpcPort, maxTraces: 100_000 });
  const otlp = `http://${loopback(otlpPort)}`;
  const proc = await startBackendProcess({
    name: 'jaeger',
    binary: jaegerBinary(),
    args: ['--config', writeConfig(dir, 'jaeger.yaml', config)],
    dir,
    ready: async () => {
      await expectHttpOk(`http://${loopback(queryPort)}/api/v3/services`);
      await expectHttpOk(`${otlp}/v1/traces`, emptyPost);
    },
  });
  return goPeer('jaeger', otlp, proc);
}

async function startCollector(): Promise<PeerServer> {
  const otlpPort = await freeLoopbackPort();
  const dir = backendTempDir('otelcol-peers');
  const config = {
    receivers: { otlp: { protocols: { http: { endpoint: loopback(otlpPort) } } } },
    // The batch processor's defaults (8,192 spans or 200 ms), as a pipeline in front of an exporter has.
    processors: { batch: {} },
    exporters: { nop: {} },
    service: { telemetry: quietTelemetry, pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['nop'] } } },
  };
  const otlp = `http://${loopback(otlpPort)}`;
  const proc = await startBackendProcess({
    name: 'otelcol',
    binary: collectorBinary(),
    args: ['--config', writeConfig(dir, 'otelcol.yaml', config)],
    dir,
    ready: () => expectHttpOk(`${otlp}/v1/traces`, emptyPost),
  });
  return goPeer('collector', otlp, proc);
}

/** A Go peer as bench:peers drives it: OTLP/HTTP traces at `otlp`, its last log lines for a failure report. */
function goPeer(name: PeerName, otlp: string, proc: Awaited<ReturnType<typeof startBackendProcess>>): PeerServer {
  return { name, tracesUrl: `${otlp}/v1/traces`, pid: proc.pid, logTail: () => proc.log().split('\n').slice(-15).join('\n'), stop: proc.stop };
}
