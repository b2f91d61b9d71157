/**
 * Runs the Java conformance app (test/fixtures/conformance/java-spring) under the OpenTelemetry Java
 * agent, exporting to a given OTLP endpoint: sends the fixed traffic of issue 10 §5 against the
 * shared flaky downstream, then stops the app with SIGTERM so the agent's shutdown hook flushes.
 * Shared by the wire test and the recording script.
 */
import { javaConformancePaths } from './conformanceCache';
import { conformanceAppDir, conformanceEnv, sendTraffic, TRAFFIC, withDownstream } from './conformanceTraffic';
import { repoRoot, startChild } from './harness';

/** The app's folder: the receiver's workspace. */
export const JAVA_APP_DIR = conformanceAppDir('java-spring');
/** OTEL_SERVICE_NAME of the app. */
export const JAVA_SERVICE = 'conf-java';

/** How the agent is configured beyond its defaults. */
export interface JavaRunOptions {
  /**
   * Agent 2.x makes no INTERNAL `ShopController.price` span (with code.* attributes) unless
   * controller telemetry is turned on, as it was by default in 1.x; many users turn it on.
   */
  controllerSpans?: boolean;
}

/** What a run saw, for the report and for failure messages. */
export interface JavaRun {
  /** From spawning the JVM to its ready line. */
  startMs: number;
  downstreamCalls: number;
  appStderr: string;
}

/** The app's environment: neither OTEL_* nor JAVA_TOOL_OPTIONS may be inherited. */
function appEnv(endpoint: string, downstream: string, opts: JavaRunOptions): NodeJS.ProcessEnv {
  return {
    ...conformanceEnv({ service: JAVA_SERVICE, endpoint, downstream, drop: ['JAVA_TOOL_OPTIONS'] }),
    OTEL_LOGS_EXPORTER: 'otlp',
    ...(opts.controllerSpans ? { OTEL_INSTRUMENTATION_COMMON_EXPERIMENTAL_CONTROLLER_TELEMETRY_ENABLED: 'true' } : {}),
  };
}

/** Starts the downstream, runs the app against `endpoint`, sends TRAFFIC, stops both. */
export async function runJavaConformance(endpoint: string, opts: JavaRunOptions = {}): Promise<JavaRun> {
  const { agentJar, appJar } = javaConformancePaths(repoRoot);
  return withDownstream(async (downstream) => {
    const spawned = Date.now();
    const app = await startChild('java', ['-XX:TieredStopAtLevel=1', '-Xshare:auto', `-javaagent:${agentJar}`, '-jar', appJar], {
      cwd: JAVA_APP_DIR,
      // The app calls DOWNSTREAM_URL as given.
      env: appEnv(endpoint, `${downstream.origin}/quote`, opts),
      ready: /^Java listening on (http:\/\/127\.0\.0\.1:(\d+))$/,
      // A JVM with the agent takes long to start on 2 shared cores.
      timeoutMs: 90_000,
    });
    const startMs = Date.now() - spawned;
    try {
      await sendTraffic(app.match[1]!, TRAFFIC, app.stderr);
    } finally {
      // SIGTERM runs the agent's shutdown hook, which flushes spans, logs and metrics.
      await app.stop();
    }
    return { startMs, downstreamCalls: downstream.calls(), appStderr: app.stderr() };
  });
}
