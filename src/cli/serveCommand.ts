import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RECEIVER_OPTIONS, EmbeddedReceiver } from '../core/server/embeddedReceiver';
import { ReceiverStartError } from '../core/ingest/otlpReceiver';
import { bindProblem, isLoopbackHost } from '../core/ingest/requestGuard';
import type { Logger } from '../core/logger';
import { coverage } from '../core/render/panelModelStatus';
import { DEFAULT_STORE_OPTIONS } from '../core/signals/storeTypes';
import { parseWindow } from '../core/signals/windows';
import { faroOptionsFromFlags } from './faroFlags';
import { MAPPING_FLAG_OPTIONS, mappingOptions } from './mappingFlags';
import { cliSourceFactory, SOURCE_FLAG_OPTIONS, sourceSpecs } from './sourceFlags';
import { resolveServeTokens } from './tokenFlags';
import { intFlag, UsageError } from './usageError';

/** `runtime-lens serve`: runs the receiver and read API until SIGINT/SIGTERM. */
export async function serveCommand(argv: string[], logger: Logger): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      workspace: { type: 'string' },
      snapshot: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'read-token': { type: 'string' },
      'read-token-file': { type: 'string' },
      'no-watch': { type: 'boolean' },
      'max-body': { type: 'string' },
      queue: { type: 'string' },
      ...MAPPING_FLAG_OPTIONS,
      window: { type: 'string' },
      retention: { type: 'string' },
      'max-locations': { type: 'string' },
      'max-error-groups': { type: 'string' },
      ...SOURCE_FLAG_OPTIONS,
      'no-receiver': { type: 'boolean' },
      'faro-origin': { type: 'string', multiple: true },
      'faro-api-key-env': { type: 'string' },
    },
  });
  const sources = sourceSpecs(values);
  const acceptOtlp = values['no-receiver'] !== true;
  if (!acceptOtlp && sources.length === 0) throw new UsageError('--no-receiver needs at least one --source KIND=URL: there would be nothing to read');
  const workspace = values.workspace ? path.resolve(values.workspace) : '';
  if (workspace && !fs.existsSync(workspace)) throw new UsageError(`--workspace ${values.workspace}: no such folder`);
  const window = values.window ?? '5m';
  const windowMs = windowFlag('window', window);
  const retentionMs = windowFlag('retention', values.retention ?? '1h');
  if (windowMs > retentionMs) throw new UsageError(`--window ${window} is longer than --retention ${values.retention ?? '1h'}`);
  const host = values.host ?? '127.0.0.1';
  const { token, readToken } = resolveServeTokens(values, process.env);
  if (bindProblem(host, token)) {
    throw new UsageError(`--host ${host} is not loopback, so a token is required (other machines could read production stack traces): give --token-file FILE, --token T or RUNTIME_LENS_TOKEN`);
  }
  const { pathRules, serviceRoots, defaultEnvironment } = mappingOptions(values, workspace);
  const receiver = new EmbeddedReceiver(
    {
      host,
      port: intFlag('port', values.port, 4318, 0, 65535),
      token,
      readToken,
      portHint: '--port',
      workspace,
      pathRules,
      serviceRoots,
      // Edits move functions: the index follows them, so figures land where the code now is.
      watchWorkspace: workspace !== '' && values['no-watch'] !== true,
      snapshotFile: values.snapshot ? path.resolve(values.snapshot) : '',
      maxBodyBytes: intFlag('max-body', values['max-body'], DEFAULT_RECEIVER_OPTIONS.maxBodyBytes, 1024, 1024 * 1024 * 1024),
      maxQueuedItems: intFlag('queue', values.queue, DEFAULT_RECEIVER_OPTIONS.maxQueuedItems, 1, 10_000_000),
      defaultWindow: window,
      store: {
        defaultEnvironment,
        retentionMs,
        maxLocations: intFlag('max-locations', values['max-locations'], DEFAULT_STORE_OPTIONS.maxLocations, 100, 10_000_000),
        maxErrorGroups: intFlag('max-error-groups', values['max-error-groups'], DEFAULT_STORE_OPTIONS.maxErrorGroups, 10, 1_000_000),
      },
      acceptOtlp,
      faro: faroOptionsFromFlags(values['faro-origin'] ?? [], values['faro-api-key-env'], process.env),
      ...(sources.length > 0 ? { remoteSources: cliSourceFactory(sources, logger) } : {}),
    },
    logger,
  );

  try {
    await receiver.start();
  } catch (err) {
    if (err instanceof ReceiverStartError) throw new UsageError(err.message);
    throw err;
  }
  const address = receiver.receiver.address()!;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  process.stdout.write(acceptOtlp ? `Runtime Lens receiver listening on http://${shownHost}:${address.port}\n` : `Runtime Lens read API listening on http://${shownHost}:${address.port} (receiver off)\n`);
  for (const s of sources) logger.info(`reading ${s.kind} at ${s.url} as "${s.name}"`);
  if (!isLoopbackHost(host)) logger.warn(`listening on ${host}: other machines can reach the receiver; every request needs the token`);

  const statusTimer = process.stdout.isTTY ? setInterval(() => printStatus(receiver), 1000) : undefined;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Started by the extension with an IPC channel: when the editor goes away, even killed, so do we.
    if (process.send) process.once('disconnect', stop);
  });
  if (statusTimer) {
    clearInterval(statusTimer);
    process.stdout.write('\n');
  }
  await receiver.stop();
  logger.info('stopped');
}

function printStatus(receiver: EmbeddedReceiver): void {
  const s = receiver.status();
  const line = `spans/s ${s.spansPerSecond.toLocaleString('en-US')} · services ${s.services} · ${coverage(s)} · processed ${s.spansProcessed.toLocaleString('en-US')} · queue ${s.queueDepth}`;
  process.stdout.write(`\r\x1b[K${line}`);
}

/** Parses a window-like flag (`5m`, `1h`) or throws a UsageError naming the flag. */
function windowFlag(name: string, value: string): number {
  try {
    return parseWindow(value);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}
