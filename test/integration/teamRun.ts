/**
 * One run of the team suite set (suites/team.suite.ts) inside a real VS Code: the demo service
 * exporting to a real OpenTelemetry Collector (spans on to Jaeger, span metrics to Prometheus), and
 * a workspace that switches the embedded receiver off and reads Jaeger and Prometheus through
 * relays this side can cut. The suites ask for a cut and a restore, and read the serve child's
 * `/api/status`, through a small loopback control endpoint served here. Used by team.test.ts and
 * by benchmarks that bring their own (pre-loaded) backends.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ensureBackends, startBackendStack, type BackendStack } from '../support/backends';
import { startDemoWorkspace, type DemoWorkspace } from '../support/demoWorkspace';
import { repoRoot } from '../support/harness';
import { TcpRelay } from '../support/tcpRelay';
import type { SuiteResults } from './suites/index';
import { runSuites } from './vscodeHost';

/** Refresh at the 5 s minimum: stale within seconds of a cut, fresh within seconds of a restore. */
export const TEAM_REFRESH_SECONDS = 5;

/** What a team run needs. */
export interface TeamRunOptions {
  /** Results, logs and the editor's profile go here (default test-results/integration-team). */
  runDir?: string;
  /** Backends already running (a benchmark's, pre-loaded); default: a fresh stack, stopped afterwards. */
  stack?: BackendStack;
  /** Requests per second of the demo's load generator (default 20). */
  rate?: number;
  timeoutMs?: number;
}

/** A finished run: the suites' outcomes, and the backend logs to name when it failed. */
export interface TeamRunOutcome {
  outcome: SuiteResults;
  runDir: string;
  backendLogs: string[];
}

/** The read token the extension wrote for its serve child (`<globalStorage>/receiver-<port>.token`), searched under the user data folder. */
function readTokenUnder(dir: string, port: number): string {
  const name = `receiver-${port}.token`;
  const found = readdirSync(dir, { recursive: true, withFileTypes: true }).find((e) => e.isFile() && e.name === name);
  if (!found) throw new Error(`no ${name} under ${dir}: the extension has not started its serve child`);
  return readFileSync(path.join(found.parentPath, found.name), 'utf8').trim();
}

/** Serves `POST /cut?backend=`, `POST /restore?backend=` and `GET /status` (the serve child's /api/status) on loopback. */
async function startControl(relays: Map<string, TcpRelay>, status: () => Promise<string>): Promise<{ url: string; server: Server }> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/status') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(await status());
      return;
    }
    const relay = relays.get(url.searchParams.get('backend') ?? '');
    if (req.method !== 'POST' || !relay || (url.pathname !== '/cut' && url.pathname !== '/restore')) {
      res.writeHead(404).end(`unknown control request ${req.method} ${url.pathname}${url.search}`);
      return;
    }
    await (url.pathname === '/cut' ? relay.cut() : relay.restore());
    res.writeHead(204).end();
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(err.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Starts what is missing, runs the team suite set in VS Code, stops what it started. */
export async function runTeamSuites(options: TeamRunOptions = {}): Promise<TeamRunOutcome> {
  const runDir = options.runDir ?? path.join(repoRoot, 'test-results', 'integration-team');
  const relays = new Map<string, TcpRelay>();
  let ownStack: BackendStack | undefined;
  let demo: DemoWorkspace | undefined;
  let control: Server | undefined;
  try {
    if (!options.stack) ensureBackends();
    const stack = options.stack ?? (ownStack = await startBackendStack());
    relays.set('jaeger', await TcpRelay.open(stack.jaeger.queryUrl));
    relays.set('prometheus', await TcpRelay.open(stack.prometheus.url));
    let receiverPort = 0;
    const serveStatus = async (): Promise<string> => {
      const token = readTokenUnder(path.join(runDir, 'user-data'), receiverPort);
      const res = await fetch(`http://127.0.0.1:${receiverPort}/api/status`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`/api/status answered ${res.status}`);
      return res.text();
    };
    const started = await startControl(relays, serveStatus);
    control = started.server;
    demo = await startDemoWorkspace({
      root: path.join(repoRoot, 'test-results', 'workspaces-team'),
      otlpEndpoint: stack.collector.otlpHttpUrl,
      ...(options.rate !== undefined ? { rate: options.rate } : {}),
      settings: {
        'runtimeLens.receiver.enabled': false,
        'runtimeLens.sources': [
          { kind: 'jaeger', url: relays.get('jaeger')!.url, refreshSeconds: TEAM_REFRESH_SECONDS },
          { kind: 'prometheus', url: relays.get('prometheus')!.url, refreshSeconds: TEAM_REFRESH_SECONDS },
        ],
      },
    });
    receiverPort = demo.receiverPort;
    const outcome = await runSuites({
      workspace: demo.workspace,
      runDir,
      env: { RUNTIME_LENS_SUITES: 'team', RUNTIME_LENS_TEAM_CONTROL: started.url },
      timeoutMs: options.timeoutMs ?? 360_000,
    });
    return { outcome, runDir, backendLogs: [stack.jaeger.logFile, stack.collector.logFile, stack.prometheus.logFile] };
  } finally {
    await demo?.stop();
    if (control) {
      control.closeAllConnections();
      await new Promise<void>((resolve) => control!.close(() => resolve()));
    }
    await Promise.all([...relays.values()].map((r) => r.close()));
    await ownStack?.stop();
  }
}
