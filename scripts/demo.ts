/**
 * `npm start`: the demo. `npm run demo:team` (`--team`): the same service exporting as production
 * would, to an OpenTelemetry Collector that sends spans to Jaeger and span metrics to Prometheus
 * (all real, on loopback), and VS Code reading Jaeger and Prometheus only (its receiver off).
 * Builds and packages the extension, installs it into a private
 * code-server, starts the sample orders service (and its inventory downstream) with a steady
 * load, and prints one line `Demo ready: <url>`. Ctrl+C (or SIGTERM) stops everything it started.
 * Progress goes to stderr, the ready line to stdout; each process logs to .tools/demo/logs/.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { packageExtension } from './package';
import { ensureCodeServer, installExtension, QUIET_SETTINGS, repoRoot, startCodeServer } from './lib/codeServer';
import { createDemoRepo } from './lib/demoRepo';
import { startGroup } from './lib/processGroup';
import type { StartedGroup } from './lib/processGroup';
import { ensureBackends, startBackendStack } from '../test/support/backends';

const TEAM = process.argv.includes('--team');

const demoDir = join(repoRoot, '.tools', 'demo');
const logDir = join(demoDir, 'logs');
const extensionsDir = join(demoDir, 'extensions');
const userDataDir = join(demoDir, 'user-data');
// The service runs from a fresh copy in its own git repository, where shipping.js is committed as AI-written.
const serviceDir = join(demoDir, 'workspace', 'orders-service');
const DEFAULT_DEMO_PORT = 8080;
const DEFAULT_OTLP_PORT = 4318;

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

const started: Stoppable[] = [];
let stopping = false;

function progress(line: string): void {
  process.stderr.write(`demo: ${line}\n`);
}

/** Stops everything started so far, all at once (each gets its grace period; none waits for another). */
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    progress('stopping');
    await Promise.all(started.splice(0).map((item) => item.stop().catch((err: unknown) => progress(`${item.name} did not stop cleanly: ${(err as Error).message}`))));
  }
  process.exit(code);
}

/** The port from an environment variable, or one clear error. */
function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a port number (1-65535), not "${raw}"`);
  return port;
}

/** Whether 127.0.0.1:port can be bound now (0 asks for any free port; resolves with the port or null). */
function tryBind(port: number): Promise<number | null> {
  return new Promise((resolveBind) => {
    const server = createServer();
    server.once('error', () => resolveBind(null));
    server.listen(port, '127.0.0.1', () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolveBind(bound));
    });
  });
}

/** The environment for the sample processes: this script's, minus tsx's loader flags. */
function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_OPTIONS;
  return env;
}

/** Starts one of the sample's Node scripts as its own process group; resolves once it prints `ready`. */
async function startNode(name: string, script: string, env: Record<string, string>, ready: RegExp): Promise<StartedGroup> {
  const group = await startGroup(process.execPath, [script], { name, cwd: serviceDir, env: serviceEnv(env), logFile: join(logDir, `${name}.log`), ready, timeoutMs: 30_000 });
  started.push({ name, stop: () => group.stop() });
  return group;
}

/** Ends the demo if a process it depends on ends on its own. */
function watch(name: string, exited: Promise<string>, onExit?: (how: string) => boolean): void {
  void exited.then((how) => {
    if (stopping) return;
    if (onExit?.(how)) return;
    progress(`${name} exited (${how}); see ${join(logDir, `${name}.log`)}`);
    void stopAll(1);
  });
}

async function main(): Promise<void> {
  const demoPort = portFrom('DEMO_PORT', DEFAULT_DEMO_PORT);
  if ((await tryBind(demoPort)) === null) throw new Error(`port ${demoPort} is in use; set DEMO_PORT to a free port`);

  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });

  progress('building and packaging the extension');
  const vsix = await packageExtension({ log: progress });
  progress('checking code-server');
  await ensureCodeServer();
  await installExtension(vsix, extensionsDir);
  progress(`installed ${vsix.slice(repoRoot.length + 1)} into ${extensionsDir.slice(repoRoot.length + 1)}`);

  // The extension's receiver takes the standard OTLP port unless something else already has it.
  let otlpPort = DEFAULT_OTLP_PORT;
  if ((await tryBind(otlpPort)) === null) {
    otlpPort = (await tryBind(0)) ?? 0;
    progress(`port ${DEFAULT_OTLP_PORT} is in use; the receiver will listen on ${otlpPort}`);
  }
  let endpoint = `http://127.0.0.1:${otlpPort}`;
  const teamSettings: Record<string, unknown> = {};
  if (TEAM) {
    progress('starting Jaeger, the OpenTelemetry Collector and Prometheus (built on first run: a few minutes, once)');
    ensureBackends();
    const stack = await startBackendStack();
    started.push({ name: 'backends', stop: () => stack.stop() });
    endpoint = stack.collector.otlpHttpUrl;
    teamSettings['runtimeLens.receiver.enabled'] = false;
    teamSettings['runtimeLens.sources'] = [
      { kind: 'jaeger', url: stack.jaeger.queryUrl },
      { kind: 'prometheus', url: stack.prometheus.url },
    ];
    progress(`Jaeger UI and API at ${stack.jaeger.queryUrl}; Prometheus at ${stack.prometheus.url}`);
  }

  progress('starting the sample service');
  createDemoRepo(serviceDir);
  const inventory = await startNode('inventory', 'inventory.js', { INVENTORY_PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, /inventory listening on (http:\/\/\S+)/);
  watch('inventory', inventory.exited);
  const orders = await startNode('orders-service', 'server.js', { PORT: '0', INVENTORY_URL: inventory.match[1]!, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }, /orders-service listening on (http:\/\/\S+)/);
  watch('orders-service', orders.exited);
  const loadgen = await startNode('loadgen', 'loadgen.js', { ORDERS_URL: orders.match[1]! }, /loadgen: .* requests\/s/);
  watch('loadgen', loadgen.exited, (how) => {
    // It stops by itself after LOADGEN_DURATION_S; the demo stays up, just quieter.
    if (how === '0') progress('the load generator finished (LOADGEN_DURATION_S); the service keeps running');
    return how === '0';
  });

  progress('starting code-server');
  // A fresh profile each run: no editors, panels or snapshots left from the last demo.
  rmSync(userDataDir, { recursive: true, force: true });
  const settings: Record<string, unknown> = { ...QUIET_SETTINGS, ...teamSettings };
  if (otlpPort !== DEFAULT_OTLP_PORT) settings['runtimeLens.receiver.port'] = otlpPort;
  const codeServer = await startCodeServer({
    folder: serviceDir,
    port: demoPort,
    userDataDir,
    extensionsDir,
    settings,
    logFile: join(logDir, 'code-server.log'),
  });
  started.push({ name: 'code-server', stop: () => codeServer.stop() });
  watch('code-server', codeServer.exited);

  progress(`the service sends spans to ${TEAM ? 'the collector at ' : ''}${endpoint}; logs in ${logDir.slice(repoRoot.length + 1)}; Ctrl+C stops everything`);
  process.stdout.write(`Demo ready: ${codeServer.url}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stopAll(0));
}
// `npm start` passes SIGTERM only to the shell it runs us in, which dies without passing it on:
// when our parent goes away, stop as if signalled.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stopAll(0);
}, 1000).unref();

main().catch((err: unknown) => {
  progress(`failed: ${(err as Error).message}`);
  void stopAll(1);
});
