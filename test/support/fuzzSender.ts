/**
 * Sends the receiver fuzzer's requests over keep-alive loopback connections, several at once,
 * retrying 429 and 503 as OTLP exporters do, and reads the rejected count of each 200 answer.
 */
import * as http from 'node:http';
import type { FuzzCase } from './fuzzCases';

/** How one request ended. */
export interface Outcome {
  status: number;
  /** Items the answer reports as rejected (partial success), for a 200. */
  rejected: number;
  retries: number;
  /** Set when the connection failed instead of answering. */
  error?: string;
  /** The start of the answer body, for failure messages. */
  answer: string;
}

const RETRY_STATUSES = new Set([429, 503]);
const MAX_RETRIES = 200;

/** A protobuf Export*ServiceResponse: partial_success (1) { rejected count (1) }. */
function rejectedProto(body: Buffer): number {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = body[pos++];
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 128;
    }
  };
  while (pos < body.length) {
    const tag = varint();
    if (tag === 0x0a) {
      const end = varint() + pos;
      while (pos < end) {
        const inner = varint();
        if (inner === 0x08) return varint();
        if ((inner & 7) === 2) pos += varint();
        else varint();
      }
    } else return 0;
  }
  return 0;
}

function rejectedOf(body: Buffer, contentType: string | undefined): number {
  if (body.length === 0) return 0;
  if (contentType === 'application/x-protobuf') return rejectedProto(body);
  const partial = (JSON.parse(body.toString('utf8')) as { partialSuccess?: { rejectedSpans?: string; rejectedLogRecords?: string } }).partialSuccess;
  return Number(partial?.rejectedSpans ?? partial?.rejectedLogRecords ?? 0);
}

/** Posts requests to one receiver over a pool of keep-alive connections. */
export class FuzzSender {
  private readonly agent: http.Agent;
  private readonly target: URL;

  constructor(
    base: string,
    readonly concurrency: number,
    private readonly headers: Record<string, string> = {},
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
    this.target = new URL(base);
  }

  private once(c: FuzzCase): Promise<{ status: number; body: Buffer; type?: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: 'POST',
          path: c.signal === 'traces' ? '/v1/traces' : '/v1/logs',
          agent: this.agent,
          headers: { ...this.headers, ...c.headers, 'Content-Length': c.body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), type: res.headers['content-type'] }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(c.body);
    });
  }

  /** Sends one case, retrying 429/503 after a short pause. */
  async send(c: FuzzCase): Promise<Outcome> {
    let retries = 0;
    for (;;) {
      let answer: { status: number; body: Buffer; type?: string };
      try {
        answer = await this.once(c);
      } catch (err) {
        return { status: 0, rejected: 0, retries, error: (err as Error).message, answer: '' };
      }
      if (RETRY_STATUSES.has(answer.status) && retries < MAX_RETRIES) {
        retries++;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      const text = answer.body.subarray(0, 300).toString('utf8');
      try {
        return { status: answer.status, rejected: answer.status === 200 ? rejectedOf(answer.body, answer.type) : 0, retries, answer: text };
      } catch (err) {
        return { status: answer.status, rejected: 0, retries, error: `unreadable answer (${(err as Error).message})`, answer: text };
      }
    }
  }

  /** Sends `count` cases made by `make(i)` with `concurrency` in flight, calling `done` for each. */
  async run(count: number, make: (i: number) => FuzzCase, done: (c: FuzzCase, o: Outcome, i: number) => void): Promise<void> {
    let next = 0;
    const lane = async () => {
      while (next < count) {
        const i = next++;
        const c = make(i);
        done(c, await this.send(c), i);
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, lane));
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }
}
