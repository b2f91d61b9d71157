/**
 * Records what a real SDK exports, so its exact bytes can be replayed into the receiver without
 * the SDK's toolchain (test/fixtures/otlp-recorded/<stack>/export.jsonl). A loopback OTLP/HTTP
 * endpoint that accepts every signal and answers an empty success, as a collector would.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AddressInfo } from 'node:net';

/** One export request as the SDK sent it. */
export interface RecordedExport {
  /** `/v1/traces`, `/v1/logs` or `/v1/metrics`. */
  path: string;
  contentType: string;
  /** Content-Encoding as sent (`gzip` or ''). */
  contentEncoding: string;
  bodyBase64: string;
}

/** A running recorder. */
export interface Recorder {
  /** `http://127.0.0.1:PORT`: the value for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  readonly records: RecordedExport[];
  /** Writes the records as JSON lines (one export per line), creating the folder. */
  save(file: string): void;
  stop(): Promise<void>;
}

const SIGNAL_PATHS = new Set(['/v1/traces', '/v1/logs', '/v1/metrics']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts a recorder on a free loopback port. */
export async function startRecorder(): Promise<Recorder> {
  const records: RecordedExport[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method !== 'POST' || !SIGNAL_PATHS.has(path)) {
      res.writeHead(404).end();
      return;
    }
    void readBody(req).then(
      (body) => {
        const contentType = String(req.headers['content-type'] ?? '');
        records.push({ path, contentType, contentEncoding: String(req.headers['content-encoding'] ?? ''), bodyBase64: body.toString('base64') });
        const json = contentType.includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
      },
      () => res.writeHead(400).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    save(file: string) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads a file written by `Recorder.save`. */
export function loadRecording(file: string): RecordedExport[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RecordedExport);
}

/** Sends recorded exports to a receiver in their recorded order; throws on any answer but 2xx. */
export async function replay(records: readonly RecordedExport[], url: string, headers: Record<string, string> = {}): Promise<void> {
  for (const r of records) {
    const res = await fetch(`${url}${r.path}`, {
      method: 'POST',
      headers: { 'content-type': r.contentType, ...(r.contentEncoding ? { 'content-encoding': r.contentEncoding } : {}), ...headers },
      body: Buffer.from(r.bodyBase64, 'base64'),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`replay ${r.path} -> ${res.status}`);
  }
}
