/**
 * The disturbances of `npm run bench:abuse`, run from the benchmark's process while the
 * well-behaved sender (another process) measures: readers polling `/api/signals?window=1h`, a
 * sender whose every batch names a revision git has never seen, and gzip bombs.
 */
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { FUNCTIONS_PER_MODULE, SERVICES } from './corpus';

/** A running disturbance: stop() ends it and says what it did. */
export interface Disturbance {
  stop(): Promise<string>;
}

/** Requests answered per status, and connection failures. */
class Counts {
  readonly statuses = new Map<number, number>();
  errors = 0;

  add(status: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
  }

  describe(what: string): string {
    const total = [...this.statuses.values()].reduce((a, b) => a + b, 0);
    return `${total.toLocaleString('en-US')} ${what} (${[...this.statuses].map(([s, n]) => `${n} x ${s}`).join(', ')}${this.errors ? `, ${this.errors} failed` : ''})`;
  }
}

function request(agent: http.Agent, url: string, method: string, body?: Buffer, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: body ? { ...headers, 'Content-Length': body.length } : headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `lanes` loops sending `next()` back to back until stopped. */
function loop(lanes: number, what: string, send: (agent: http.Agent) => Promise<number>): Disturbance {
  const agent = new http.Agent({ keepAlive: true, maxSockets: lanes });
  const counts = new Counts();
  let running = true;
  const lane = async () => {
    while (running) {
      try {
        counts.add(await send(agent));
      } catch {
        counts.errors++;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  const all = Promise.all(Array.from({ length: lanes }, lane));
  return {
    async stop() {
      running = false;
      await all;
      agent.destroy();
      return counts.describe(what);
    },
  };
}

/** Four (by default) readers polling the panel's heaviest query back to back. */
export function readers(base: string, n = 4): Disturbance {
  return loop(n, 'reads of /api/signals?window=1h', (agent) => request(agent, `${base}/api/signals?window=1h`, 'GET'));
}

/** OTLP/JSON batches of `spans` spans mapped to the corpus workspace, each naming a revision never seen before. */
export function uniqueRevisions(base: string, spans = 20, lanes = 2): Disturbance {
  let seq = 0;
  return loop(lanes, `batches of ${spans} spans with unique vcs.ref.head.revision`, (agent) => {
    const service = seq++ % SERVICES;
    const now = BigInt(Date.now()) * 1_000_000n;
    const list = Array.from({ length: spans }, (_, i) => {
      const fn = i % FUNCTIONS_PER_MODULE;
      return {
        traceId: randomBytes(16).toString('hex'),
        spanId: randomBytes(8).toString('hex'),
        name: `handler0_${fn}`,
        kind: 2,
        startTimeUnixNano: String(now),
        endTimeUnixNano: String(now + 3_000_000n),
        attributes: [
          { key: 'code.function.name', value: { stringValue: `handler0_${fn}` } },
          { key: 'code.file.path', value: { stringValue: `/app/svc${service}/src/module0.js` } },
          { key: 'code.line.number', value: { intValue: fn * 6 + 3 } },
        ],
      };
    });
    const resource = [
      ['service.name', `svc${service}`],
      ['deployment.environment.name', 'production'],
      ['vcs.ref.head.revision', randomBytes(20).toString('hex')],
    ];
    const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: resource.map(([key, v]) => ({ key, value: { stringValue: v } })) }, scopeSpans: [{ scope: { name: 'abuse' }, spans: list }] }] });
    return request(agent, `${base}/v1/traces`, 'POST', Buffer.from(body), { 'Content-Type': 'application/json' });
  });
}

/** Bytes of zeros in one gzip bomb: past the receiver's default 64 MiB body limit once inflated. */
export const BOMB_INFLATED_BYTES = 80 * 1024 * 1024;

/** Gzip bombs (~80 KB on the wire each) posted back to back. */
export function gzipBombs(base: string, lanes = 2): Disturbance {
  const bomb = gzipSync(Buffer.alloc(BOMB_INFLATED_BYTES), { level: 9 });
  return loop(lanes, `gzip bombs of ${Math.round(bomb.length / 1024)} KB -> ${BOMB_INFLATED_BYTES / 1048576} MiB`, (agent) =>
    request(agent, `${base}/v1/traces`, 'POST', bomb, { 'Content-Type': 'application/x-protobuf', 'Content-Encoding': 'gzip' }),
  );
}
