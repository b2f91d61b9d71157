/**
 * The demo service as a test fixture: the demo repository (scripts/lib/demoRepo.ts: the service,
 * then its AI-written shipping.js) under test-results/, with the extension's receiver on a free
 * port, the service, its flaky downstream and the load generator running and sending real OTLP there.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { AI_FILE, createDemoRepo } from '../../scripts/lib/demoRepo';
import { startGroup, type StartedGroup } from '../../scripts/lib/processGroup';
import { freeLoopbackPort, freeLoopbackPorts } from './backendProcess';
import { repoRoot } from './harness';

/** A running fixture. */
export interface DemoWorkspace {
  /** The folder VS Code opens. */
  workspace: string;
  /** Where the extension's receiver listens (from the workspace settings). */
  receiverPort: number;
  stop(): Promise<void>;
}

/** Options for `startDemoWorkspace`. */
export interface DemoWorkspaceOptions {
  /** Parent folder of the copy (default test-results/workspaces). */
  root?: string;
  /** Extra workspace settings. */
  settings?: Record<string, unknown>;
  /** Requests per second of the load generator (default 20). */
  rate?: number;
  /** Where the services send OTLP (default the extension's receiver), e.g. a collector's OTLP/HTTP base. */
  otlpEndpoint?: string;
}

/** The file the demo repository commits as AI-written. */
export { AI_FILE };

/** A free TCP port on loopback (bound and released). */
export const freePort = freeLoopbackPort;

/** Creates the demo repository and starts the service with its load. */
export async function startDemoWorkspace(options: DemoWorkspaceOptions = {}): Promise<DemoWorkspace> {
  const parent = options.root ?? path.join(repoRoot, 'test-results', 'workspaces');
  mkdirSync(parent, { recursive: true });
  const workspace = path.join(parent, `orders-service-${process.pid}`);
  const [receiverPort, ordersPort, inventoryPort] = await freeLoopbackPorts(3);
  createDemoRepo(workspace, { 'runtimeLens.autoStart': true, 'runtimeLens.receiver.port': receiverPort, ...options.settings });

  const logs = path.join(parent, 'logs');
  const env = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint ?? `http://127.0.0.1:${receiverPort}`,
    PORT: String(ordersPort),
    INVENTORY_PORT: String(inventoryPort),
    INVENTORY_URL: `http://127.0.0.1:${inventoryPort}`,
    ORDERS_URL: `http://127.0.0.1:${ordersPort}`,
    LOADGEN_RATE: String(options.rate ?? 20),
  };
  const started: StartedGroup[] = [];
  const stop = async () => {
    await Promise.all(started.map((g) => g.stop()));
  };
  try {
    const node = process.execPath;
    started.push(await startGroup(node, ['inventory.js'], { name: 'inventory', cwd: workspace, env, logFile: path.join(logs, 'inventory.log'), ready: /listening on/ }));
    started.push(await startGroup(node, ['server.js'], { name: 'orders-service', cwd: workspace, env, logFile: path.join(logs, 'orders-service.log'), ready: /listening on/ }));
    started.push(await startGroup(node, ['loadgen.js'], { name: 'loadgen', cwd: workspace, env, logFile: path.join(logs, 'loadgen.log') }));
  } catch (err) {
    await stop();
    throw err;
  }
  return { workspace, receiverPort, stop };
}
