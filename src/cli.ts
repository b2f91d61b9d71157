import { RUNTIME_LENS_VERSION } from './core/server/embeddedReceiver';
import type { Logger } from './core/logger';
import { terminalText } from './core/render/escape';
import { authorshipCommand } from './cli/authorshipCommand';
import { checkCommand } from './cli/checkCommand';
import { serveCommand } from './cli/serveCommand';
import { shadowCommand } from './cli/shadowCommand';
import { signalsCommand } from './cli/signalsCommand';
import { UsageError } from './cli/usageError';

const USAGE = `Usage: runtime-lens <command> [options]

Commands:
  serve     run the OTLP/HTTP receiver and the read API
            [--host H] [--port P] [--workspace DIR] [--snapshot FILE]
            [--token T | --token-file FILE] [--read-token T | --read-token-file FILE]
            [--path-rule FROM=TO]... [--service-root NAME=DIR]... [--no-watch]
            [--environment E] [--window W] [--retention 1h]
            [--max-body BYTES] [--queue N] [--max-locations N] [--max-error-groups N]
            [--source [NAME:]KIND=URL]... (KIND: jaeger, prometheus, tempo, loki) [--no-receiver]
            [--source-auth NAME=ENV_VAR | NAME=basic:ENV_VAR | NAME=header:H:ENV_VAR]...
            [--source-ca NAME=FILE]... [--source-env NAME=THEIRS:OURS]... [--source-refresh [NAME=]15s]...
            [--faro-origin ORIGIN]... [--faro-api-key-env ENV_VAR] (Grafana Faro on /collect)
  signals   print what a running receiver knows
            [--server URL] [--window 5m] [--environment E] [--file REL] [--top 25] [--json] [--token T | --token-file FILE]
  check     find AI-written functions with production risks (exit 1 when any at or above --fail-on)
            [PATH...] [--all] [--format text|json|sarif] [--fail-on error|warning|note]
            [--signals URL [--token T | --token-file FILE]] [--window 5m] [--output FILE]
            [--blame-timeout MS] (base time a file's git blame gets; longer files get more)
  authorship  list every AI-written function: how we know, agent, model, share of AI lines,
            with production figures from --signals; --summary adds totals per agent and folder
            [PATH...] [--format text|json] [--summary] [--signals URL [--token T | --token-file FILE]] [--window 5m]
  shadow    replay sampled real traffic against the local build (and a baseline); report what
            changed per route and per function (exit 1 when a --fail-if condition holds)
            (--traffic FILE (.har, .gor, .json) | --from URL [--window 15m] [--environment E] [--token-file FILE])
            (--target URL | --start CMD [--health /health]) [--baseline URL | --baseline-ref REF]
            [--changed-since REF] (with --from: requests through functions changed since REF first;
            default the --baseline-ref) [--workspace DIR] [--budget 500] [--budget-seconds 600]
            [--concurrency 8] [--rate R] [--timeout 10s] [--max-gap 200ms] [--start-timeout 60s]
            [--allow-host H]... [--allow-method METHOD:ROUTE]... [--redact REGEX]...
            [--credential-header NAME=ENV_VAR]... [--otlp-port P] [--seed N]
            [--ignore-header H]... [--compare-header H]... [--ignore-field F]... [--compare-field F]...
            [--json | --format text|json|sarif|junit] [--output FILE] [--progress json]
            [--fail-if status_mismatch>0,new_errors>0,p95_ratio>1.2,new_calls>0,shape_changes>0]
  mcp       the agent tools (function runtime, diff risk, hotspots, errors, trace) as an MCP server
            on stdio, with the workspace's risk findings as resources
            [--server URL [--token T | --token-file FILE] | --source [NAME:]KIND=URL... [--source-auth ...]
            [--path-rule FROM=TO]... [--service-root NAME=DIR]... [--environment E]]
            [--workspace DIR] [--allow-shadow] (lists the shadow-run tool too)
  help      show this text
  version   print the version`;

// On a terminal, clear `serve`'s live status line before a log line so the two never run together.
const clear = process.stderr.isTTY ? '\r\x1b[K' : '';
const stderrLogger: Logger = {
  debug() {},
  // Log lines quote telemetry (revisions, paths): no escape sequence reaches the terminal.
  info: (m) => process.stderr.write(`${clear}runtime-lens: ${terminalText(m)}\n`),
  warn: (m) => process.stderr.write(`${clear}runtime-lens: warning: ${terminalText(m)}\n`),
  error: (m) => process.stderr.write(`${clear}runtime-lens: error: ${terminalText(m)}\n`),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serveCommand(rest, stderrLogger);
      return 0;
    case 'signals':
      await signalsCommand(rest);
      return 0;
    case 'check':
      return checkCommand(rest, stderrLogger, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        progress: process.stderr.isTTY === true,
      });
    case 'authorship':
      return authorshipCommand(rest, stderrLogger, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        progress: process.stderr.isTTY === true,
      });
    case 'shadow':
      return shadowCommand(rest, stderrLogger, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        progress: process.stderr.isTTY === true,
      });
    case 'mcp': {
      // Loaded on use: the MCP SDK (with zod and ajv) would otherwise be evaluated by every `serve`.
      const { mcpCommand } = await import('./cli/mcpCommand.js');
      return mcpCommand(rest, stderrLogger);
    }
    case 'version':
    case '--version':
      process.stdout.write(`${RUNTIME_LENS_VERSION}\n`);
      return 0;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case undefined:
      throw new UsageError('no command given; run "runtime-lens help" for the list');
    default:
      throw new UsageError(`unknown command "${command}"; run "runtime-lens help" for the list`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error & { code?: string }) => {
    // parseArgs reports unknown flags and bad values with ERR_PARSE_ARGS_* codes: usage errors too.
    const usage = err instanceof UsageError || (typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`runtime-lens: ${terminalText(usage ? err.message : `unexpected error: ${err.stack ?? err.message}`)}\n`);
    // Never 1: `check` exits 1 for findings, and a crash must not read as a verdict on the code.
    process.exit(usage ? 2 : 3);
  },
);
