/**
 * Runs the Node conformance app (test/fixtures/conformance/node-express) under
 * @opentelemetry/auto-instrumentations-node against an OTLP endpoint, with the shared flaky
 * downstream, serves it the fixed traffic script and stops it so its exporters flush. Shared by the
 * wire test and the recorder (test/support/recordNode.ts), so both see the same exports.
 */
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { nodeExpressTreeDir } from './conformanceCache';
import { conformanceAppDir, conformanceEnv, sendTraffic, TRAFFIC, withDownstream } from './conformanceTraffic';
import { repoRoot, startChild } from './harness';

/** The fixture app's folder (its sources, dist/ and node_modules link). */
export const NODE_APP_DIR = conformanceAppDir('node-express');

/** The app's service.name. */
export const NODE_SERVICE = 'conf-node';

/** Installs and builds the app through its script (returns at once when already done). */
export function prepareNodeApp(): void {
  const script = join(repoRoot, 'scripts', 'conformance', 'node.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`bash ${script} failed (exit ${r.status}): ${r.stderr.trim() || r.error?.message}`);
  // The app must run on the tree pinned by its current lock file, not a stale one.
  const tree = realpathSync(join(nodeExpressTreeDir(repoRoot), 'node_modules'));
  const linked = realpathSync(join(NODE_APP_DIR, 'node_modules'));
  if (linked !== tree) throw new Error(`${NODE_APP_DIR}/node_modules leads to ${linked}, not ${tree}: rerun bash ${script}`);
}

/** The app's environment: neither OTEL_* nor NODE_OPTIONS may be inherited. */
function appEnv(endpoint: string, downstream: string): NodeJS.ProcessEnv {
  return {
    ...conformanceEnv({ service: NODE_SERVICE, endpoint, downstream, drop: ['NODE_OPTIONS'] }),
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    // The default ('all') also probes cloud metadata endpoints over the network.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance,container',
  };
}

/** What one run of the app left behind. */
export interface NodeAppRun {
  /** Requests sent (all answered with the expected status). */
  requests: number;
  downstreamCalls: number;
  appStdout: string;
  appStderr: string;
}

/** Starts the app exporting to `endpoint`, sends TRAFFIC, then stops it (SIGTERM flushes the exporters). */
export async function runNodeApp(endpoint: string): Promise<NodeAppRun> {
  return withDownstream(async (downstream) => {
    const app = await startChild(
      process.execPath,
      ['--require', '@opentelemetry/auto-instrumentations-node/register', join('dist', 'server.js')],
      // The app appends /rate to DOWNSTREAM_URL.
      { cwd: NODE_APP_DIR, env: appEnv(endpoint, downstream.origin), ready: /^Node listening on (http:\/\/127\.0\.0\.1:(\d+))$/ },
    );
    let requests = 0;
    try {
      requests = await sendTraffic(app.match[1]!, TRAFFIC, app.stderr);
    } finally {
      await app.stop();
    }
    return { requests, downstreamCalls: downstream.calls(), appStdout: app.stdout(), appStderr: app.stderr() };
  });
}
