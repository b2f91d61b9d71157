/**
 * The demo service as a test fixture: a copy of examples/orders-service in its own git
 * repository under test-results/ (inside the repo, so the service resolves its packages from
 * the root node_modules), with the extension's receiver on a free port, the service, its
 * flaky downstream and the load generator running and sending real OTLP there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { startGroup, type StartedGroup } from '../../scripts/lib/processGroup';
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
  /**
   * Add `shipping.js`, a function with a fetch that has no timeout, in a second commit carrying a
   * `Co-Authored-By: Claude` trailer, for the AI-code risk analysis (default true; the service never loads it).
   */
  aiFile?: boolean;
}

/** The AI-written file `aiFile` adds. */
export const AI_FILE = 'shipping.js';

const AI_FILE_TEXT = `'use strict';
// Shipping quotes from the carrier's API.

const CARRIER_URL = process.env.CARRIER_URL || 'http://127.0.0.1:3002';

/** The shipping quote of an order, from the carrier. */
async function quoteShipping(order) {
  const response = await fetch(\`\${CARRIER_URL}/v1/quotes?weight=\${order.weight}\`);
  if (!response.ok) throw new Error(\`carrier answered \${response.status}\`);
  return response.json();
}

module.exports = { quoteShipping };
`;

/** A free TCP port on loopback (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Copies the demo service, commits it, and starts it with its load. */
export async function startDemoWorkspace(options: DemoWorkspaceOptions = {}): Promise<DemoWorkspace> {
  const parent = options.root ?? path.join(repoRoot, 'test-results', 'workspaces');
  mkdirSync(parent, { recursive: true });
  const workspace = path.join(parent, `orders-service-${process.pid}`);
  rmSync(workspace, { recursive: true, force: true });
  cpSync(path.join(repoRoot, 'examples', 'orders-service'), workspace, { recursive: true });
  const [receiverPort, ordersPort, inventoryPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'runtimeLens.autoStart': true, 'runtimeLens.receiver.port': receiverPort, ...options.settings }, null, 2));
  // Its own repository, so the deployed revision the service reports equals the local HEAD.
  const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('-c', 'user.name=Runtime Lens tests', '-c', 'user.email=tests@runtime-lens.invalid', 'commit', '-q', '-m', 'demo service');
  if (options.aiFile ?? true) {
    // before the service starts: the revision it reports must stay the local HEAD
    writeFileSync(path.join(workspace, AI_FILE), AI_FILE_TEXT);
    git('add', AI_FILE);
    git('-c', 'user.name=Runtime Lens tests', '-c', 'user.email=tests@runtime-lens.invalid', 'commit', '-q', '-m', 'Add shipping quotes\n\nCo-Authored-By: Claude <noreply@anthropic.com>');
  }

  const logs = path.join(parent, 'logs');
  const env = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
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
