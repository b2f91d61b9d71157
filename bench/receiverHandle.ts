/**
 * The receiver under benchmark, either as the product runs it (a child `dist/cli.js serve` started
 * with the Node flags the extension uses) or inside the benchmark's process (`--in-process`).
 * The benchmark only talks to it through this handle: its URL, its counters and its memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import type { SignalsResponse, StatusResponse } from '../src/core/api/signals';
import { EmbeddedReceiver } from '../src/core/server/embeddedReceiver';
import { combine, readMemory, type HeapReading, type MemoryReading } from './memProbe';
import { editorNode } from './editorNode';

/** A running receiver. */
export interface ReceiverHandle {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** How it runs, for the report. */
  readonly description: string;
  /** Process id of the child (undefined in process), for /proc readings such as VmHWM. */
  readonly pid?: number;
  spansProcessed(): Promise<number>;
  /** Resolves once `spans` spans have been filed. */
  filed(spans: number): Promise<void>;
  /** Its memory, after a full GC when `gc` (and a heap snapshot into `snapshot` when given). */
  memory(gc: boolean, snapshot?: string): Promise<MemoryReading>;
  /** Code locations in the store, over every environment. */
  locations(): Promise<number>;
  stop(): Promise<void>;
}

/** What a receiver is started with. */
export interface HandleOptions {
  workspace: string;
  /** Decode workers (in process only); undefined = the product's default. */
  workers?: number;
  /** Node flags of the child (ignored in process). */
  nodeFlags: string[];
  inProcess: boolean;
  /** Extra environment of the child (diagnosis only, e.g. MALLOC_ARENA_MAX: the extension sets none). */
  env?: Record<string, string>;
}

/** Starts a receiver and waits until it listens and has indexed the workspace. */
export async function startReceiver(o: HandleOptions): Promise<ReceiverHandle> {
  return o.inProcess ? startInProcess(o) : startChild(o);
}

async function startInProcess(o: HandleOptions): Promise<ReceiverHandle> {
  const rx = new EmbeddedReceiver({ host: '127.0.0.1', port: 0, workspace: o.workspace, ...(o.workers === undefined ? {} : { decodeWorkers: o.workers }) });
  await rx.start();
  await rx.indexReady;
  return {
    url: rx.status().listening,
    description: 'in the benchmark process',
    spansProcessed: async () => rx.pipeline.stats.spansProcessed,
    filed: async (spans) => {
      while (rx.pipeline.stats.spansProcessed < spans) {
        await rx.pipeline.idle();
        if (rx.pipeline.stats.spansProcessed < spans) await new Promise((r) => setTimeout(r, 5));
      }
    },
    memory: async (gc, snapshot) => {
      if (gc) {
        (globalThis as { gc?: () => void }).gc?.();
        await new Promise((r) => setTimeout(r, 500));
      }
      if (snapshot) writeHeapSnapshot(snapshot);
      return readMemory();
    },
    locations: async () => rx.store.sizes().locations,
    stop: () => rx.stop(),
  };
}

async function startChild(o: HandleOptions): Promise<ReceiverHandle> {
  // This file runs bundled from dist/bench; the CLI is the shipped bundle next to it.
  const cli = path.resolve(__dirname, '..', 'cli.js');
  const probe = path.resolve(__dirname, '..', '..', 'bench', 'receiverProbe.cjs');
  const args = [...o.nodeFlags, '--expose-gc', '--require', probe, cli, 'serve', '--host', '127.0.0.1', '--port', '0', '--workspace', o.workspace];
  // `serve` has no flag for the decode workers: the product always runs its default.
  if (o.workers !== undefined) throw new Error('--workers needs --in-process');
  // On the Node the extension host would spawn it with (editorNode.ts), not the one running this bench.
  const node = editorNode();
  const child = spawn(node.path, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...o.env } });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the receiver exited with code ${code} before listening: ${out}`)));
  });
  let nextId = 1;
  const waiting = new Map<number, (reply: HeapReading & { snapshot?: string }) => void>();
  child.on('message', (msg: { benchProbe?: boolean; id: number } & HeapReading) => {
    if (msg?.benchProbe) waiting.get(msg.id)?.(msg);
  });
  const status = async () => (await getJson(`${url}/api/status`)) as StatusResponse;
  // The index is ready once a status answer comes back and the first query works; spans wait for it anyway.
  await status();
  return {
    url,
    pid: child.pid,
    description: `a child process, as the extension starts it: node ${o.nodeFlags.join(' ')} dist/cli.js serve`.replace('node  ', 'node ') + ` on Node ${node.version} (${node.origin})`,
    spansProcessed: async () => (await status()).spansProcessed,
    filed: async (spans) => {
      while ((await status()).spansProcessed < spans) await new Promise((r) => setTimeout(r, 20));
    },
    memory: (gc, snapshot) =>
      new Promise((resolve) => {
        const id = nextId++;
        waiting.set(id, (reply) => {
          waiting.delete(id);
          resolve(combine(reply, child.pid!));
        });
        child.send({ benchProbe: true, id, gc, snapshot });
      }),
    locations: async () => {
      const first = (await getJson(`${url}/api/signals?window=1h`)) as SignalsResponse;
      let n = first.functions.length;
      for (const env of first.environments.filter((e) => e !== first.environment)) {
        n += ((await getJson(`${url}/api/signals?window=1h&environment=${encodeURIComponent(env)}`)) as SignalsResponse).functions.length;
      }
      return n;
    },
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (err) {
            reject(err);
          }
        });
      })
      .on('error', reject);
  });
}
