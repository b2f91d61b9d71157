/**
 * Runs the Python conformance app (test/fixtures/conformance/python-flask) under zero-code
 * `opentelemetry-instrument`, exporting to `endpoint`, serves it the fixed traffic script against the
 * shared flaky downstream, and stops it so its exporters flush. Shared by the wire test and by
 * test/support/recordPython.ts, so the recording is exactly what the test sees.
 */
import { join } from 'node:path';
import { repoRoot, startChild } from './harness';
import { pythonVenvDir } from './conformanceCache';
import { conformanceAppDir, conformanceEnv, METRIC_EXPORT_INTERVAL_MS, sendTraffic, TRAFFIC, withDownstream } from './conformanceTraffic';

/** The app's folder: the workspace the receiver maps against. */
export const PYTHON_APP_DIR = conformanceAppDir('python-flask');
/** The app's `service.name`. */
export const PYTHON_SERVICE = 'conf-python';

/** What one run left behind, for failure messages and the report. */
export interface PythonRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  downstreamCalls: number;
}

/** The app's environment: the tier's, in the venv, with the exporters the distro needs named. */
function appEnv(venv: string, endpoint: string, downstream: string): NodeJS.ProcessEnv {
  return {
    ...conformanceEnv({ service: PYTHON_SERVICE, endpoint, downstream }),
    PATH: `${join(venv, 'bin')}:${process.env['PATH'] ?? ''}`,
    VIRTUAL_ENV: venv,
    // opentelemetry-distro defaults the protocol to grpc (and no grpc exporter is installed): name http/protobuf.
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    // OTEL_METRICS_EXPORTER stays unset: the distro's default (otlp) posts /v1/metrics, as a user's app would.
    // Log export through opentelemetry-instrumentation-logging's handler, which it installs by default
    // (OTEL_PYTHON_LOG_AUTO_INSTRUMENTATION). The SDK's own switch,
    // OTEL_PYTHON_LOGGING_AUTO_INSTRUMENTATION_ENABLED, is deprecated in these pins; set, it makes
    // the instrumentation log a warning at start-up, which would be exported too.
    PYTHONUNBUFFERED: '1',
    // Keep the fixture folder free of __pycache__.
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** Runs the app against `endpoint` through the whole traffic script, then stops it (SIGTERM flushes). */
export async function runPythonConformance(endpoint: string): Promise<PythonRun> {
  const venv = pythonVenvDir(repoRoot);
  return withDownstream(async (downstream) => {
    const app = await startChild(join(venv, 'bin', 'opentelemetry-instrument'), ['python', 'app.py'], {
      cwd: PYTHON_APP_DIR,
      // The app calls DOWNSTREAM_URL as given.
      env: appEnv(venv, endpoint, `${downstream.origin}/rate`),
      ready: /^Python listening on (http:\/\/127\.0\.0\.1:(\d+))$/,
      timeoutMs: 60_000,
    });
    try {
      await sendTraffic(app.match[1]!, TRAFFIC, app.stderr);
      // Live through periodic metric exports, as a long-running service does: a failed export
      // (a receiver answering 404 to /v1/metrics) is then logged by the SDK and exported as a log
      // record of this service. Only what is sent depends on this wait, never what is asserted.
      await new Promise((r) => setTimeout(r, METRIC_EXPORT_INTERVAL_MS * 2.5));
    } finally {
      await app.stop();
    }
    return { exitCode: app.child.exitCode, stdout: app.stdout(), stderr: app.stderr(), downstreamCalls: downstream.calls() };
  });
}
