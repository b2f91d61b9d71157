import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { ShadowReport } from '../core/api/shadowReport';
import type { Logger } from '../core/logger';
import { peerParts } from '../core/mapping/callLines';
import type { CodeLocation } from '../core/mapping/codeLocation';
import { nodeGit } from '../core/mapping/git';
import { shadowText } from '../core/render/shadowText';
import { EmbeddedReceiver, RUNTIME_LENS_VERSION } from '../core/server/embeddedReceiver';
import { type BaselineWorktree, checkoutBaseline } from '../core/shadow/baselineWorktree';
import { evaluateFailIf, type FailCondition, parseFailIf } from '../core/shadow/failIf';
import { type LocalBuild, startLocalBuild } from '../core/shadow/localBuild';
import { type AllowMethod, parseAllowMethod } from '../core/shadow/methodPolicy';
import { createSanitizer } from '../core/shadow/sanitizer';
import { toShadowJunit } from '../core/shadow/shadowJunit';
import { toShadowSarif } from '../core/shadow/shadowSarif';
import { runShadow } from '../core/shadow/shadowRun';
import { writeLastShadowReport } from '../core/shadow/lastShadowReport';
import type { HeaderPair } from '../core/shadow/shadowRequest';
import { checkTarget } from '../core/shadow/targetPolicy';
import { progressJsonLine, type ShadowProgressPhase } from '../core/shadow/shadowProgress';
import { terminalText } from '../core/render/escape';
import { checkTrafficFlags, readShadowTraffic } from './shadowTrafficSource';
import { intFlag, UsageError } from './usageError';

const FORMATS = ['text', 'json', 'sarif', 'junit'] as const;

/** Where `shadow` writes: the report to stdout (unless --output), progress and notes to stderr. */
export interface ShadowIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  progress: boolean;
}

/**
 * `runtime-lens shadow`: replays sampled real traffic against the local build (and a baseline),
 * collecting both sides' spans in an embedded receiver, and reports what changed per route and per
 * function. Resolves with the exit code: 1 when a --fail-if condition holds, else 0; usage errors and
 * refused targets throw UsageError (exit 2).
 */
export async function shadowCommand(argv: string[], logger: Logger, io: ShadowIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      traffic: { type: 'string' },
      from: { type: 'string' },
      window: { type: 'string' },
      environment: { type: 'string' },
      'token-file': { type: 'string' },
      'changed-since': { type: 'string' },
      target: { type: 'string' },
      start: { type: 'string' },
      health: { type: 'string' },
      baseline: { type: 'string' },
      'baseline-ref': { type: 'string' },
      workspace: { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      budget: { type: 'string' },
      'budget-seconds': { type: 'string' },
      timeout: { type: 'string' },
      'max-gap': { type: 'string' },
      'start-timeout': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'allow-method': { type: 'string', multiple: true },
      redact: { type: 'string', multiple: true },
      'ignore-header': { type: 'string', multiple: true },
      'compare-header': { type: 'string', multiple: true },
      'ignore-field': { type: 'string', multiple: true },
      'compare-field': { type: 'string', multiple: true },
      'credential-header': { type: 'string', multiple: true },
      'otlp-port': { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      output: { type: 'string' },
      'fail-if': { type: 'string' },
      progress: { type: 'string' },
    },
  });
  const format = values.json ? 'json' : (values.format ?? 'text');
  if (values.progress !== undefined && values.progress !== 'json') throw new UsageError(`--progress takes json (one JSON line per update on stderr), got "${values.progress}"`);
  // A program reading stderr (the editor) asks for JSON lines; a terminal gets the line that redraws itself.
  const progress = values.progress === 'json' ? jsonProgress(io) : io.progress ? progressLine(io) : undefined;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${format}"`);
  checkTrafficFlags(values);
  if (!values.target && !values.start) throw new UsageError('give --target URL (a local build that runs) or --start CMD (a command that starts it)');
  if (values.target && values.start) throw new UsageError('give --target URL or --start CMD, not both');
  if (values.baseline && values['baseline-ref']) throw new UsageError('give --baseline URL or --baseline-ref REF, not both');
  if (values['baseline-ref'] && !values.start) throw new UsageError('--baseline-ref needs --start CMD: the same command starts the baseline in a worktree');
  const workspace = path.resolve(values.workspace ?? '.');
  if (!fs.existsSync(workspace)) throw new UsageError(`--workspace ${values.workspace}: no such folder`);
  const allowHosts = values['allow-host'] ?? [];
  const target = values.target ? refuseUnlessAllowed(values.target, allowHosts) : undefined;
  const baselineUrl = values.baseline ? refuseUnlessAllowed(values.baseline, allowHosts) : undefined;
  const allowMethods = (values['allow-method'] ?? []).map(allowMethod);
  const failIf = failConditions(values['fail-if']);
  const sanitizer = sanitizerFromFlags(values.redact ?? [], values['credential-header'] ?? []);
  const replay = {
    concurrency: intFlag('concurrency', values.concurrency, 8, 1, 256),
    ratePerSecond: intFlag('rate', values.rate, 0, 0, 100_000),
    timeoutMs: durationFlag('timeout', values.timeout, 10_000),
    maxGapMs: durationFlag('max-gap', values['max-gap'], 200),
    maxBodyBytes: 1024 * 1024,
  };
  const budget = { requests: intFlag('budget', values.budget, 500, 1, 1_000_000), seconds: intFlag('budget-seconds', values['budget-seconds'], 600, 1, 86_400) };
  const output = values.output !== undefined ? path.resolve(values.output) : null;

  const read = await readShadowTraffic(values, workspace, budget.requests);
  for (const note of read.notes) io.stderr(`${note}\n`);

  const stops: (() => Promise<void>)[] = [];
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once('SIGINT', cancel);
  try {
    if (values['baseline-ref']) progress?.('worktree', 0, 0);
    const worktree = values['baseline-ref'] ? await baselineFrom(workspace, values['baseline-ref'], stops) : undefined;
    const receiver = new EmbeddedReceiver(
      {
        host: '127.0.0.1',
        port: intFlag('otlp-port', values['otlp-port'], 0, 0, 65535),
        portHint: '--otlp-port',
        workspace,
        // The baseline's files live in the worktree: its spans and stacks map onto the workspace's files.
        pathRules: worktree ? [{ from: `${worktree.workspace}/`, to: '' }] : [],
        watchWorkspace: false,
      },
      logger,
    );
    await receiver.start();
    stops.push(() => receiver.stop());
    const address = receiver.receiver.address()!;
    const otlpEndpoint = `http://127.0.0.1:${address.port}`;
    io.stderr(`runtime-lens: collecting the local builds' spans at ${otlpEndpoint} (OTLP/HTTP)\n`);

    const start = async (cwd: string, environment: string): Promise<LocalBuild> => {
      progress?.('start', 0, 0);
      const build = await startLocalBuild(
        { command: values.start!, cwd, otlpEndpoint, environment, health: values.health ?? '/', startTimeoutMs: durationFlag('start-timeout', values['start-timeout'], 60_000) },
        controller.signal,
      ).catch((err: Error) => {
        throw new UsageError(err.message);
      });
      stops.push(() => build.stop());
      return build;
    };
    const candidate = target ?? (await start(workspace, 'shadow')).url;
    const baseline = baselineUrl ?? (worktree ? (await start(worktree.workspace, 'shadow-baseline')).url : undefined);

    const report = await runShadow(
      {
        traffic: read.traffic,
        trafficLabel: read.label,
        ...(read.touchesChanged ? { touchesChanged: read.touchesChanged, changedCode: read.changedCode } : {}),
        candidate,
        baseline,
        allowMethods,
        budget,
        seed: intFlag('seed', values.seed, 0, 0, 2 ** 31),
        replay,
        spanWaitMs: 5_000,
        sanitizer,
        warnings: worktree ? [`baseline: ${values['baseline-ref']} (${worktree.commit.slice(0, 12)}) in a temporary worktree`] : [],
        signal: controller.signal,
        comparator: {
          // Volatile headers and JSON fields beyond (or instead of) the defaults: dates, ids, ETags, ...
          volatile: {
            headers: { add: values['ignore-header'] ?? [], remove: values['compare-header'] ?? [] },
            fields: { add: values['ignore-field'] ?? [], remove: values['compare-field'] ?? [] },
          },
          // The receiver resolved each client span's call line as it filed it: the comparator reads those.
          callLineOf: (caller, call) => receiver.callSites.lookup({ ...caller, column: 0, mappedBy: 'code-attributes' } as CodeLocation, peerParts(call.peer ?? '', call.httpMethod))?.line,
        },
        progress,
      },
      { spans: (id) => receiver.traces.get(id), spansOf: (ids) => receiver.traces.getMany(ids) },
    );
    if (io.progress && values.progress !== 'json') io.stderr('\r\x1b[K');
    // Kept outside the workspace for the agent tools (diff risk), whatever the format and output.
    await writeLastShadowReport(workspace, { report, finishedAt: Date.now() }).catch((err: Error) => io.stderr(`runtime-lens: warning: could not keep the report as the last shadow run: ${err.message}\n`));
    const text = render(report, format, workspace);
    if (output) {
      fs.mkdirSync(path.dirname(output), { recursive: true });
      fs.writeFileSync(output, text);
      io.stderr(`runtime-lens: ${format} report written to ${values.output}\n`);
    } else io.stdout(text);
    const held = evaluateFailIf(failIf, report.summary);
    for (const h of held) io.stderr(`runtime-lens: --fail-if ${h.text} held (${h.actual})\n`);
    return held.length > 0 ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', cancel);
    for (const stop of stops.reverse()) await stop().catch((err: Error) => logger.warn(`cleanup: ${err.message}`));
  }
}

function render(report: ShadowReport, format: string, workspace: string): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'junit') return toShadowJunit(report);
  if (format === 'sarif') return `${JSON.stringify(toShadowSarif(report, { toolVersion: RUNTIME_LENS_VERSION, root: workspace }), null, 2)}\n`;
  return shadowText(report, terminalText);
}

async function baselineFrom(workspace: string, ref: string, stops: (() => Promise<void>)[]): Promise<BaselineWorktree> {
  try {
    const worktree = await checkoutBaseline(nodeGit(workspace), workspace, ref);
    stops.push(() => worktree.dispose());
    return worktree;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function progressLine(io: ShadowIo): (phase: ShadowProgressPhase, done: number, total: number) => void {
  return (phase, done, total) => {
    // The terminal form shows shadowRun's phases only, as it always has.
    if (phase === 'worktree' || phase === 'start') return;
    io.stderr(`\r\x1b[K${phase === 'replay' ? `replaying ${done}/${total}` : phase === 'spans' ? 'waiting for spans' : 'comparing'}`);
  };
}

/** `--progress json`: one `{"phase","done","total"}` line per update. */
function jsonProgress(io: ShadowIo): (phase: ShadowProgressPhase, done: number, total: number) => void {
  return (phase, done, total) => io.stderr(progressJsonLine({ phase, done, total }));
}

function refuseUnlessAllowed(url: string, allowHosts: string[]): URL {
  const checked = checkTarget(url, allowHosts);
  if (!checked.ok) throw new UsageError(checked.error);
  return checked.url;
}

function allowMethod(spec: string): AllowMethod {
  const parsed = parseAllowMethod(spec);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return parsed.rule;
}

function failConditions(expr: string | undefined): FailCondition[] {
  if (expr === undefined) return [];
  const parsed = parseFailIf(expr);
  if ('error' in parsed) throw new UsageError(`--fail-if: ${parsed.error}`);
  return parsed.conditions;
}

function sanitizerFromFlags(patterns: string[], credentials: string[]) {
  const regexps = patterns.map((p) => {
    try {
      return new RegExp(p, 'g');
    } catch (err) {
      throw new UsageError(`--redact ${JSON.stringify(p)}: ${(err as Error).message}`);
    }
  });
  // Credentials come from the environment, never the command line (shell history, process lists).
  const inject = credentials.map((spec): HeaderPair => {
    const at = spec.indexOf('=');
    if (at <= 0) throw new UsageError(`--credential-header takes NAME=ENV_VAR, got "${spec}"`);
    const env = spec.slice(at + 1);
    const value = process.env[env];
    if (value === undefined || value === '') throw new UsageError(`--credential-header ${spec}: the environment variable ${env} is not set`);
    return [spec.slice(0, at), value];
  });
  try {
    return createSanitizer({ patterns: regexps, inject });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `200ms`, `10s`, `2m` or plain milliseconds. */
function durationFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const m = /^(\d{1,7})(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new UsageError(`--${name} takes a duration like 200ms, 10s or 2m, got "${value}"`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
}
