/**
 * Runs the Go conformance app (test/fixtures/conformance/go-nethttp, net/http under otelhttp with the
 * OTLP/HTTP exporters) against a given OTLP endpoint: sends the fixed traffic of issue 10 §5 (with
 * the Go-only /panic requests) against the shared flaky downstream, then stops the app with SIGTERM,
 * on which it shuts its providers down and so flushes traces, logs and metrics. Shared by the wire
 * test and the recording script.
 */
import { goConformanceBinary } from './conformanceCache';
import { conformanceAppDir, conformanceEnv, conformanceTraffic, sendTraffic, withDownstream } from './conformanceTraffic';
import { repoRoot, startChild } from './harness';

/** The app's folder: the receiver's workspace. */
export const GO_APP_DIR = conformanceAppDir('go-nethttp');
/** OTEL_SERVICE_NAME of the app. */
export const GO_SERVICE = 'conf-go';

/** The fixed traffic, in order, with the two /panic requests only the Go app serves. */
export const GO_TRAFFIC = conformanceTraffic({ panic: true });

/** What a run saw, for the report and for failure messages. */
export interface GoRun {
  downstreamCalls: number;
  /** Everything the app wrote to stderr: the SDK's own export errors land here. */
  appStderr: string;
}

/** Starts the downstream, runs the app against `endpoint`, sends GO_TRAFFIC, stops both. */
export async function runGoConformance(endpoint: string): Promise<GoRun> {
  const binary = goConformanceBinary(repoRoot);
  return withDownstream(async (downstream) => {
    const app = await startChild(binary, [], {
      cwd: GO_APP_DIR,
      // The app appends /rate to DOWNSTREAM_URL.
      env: conformanceEnv({ service: GO_SERVICE, endpoint, downstream: downstream.origin }),
      ready: /^Go listening on (http:\/\/127\.0\.0\.1:(\d+))$/,
    });
    try {
      await sendTraffic(app.match[1]!, GO_TRAFFIC, app.stderr);
    } finally {
      // SIGTERM: the app stops serving and shuts its providers down, which flushes every exporter.
      await app.stop();
    }
    return { downstreamCalls: downstream.calls(), appStderr: app.stderr() };
  });
}
