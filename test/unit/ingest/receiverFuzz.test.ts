/**
 * The fuzz tier: mutated OTLP exports (JSON and protobuf, traces and logs, structure- and
 * byte-level) through the real receiver over HTTP, in rounds. After each round: nothing was
 * answered 500, every 200 answer's certainly-valid items were accepted, the counters reconcile
 * (processed + failed = accepted, rejected = what the answers reported), the canary spans sent
 * between the mutated requests are in /api/signals, and the read API still answers.
 * RUNTIME_LENS_FUZZ_RUNS sets the request count (default 20,000; `npm run fuzz` sends 300,000),
 * RUNTIME_LENS_FUZZ_SEED the seed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { SignalsResponse, StatusResponse } from '../../../src/core/api/signals';
import { EmbeddedReceiver } from '../../../src/core/server/embeddedReceiver';
import { byteCase, canaryCase, structureCase, type FuzzCase } from '../../support/fuzzCases';
import { CANARY_SERVICE, type ModelContext, type WorkspaceFunction } from '../../support/fuzzModel';
import { FuzzSender, type Outcome } from '../../support/fuzzSender';
import {
  FUZZ_ALLOWED_STATUSES,
  FUZZ_BYTE_ROUND_EVERY,
  FUZZ_CANARY_EVERY,
  FUZZ_CONCURRENCY,
  FUZZ_DEFAULT_RUNS,
  FUZZ_DEFAULT_SEED,
  FUZZ_MAX_ANSWER_STRING,
  FUZZ_MAX_QUERY_CHARS,
  FUZZ_ROUND,
} from '../../support/fuzzSettings';
import { HOSTILE_STRINGS } from '../../support/hostileValues';
import { SeededRandom } from '../../support/seededRandom';

const RUNS = Number(process.env.RUNTIME_LENS_FUZZ_RUNS ?? FUZZ_DEFAULT_RUNS);
const SEED = Number(process.env.RUNTIME_LENS_FUZZ_SEED ?? FUZZ_DEFAULT_SEED);
// A hang blows through this; the run itself takes a fraction of it.
const TIMEOUT = { timeout: 300_000 + RUNS * 20 };

let workspace: string;
let rx: EmbeddedReceiver;
let sender: FuzzSender;
let ctx: ModelContext;
let nextId = 1;
const sentinel = path.join(os.tmpdir(), 'runtime-lens-pwned');

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=fuzz', '-c', 'user.email=fuzz@example.invalid', ...args], { cwd: workspace, encoding: 'utf8' }).trim();
}

function makeWorkspace(): WorkspaceFunction[] {
  workspace = mkdtempSync(path.join(os.tmpdir(), 'rl-fuzz-'));
  mkdirSync(path.join(workspace, 'src'));
  const functions: WorkspaceFunction[] = [];
  for (const file of ['orders', 'billing']) {
    const lines: string[] = [];
    for (const name of ['create', 'charge', 'list']) {
      functions.push({ file: `/srv/app/src/${file}.js`, name: `${file}_${name}`, line: lines.length + 1 });
      lines.push(`async function ${file}_${name}(req) {`, '  const started = Date.now();', '  return { ms: Date.now() - started };', '}', '');
    }
    writeFileSync(path.join(workspace, 'src', `${file}.js`), `${lines.join('\n')}\n`);
  }
  git('init', '-q');
  git('add', '.');
  git('commit', '-q', '-m', 'fuzz workspace');
  return functions;
}

async function getJson<T>(p: string): Promise<{ status: number; body: T }> {
  const res = await fetch(rx.status().listening + p);
  return { status: res.status, body: (await res.json()) as T };
}

before(async () => {
  rmSync(sentinel, { force: true });
  const functions = makeWorkspace();
  const head = git('rev-parse', 'HEAD');
  ctx = { rnd: new SeededRandom(SEED), functions, revisions: [head, head.slice(0, 7), 'abc1234', ...HOSTILE_STRINGS.slice(-8)], nextId: () => nextId++ };
  rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace });
  await rx.start();
  await rx.indexReady;
  sender = new FuzzSender(rx.status().listening, FUZZ_CONCURRENCY);
});

after(async () => {
  sender?.close();
  await rx?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

/** What one round sent, summed from the answers. */
interface Tally {
  statuses: Map<number, number>;
  problems: string[];
  valid: { traces: number; logs: number };
  slots: { traces: number; logs: number };
  rejected: number;
  retries: number;
  canaries: string[];
}

function tally(): Tally {
  return { statuses: new Map(), problems: [], valid: { traces: 0, logs: 0 }, slots: { traces: 0, logs: 0 }, rejected: 0, retries: 0, canaries: [] };
}

function record(t: Tally, c: FuzzCase, o: Outcome, i: number): void {
  t.statuses.set(o.status, (t.statuses.get(o.status) ?? 0) + 1);
  t.retries += o.retries;
  const what = `request ${i} (${c.describe.slice(0, 200)}, ${c.body.length} bytes)`;
  if (o.error !== undefined) t.problems.push(`${what}: ${o.error}`);
  else if (!FUZZ_ALLOWED_STATUSES.has(o.status)) t.problems.push(`${what}: answered ${o.status} ${o.answer.slice(0, 200)}`);
  if (c.canary !== undefined) {
    if (o.status !== 200) t.problems.push(`${what}: the canary was answered ${o.status}`);
    else t.canaries.push(c.canary);
  }
  if (o.status !== 200) return;
  t.valid[c.signal] += c.valid;
  t.slots[c.signal] += c.slots ?? Number.POSITIVE_INFINITY;
  t.rejected += o.rejected;
}

/** Counters that must add up: spansFailed only once the receiver reports it. */
function failed(s: StatusResponse): number {
  return (s as StatusResponse & { spansFailed?: number }).spansFailed ?? 0;
}

function longestString(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return 0;
  let max = 0;
  for (const v of Object.values(value)) max = Math.max(max, longestString(v));
  return max;
}

/**
 * Failures by kind, the first occurrence of each kept: a broken counter stays broken, and later
 * rounds must still run to show every other kind of failure.
 */
class Failures {
  readonly first = new Map<string, string>();
  readonly counts = new Map<string, number>();

  check(ok: boolean, kind: string, message: () => string): void {
    if (ok) return;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (!this.first.has(kind)) this.first.set(kind, message());
  }

  report(): string[] {
    return [...this.first].map(([kind, message]) => `${kind} (${this.counts.get(kind)} rounds): ${message}`);
  }
}

test(`the receiver survives ${RUNS.toLocaleString('en-US')} mutated OTLP requests and loses nothing it accepted`, TIMEOUT, async (t) => {
  const started = performance.now();
  const allCanaries: string[] = [];
  const totals = tally();
  const failures = new Failures();
  let before = (await getJson<StatusResponse>('/api/status')).body;
  for (let round = 0, sent = 0; sent < RUNS; round++) {
    const size = Math.min(FUZZ_ROUND, RUNS - sent);
    const bytes = round % FUZZ_BYTE_ROUND_EVERY === FUZZ_BYTE_ROUND_EVERY - 1;
    const r = tally();
    await sender.run(
      size,
      (i) => {
        const n = sent + i;
        if (i % FUZZ_CANARY_EVERY === FUZZ_CANARY_EVERY - 1) return canaryCase(ctx, `canary-${n}`);
        return bytes ? byteCase(ctx) : structureCase(ctx);
      },
      (c, o, i) => record(r, c, o, sent + i),
    );
    sent += size;
    await rx.pipeline.idle();
    const status = await getJson<StatusResponse>('/api/status');
    assert.equal(status.status, 200, 'the status API stopped answering');
    const now = status.body;
    const where = `round ${round} (requests ${sent - size}-${sent - 1}, ${bytes ? 'byte-level' : 'structure-level'}, seed ${SEED})`;
    const check = (ok: boolean, kind: string, message: () => string) => failures.check(ok, kind, () => `${where}: ${message()}`);
    check(r.problems.length === 0, 'requests answered 500, not at all, or canaries refused', () => `${r.problems.length} requests, e.g. ${r.problems.slice(0, 3).join(' | ')}`);
    const accepted = now.spansAccepted - before.spansAccepted;
    const logsAccepted = now.logsAccepted - before.logsAccepted;
    check(accepted >= r.valid.traces, 'valid spans of 200 answers not accepted', () => `${accepted} spans accepted, but the requests answered 200 held ${r.valid.traces} valid spans`);
    check(logsAccepted >= r.valid.logs, 'valid log records of 200 answers not accepted', () => `${logsAccepted} log records accepted, but the requests answered 200 held ${r.valid.logs} valid ones`);
    check(accepted <= r.slots.traces, 'more spans accepted than sent', () => `${accepted} spans accepted from requests that held at most ${r.slots.traces}`);
    check(logsAccepted <= r.slots.logs, 'more log records accepted than sent', () => `${logsAccepted} log records accepted from requests that held at most ${r.slots.logs}`);
    check(now.spansRejected - before.spansRejected === r.rejected, 'rejected counter differs from the answers', () => `counter +${now.spansRejected - before.spansRejected}, partial-success answers ${r.rejected}`);
    check(now.queueDepth === 0, 'queue not empty once idle', () => `queueDepth ${now.queueDepth}`);
    check(now.spansProcessed + failed(now) === now.spansAccepted, 'spans processed + failed != accepted', () => `processed ${now.spansProcessed} + failed ${failed(now)} != accepted ${now.spansAccepted}`);
    check(now.logsProcessed === now.logsAccepted, 'log records processed != accepted', () => `processed ${now.logsProcessed} != accepted ${now.logsAccepted}`);
    const canaries = await getJson<SignalsResponse>(`/api/signals?window=1h&environment=${CANARY_SERVICE}`);
    check(canaries.status === 200, '/api/signals failed', () => `answered ${canaries.status} for the canary environment`);
    const names = new Set(canaries.body.operations?.map((o) => o.name) ?? []);
    const missing = r.canaries.filter((c) => !names.has(c));
    check(missing.length === 0, 'canary spans missing from /api/signals', () => `${missing.length} of ${r.canaries.length}: ${missing.slice(0, 5).join(', ')}`);
    // Hostile environment names must not break the read API, nor fill its answers with huge strings.
    const first = await getJson<SignalsResponse>('/api/signals?window=1h');
    check(first.status === 200, '/api/signals failed', () => `answered ${first.status}`);
    const longest = longestString(first.body);
    check(longest <= FUZZ_MAX_ANSWER_STRING, `a string in /api/signals is longer than ${FUZZ_MAX_ANSWER_STRING} chars`, () => `${longest} chars`);
    for (const env of (first.body.environments ?? []).slice(0, 20)) {
      const query = `/api/signals?window=1h&environment=${encodeURIComponent(Buffer.from(env, 'utf8').toString('utf8'))}`;
      const shown = JSON.stringify(env.slice(0, 40));
      if (query.length > FUZZ_MAX_QUERY_CHARS) {
        check(false, 'environment names too long to query', () => `an environment name of ${env.length} chars (${shown}...) is listed`);
        continue;
      }
      const one = await fetch(rx.status().listening + query);
      check(one.status === 200, '/api/signals failed for a listed environment', () => `environment ${shown} answered ${one.status}`);
      await one.arrayBuffer();
    }
    allCanaries.push(...r.canaries);
    for (const [s, n] of r.statuses) totals.statuses.set(s, (totals.statuses.get(s) ?? 0) + n);
    totals.retries += r.retries;
    totals.valid.traces += r.valid.traces;
    totals.valid.logs += r.valid.logs;
    before = now;
  }
  const end = (await getJson<SignalsResponse>(`/api/signals?window=1h&environment=${CANARY_SERVICE}`)).body;
  if (end.evicted.operations === 0) {
    const names = new Set(end.operations.map((o) => o.name));
    const missing = allCanaries.filter((c) => !names.has(c));
    failures.check(missing.length === 0, 'canary spans missing at the end', () => `${missing.length} of ${allCanaries.length}`);
  }
  failures.check(!existsSync(sentinel), 'a hostile revision or path wrote a file', () => sentinel);
  const ms = performance.now() - started;
  const status = rx.status();
  t.diagnostic(
    `${RUNS} requests in ${(ms / 1000).toFixed(1)} s (${Math.round((RUNS * 1000) / ms)}/s), seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries(totals.statuses))}; ` +
      `${totals.retries} retries; spans accepted ${status.spansAccepted} (certainly valid in 200s: ${totals.valid.traces}), rejected items ${status.spansRejected}, ` +
      `logs accepted ${status.logsAccepted} (certainly valid: ${totals.valid.logs}); ${allCanaries.length} canaries; operations evicted ${end.evicted.operations}`,
  );
  assert.deepEqual(failures.report(), []);
});
