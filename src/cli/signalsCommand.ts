import { parseArgs } from 'node:util';
import type { SignalsResponse } from '../core/api/signals';
import { ReadApiClient, ReadApiError } from '../core/client/readApiClient';
import { terminalCell, terminalJson, terminalText } from '../core/render/escape';
import { parseWindow } from '../core/signals/windows';
import { resolveClientToken } from './tokenFlags';
import { intFlag, UsageError } from './usageError';

/** Environments named in an "unknown environment" message at most. */
const MAX_LISTED = 20;

/** `runtime-lens signals`: prints what a running receiver knows, as a table or JSON. */
export async function signalsCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      server: { type: 'string' },
      window: { type: 'string' },
      environment: { type: 'string' },
      file: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      json: { type: 'boolean' },
      top: { type: 'string' },
    },
  });
  const top = intFlag('top', values.top, 25, 1, 100_000);
  const server = values.server ?? 'http://127.0.0.1:4318';
  const token = resolveClientToken(values, process.env);
  let client: ReadApiClient;
  try {
    client = new ReadApiClient({ server, token, timeoutMs: 10_000 });
  } catch (err) {
    const notUrl = err instanceof ReadApiError && /^not a URL/.test(err.message);
    throw new UsageError(notUrl ? `--server must be a URL like http://127.0.0.1:4318, got "${server}"` : `--server must be an http(s) URL, got "${server}"`);
  }
  const window = values.window ?? '5m';
  try {
    parseWindow(window);
  } catch (err) {
    throw new UsageError(`--window: ${(err as Error).message}`);
  }
  let body: SignalsResponse;
  try {
    body = await client.signals({ window, environment: values.environment, file: values.file });
  } catch (err) {
    if (!(err instanceof ReadApiError)) throw err;
    const hint = err.kind === 'unreachable' ? `; is a receiver running there? Start one with: ${serveHint(client.url('/api/signals'))}` : '';
    throw new UsageError(`${terminalCell(err.message)}${hint}`);
  }
  // The receiver answers any environment (empty when it has none): a typo would read as "no data".
  if (values.environment !== undefined && body.environments.length > 0 && !body.environments.includes(values.environment)) {
    const known = body.environments.slice(0, MAX_LISTED).map((e) => (e === '' ? '"" (no environment)' : e));
    const more = body.environments.length > MAX_LISTED ? `, ... (${body.environments.length - MAX_LISTED} more)` : '';
    throw new UsageError(`environment ${JSON.stringify(values.environment)} is unknown; known: ${known.join(', ')}${more}`);
  }
  process.stdout.write(values.json ? `${terminalJson(body)}\n` : formatSignals(body, top, server.replace(/\/+$/, '')));
}

/**
 * Renders a signals response as plain-text tables, `top` rows each (the API's order: impact, then
 * count). Every string in it is telemetry: terminalCell keeps escape sequences out of the terminal.
 */
export function formatSignals(s: SignalsResponse, top: number, server = 'http://127.0.0.1:4318'): string {
  const env = s.environment ? terminalCell(s.environment) : '(no environment)';
  const others = s.environments.filter((e) => e !== s.environment).map(terminalCell);
  const out: string[] = [`Window ${terminalCell(s.window)} · environment ${env}${s.environments.length > 1 ? ` (also: ${others.join(', ')})` : ''}`, ''];
  if (s.functions.length === 0 && s.errors.length === 0) {
    out.push(
      s.environments.length > 0
        ? `No spans mapped to code in the last ${s.window}; the receiver holds older data (try --window 1h).`
        : `No data yet. Point a service at the receiver: OTEL_EXPORTER_OTLP_ENDPOINT=${terminalCell(server)}`,
    );
    return `${out.join('\n')}\n`;
  }
  out.push(
    table(
      ['FUNCTION', 'LOCATION', 'COUNT', 'ERR%', '/MIN', 'P50', 'P95', 'P99', 'MAPPED BY'],
      s.functions
        .slice(0, top)
        .map((f) => [`${f.service} ${f.function}`, `${f.file}:${f.line}`, String(f.count), pct(f.errorRate), f.ratePerMin.toFixed(1), ms(f.p50Ms), ms(f.p95Ms), ms(f.p99Ms), String(f.mappedBy)].map(terminalCell)),
      [2, 3, 4, 5, 6, 7],
    ),
  );
  if (s.functions.length > top) out.push(`... and ${s.functions.length - top} more functions (--top N, or --json for all)`);
  if (s.errors.length > 0) {
    out.push(
      '',
      table(
        ['ERROR', 'COUNT', 'LOCATION', 'LAST SEEN'],
        s.errors.slice(0, top).map((e) => [terminalCell(`${e.type}: ${e.message}`).slice(0, 70), String(e.count), e.file ? terminalCell(`${e.file}:${e.line}`) : '(unmapped)', new Date(e.lastSeen).toISOString()]),
        [1],
      ),
    );
    if (s.errors.length > top) out.push(`... and ${s.errors.length - top} more error groups`);
  }
  const unmapped = s.unmapped.reduce((n, u) => n + u.count, 0);
  if (unmapped > 0) out.push('', `${unmapped} spans not mapped to code (top reason: ${terminalCell(s.unmapped[0].reason)})`);
  const evicted = Object.values(s.evicted).reduce((a, b) => a + b, 0);
  if (evicted > 0) out.push(`${evicted} entries evicted by memory caps`);
  const past = s.pastCaps;
  if (past && past.operations + past.unmapped > 0) out.push(`${past.operations + past.unmapped} spans past the memory caps counted in "(other ...)" rows (rarer than every row kept)`);
  if (past && past.locations > 0) out.push(`${past.locations} spans of functions past the memory caps counted under their operation only`);
  // The one exit every string takes, whatever a later line adds.
  return terminalText(`${out.join('\n')}\n`);
}

/** The `serve` command that would answer at `url`. */
function serveHint(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const host = url.hostname === '127.0.0.1' || url.hostname === 'localhost' ? '' : ` --host ${url.hostname}`;
  return `runtime-lens serve${host} --port ${port} --workspace DIR`;
}

/** A plain-text table; columns listed in `numeric` are right-aligned. */
function table(head: string[], rows: string[][], numeric: number[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function pct(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)}s` : `${value.toFixed(value < 10 ? 1 : 0)}ms`;
}
