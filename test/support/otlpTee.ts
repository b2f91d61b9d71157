/**
 * One OTLP/HTTP endpoint that hands every export, byte for byte, to several receivers (as a collector
 * with two exporters would), so one real service's spans reach the embedded receiver and Jaeger alike
 * and tests can compare what each gives back.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running tee: its URL (`http://127.0.0.1:PORT`) and how to close it. */
export interface OtlpTee {
  url: string;
  /** Exports forwarded (to every target). */
  forwarded(): number;
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards each request to every base URL in `targets`; answers with the first target's answer. */
export async function startOtlpTee(targets: string[]): Promise<OtlpTee> {
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const name of ['content-type', 'content-encoding']) {
        const v = req.headers[name];
        if (typeof v === 'string') headers[name] = v;
      }
      try {
        const answers = await Promise.all(targets.map((t) => fetch(`${t.replace(/\/+$/, '')}${req.url ?? '/'}`, { method: req.method, headers, body: req.method === 'POST' ? body : undefined })));
        forwarded++;
        const first = answers[0];
        const text = Buffer.from(await first.arrayBuffer());
        for (const a of answers.slice(1)) await a.arrayBuffer();
        res.writeHead(first.status, { 'content-type': first.headers.get('content-type') ?? 'application/octet-stream' });
        res.end(text);
      } catch (err) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end((err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded: () => forwarded,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
