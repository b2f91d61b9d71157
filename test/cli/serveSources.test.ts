// `serve`'s remote-source flags: refused in one line when wrong, and `--no-receiver` keeps the read API while refusing OTLP.
import { describe, it } from 'node:test';
import { assertUsageError, runCli } from '../support/harness';

describe('serve --source', () => {
  it('refuses bad source flags in one line', () => {
    assertUsageError(runCli(['serve', '--port', '0', '--source', 'zipkin=http://127.0.0.1:9411']), /--source zipkin=http:\/\/127\.0\.0\.1:9411: expected KIND=URL with KIND one of jaeger, prometheus, tempo, loki/);
    assertUsageError(runCli(['serve', '--port', '0', '--no-receiver']), /--no-receiver needs at least one --source KIND=URL/);
    assertUsageError(
      runCli(['serve', '--port', '0', '--source', 'jaeger=http://127.0.0.1:1', '--source-auth', 'jaeger=RL_TEST_UNSET_TOKEN'], { env: { ...process.env, RL_TEST_UNSET_TOKEN: '' } }),
      /jaeger: environment variable RL_TEST_UNSET_TOKEN is not set/,
    );
    assertUsageError(runCli(['serve', '--port', '0', '--source', 'jaeger=http://127.0.0.1:1', '--source-auth', 'jaeger=Bearer xyz']), /never the command line/);
    assertUsageError(runCli(['serve', '--port', '0', '--source', 'loki=http://user:pw@127.0.0.1:1']), /not in the URL/);
  });
});
