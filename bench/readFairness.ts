/**
 * Load attacks on the read side (issue 9 §3): ingest spans/s of a receiver child (`dist/cli.js
 * serve`) alone, beside four pollers of `/api/signals?window=1h`, and when every batch names a
 * revision git has never seen. Prints one line per scenario; figures are relative to the first.
 * Run: node --import tsx bench/readFairness.ts [path/to/cli.js] [seconds]
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SERVICES, writeWorkspace } from './corpus';

const cli = path.resolve(process.argv[2] ?? 'dist/cli.js');
const seconds = Number(process.argv[3] ?? 6);
const MODULES = 20;
const BATCH = 512;
const PLACEHOLDER = 'R'.repeat(40);

function body(service: number, seq: number, revision: string): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < BATCH; i++) {
    const k = seq * BATCH + i;
    const module = k % MODULES;
    const fn = Math.floor(k / MODULES) % 10;
    spans.push({
      traceId: (k + 1).toString(16).padStart(32, 'a'),
      spanId: (k + 1).toString(16).padStart(16, 'b'),
      name: `handler${module}_${fn}`,
      kind: 2,
      startTimeUnixNano: String(now - 1_000_000n * BigInt(k % 30_000)),
      endTimeUnixNano: String(now - 1_000_000n * BigInt(k % 30_000) + 3_000_000n),
      attributes: [
        { key: 'code.function.name', value: { stringValue: `handler${module}_${fn}` } },
        { key: 'code.file.path', value: { stringValue: `/app/svc${service}/src/module${module}.js` } },
        { key: 'code.line.number', value: { intValue: fn * 6 + 3 } },
      ],
    });
  }
  const resource = [
    ['service.name', `svc${service}`],
    ['vcs.ref.head.revision', revision],
  ].map(([key, v]) => ({ key, value: { stringValue: v } }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(url: string, method: string, payload?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function processed(url: string): Promise<number> {
  return (JSON.parse((await request(`${url}/api/status`, 'GET')).text) as { spansProcessed: number }).spansProcessed;
}

async function run(url: string, label: string, bodies: string[], opts: { pollers: number; uniqueRevisions: boolean }): Promise<number> {
  let stop = false;
  let polls = 0;
  let sent = 0;
  const pollers = Array.from({ length: opts.pollers }, async () => {
    while (!stop) {
      await request(`${url}/api/signals?window=1h`, 'GET');
      polls++;
    }
  });
  const senders = Array.from({ length: 4 }, async (_, w) => {
    for (let i = w; !stop; i += 4) {
      const revision = opts.uniqueRevisions ? randomBytes(20).toString('hex') : '';
      const b = bodies[i % bodies.length]!.replace(PLACEHOLDER, revision);
      const r = await request(`${url}/v1/traces`, 'POST', b);
      if (r.status === 200) sent += BATCH;
      else await new Promise((res) => setTimeout(res, 20));
    }
  });
  const before = await processed(url);
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const after = await processed(url);
  const ms = performance.now() - started;
  stop = true;
  await Promise.all([...pollers, ...senders]);
  const rate = Math.round(((after - before) / ms) * 1000);
  console.log(`${label.padEnd(28)} ${String(rate).padStart(8)} spans/s filed  (${polls} polls, ${sent} spans accepted)`);
  return rate;
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'rl-readfair-'));
  const ws = path.join(root, 'ws');
  writeWorkspace(ws, MODULES);
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@e', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@e' };
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['commit', '-qm', 'bench'],
  ])
    execFileSync('git', args, { cwd: ws, env });
  const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ws, encoding: 'utf8' }).trim();
  const bodies = Array.from({ length: 40 }, (_, i) => body(i % SERVICES, i, PLACEHOLDER));
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--workspace', ws], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (c: Buffer) => resolve(/http:\/\/[^\s]+/.exec(String(c))![0])));
  try {
    // Fill the store: every location, with a known revision.
    for (const b of bodies) await request(`${url}/v1/traces`, 'POST', b.replace(PLACEHOLDER, head));
    while ((await processed(url)) < bodies.length * BATCH) await new Promise((r) => setTimeout(r, 100));
    const revBodies = bodies.map((b) => b.replace(PLACEHOLDER, head));
    const base = await run(url, 'alone', revBodies, { pollers: 0, uniqueRevisions: false });
    const polled = await run(url, 'beside 4 pollers of 1h', revBodies, { pollers: 4, uniqueRevisions: false });
    const unique = await run(url, 'unique revision per batch', bodies, { pollers: 0, uniqueRevisions: true });
    const after = await run(url, 'alone again', revBodies, { pollers: 0, uniqueRevisions: false });
    console.log(`ratios: pollers ${(polled / base).toFixed(3)}, unique revisions ${(unique / base).toFixed(3)}, alone again ${(after / base).toFixed(3)}`);
  } finally {
    child.kill('SIGTERM');
    agent.destroy();
    rmSync(root, { recursive: true, force: true });
  }
}

void main();
