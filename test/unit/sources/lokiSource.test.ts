// LokiSource against the strict Loki fixture (Loki itself is AGPL and never run here): real-format
// log lines (recorded stacks split one line per entry, a JSON line holding a stack Node made here,
// Alloy's Faro line) become error groups on their workspace lines: the window read on connect, then
// live through the tail; each exception once across the overlap; stale while Loki is away, then back.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ErrorSignal, SignalsResponse } from '../../../src/core/api/signals';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { LokiSource } from '../../../src/core/sources/loki/lokiSource';
import { LokiTail } from '../../../src/core/sources/loki/lokiTail';
import { parseSignalsQuery, type SignalsQuery } from '../../../src/core/sources/telemetrySource';
import { LokiFixture } from '../../support/lokiFixture';
import { telemetrySourceConformance } from './conformance';

const stack = (name: string) => readFileSync(path.join(__dirname, '../../fixtures/stacks', name), 'utf8').trimEnd();
const faroLine = () => readFileSync(path.join(__dirname, '../../fixtures/loki/faro-exception.logfmt'), 'utf8').trimEnd();
const ns = (ms: number) => `${ms}000000`;
const lines = (text: string, fromMs: number): Array<[string, string]> => text.split('\n').map((l, i) => [ns(fromMs + i), l]);
const window = (w = '1h'): SignalsQuery => parseSignalsQuery(new URLSearchParams(`window=${w}`), w);

/** Lines numbered so the stacks' frames land inside the right functions. */
function numbered(total: number, at: Record<number, string>): string {
  return Array.from({ length: total }, (_, i) => at[i + 1] ?? `    # line ${i + 1}`).join('\n') + '\n';
}

/** A workspace holding the files the stacks name, and a real Node module to throw from. */
function workspace(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-loki-'));
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  write(
    'shop/orders.py',
    numbered(18, {
      8: 'def parse_order(raw):',
      9: '    return json.loads(raw)',
      12: 'def load_order(raw):',
      13: '    try:',
      14: '        return parse_order(raw)',
      15: '    except ValueError as exc:',
      16: '        raise OrderError("bad order payload") from exc',
    }).replace(/#/g, '#'),
  );
  write(
    'src/main/java/com/example/orders/Main.java',
    [
      'package com.example.orders;',
      '',
      'public class Main {',
      '  static class Handler {',
      '    void handle(String id) {',
      '      try {',
      '        new OrderService().reserve(id);',
      '      } catch (Exception e) {',
      '        // wrap',
      '        // and',
      '        // rethrow',
      '        // below',
      '        // here',
      '        throw new RuntimeException("request failed", e);',
      '      }',
      '    }',
      '  }',
      '  public static void main(String[] args) {',
      '    // run',
      '    // it',
      '    new Handler().handle("o-1");',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  write(
    'inventory/inventory.go',
    [
      'package inventory',
      '',
      'import "sort"',
      '',
      'type Item struct{ Stock []int }',
      '',
      '// SortByFirstStock sorts items by their first stock count.',
      '//',
      '//',
      '//',
      '//',
      '//',
      '//',
      'func SortByFirstStock(items []Item) {',
      '\tsort.Slice(items, func(i, j int) bool {',
      '\t\treturn items[i].Stock[0] < items[j].Stock[0]',
      '\t})',
      '}',
      '',
    ].join('\n'),
  );
  write(
    'src/cart.ts',
    [
      'export interface Line { amount: number }',
      '',
      '/** The total of a cart. */',
      '',
      '',
      '',
      '',
      '',
      '',
      'export function renderTotal(lines: Line[]): string {',
      '  const first = lines[0];',
      '  return String(first.amount);',
      '}',
      '',
      '',
      '',
      '',
      '',
      'export function renderCart(lines: Line[]): string {',
      '  return renderTotal(lines);',
      '}',
      '',
    ].join('\n'),
  );
  write(
    'src/checkout.js',
    ['function pay(cart) {', '  if (cart.quantity <= 0) {', "    throw new RangeError('quantity must be positive');", '  }', '  return cart.quantity;', '}', 'module.exports = { pay };', ''].join('\n'),
  );
  return root;
}

/** A JSON log line with OpenTelemetry's exception.* fields, holding the stack real code threw here. */
function nodeJsonLine(root: string): string {
  const { pay } = require(path.join(root, 'src/checkout.js')) as { pay: (c: { quantity: number }) => number };
  try {
    pay({ quantity: 0 });
  } catch (e) {
    const err = e as Error;
    return JSON.stringify({ level: 'error', msg: 'checkout failed', 'exception.type': err.name, 'exception.message': err.message, 'exception.stacktrace': err.stack, 'service.name': 'checkout' });
  }
  throw new Error('pay did not throw');
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const find = (answer: SignalsResponse, type: string): ErrorSignal | undefined => answer.errors.find((e) => e.type === type);

async function mapperFor(root: string): Promise<CodeMapper> {
  return new CodeMapper((await WorkspaceIndex.build(root)).index);
}

describe('LokiSource with the Loki fixture', () => {
  let root: string;
  let loki: LokiFixture;
  let source: LokiSource;
  const start = Date.now() - 60_000;

  before(async () => {
    root = workspace();
    loki = await LokiFixture.start();
    // already in Loki when the editor connects: a Python traceback and a Java chain as plain lines, a JSON line
    loki.push({ service_name: 'shop', deployment_environment: 'prod' }, [[ns(start - 5), 'INFO order accepted'], ...lines(stack('python-chained.txt'), start), [ns(start + 100), 'INFO next']]);
    loki.push({ service_name: 'orders', deployment_environment: 'prod' }, lines(stack('java-caused-by.txt'), start + 200));
    loki.push({ service_name: 'checkout', deployment_environment: 'prod' }, [
      [ns(start + 300), nodeJsonLine(root)],
      [ns(start + 301), '{"level":"info","msg":"ok"}'],
    ]);
    source = new LokiSource({ baseUrl: loki.url, mapper: await mapperFor(root), reconnectBaseMs: 50, reconnectMaxMs: 200, pingMs: 100, refreshMs: 1_000, retries: 0, timeoutMs: 2_000 });
  });

  after(async () => {
    await source?.dispose();
    await loki?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('declares logs and live only', () => {
    assert.deepEqual(source.capabilities, { spans: false, metrics: false, logs: true, live: true, traces: false });
  });

  it('on connect reads the window with query_range and answers error groups on the lines that threw', async () => {
    const answer = await source.signals(window());
    assert.deepEqual([answer.functions, answer.operations, answer.calls], [[], [], []]);
    const py = find(answer, 'shop.orders.OrderError');
    assert.deepEqual([py?.file, py?.line, py?.function, py?.message, py?.service, py?.environment, py?.count], ['shop/orders.py', 16, 'load_order', 'bad order payload', 'shop', 'prod', 1]);
    assert.deepEqual(py?.figures, { source: 'loki', basis: 'logs', ageMs: py?.figures?.ageMs });
    const java = find(answer, 'java.lang.RuntimeException');
    assert.deepEqual([java?.file, java?.line, java?.function], ['src/main/java/com/example/orders/Main.java', 14, 'Handler.handle']);
    const node = find(answer, 'RangeError');
    assert.deepEqual([node?.file, node?.line, node?.function, node?.message], ['src/checkout.js', 3, 'pay', 'quantity must be positive']);
    const ranges = loki.requests.filter((r) => r.path === '/loki/api/v1/query_range');
    assert.equal(ranges.length, 1);
    assert.equal(ranges[0].params.get('direction'), 'forward');
    assert.match(ranges[0].params.get('query')!, /^\{service_name=~"\.\+"\} \|~ `/);
    assert.equal(source.status().state, 'ok');
  });

  it('the live tail adds error groups as Loki receives them: a Go panic and a browser error from Faro', async () => {
    await until('the tail to open', () => loki.tailCount > 0);
    let changes = 0;
    const sub = source.onChange(() => changes++);
    const now = Date.now();
    loki.push({ service_name: 'inventory', deployment_environment: 'prod' }, lines(stack('go-panic.txt'), now));
    loki.push({ service_name: 'faro', kind: 'exception' }, [[ns(now + 50), faroLine()]]);
    // The browser error is in its app's environment (`app_environment=production`), the panic in the stream's.
    const answer = await until('the live Go panic', async () => {
      const a = await source.signals(window());
      return find(a, 'panic') ? a : undefined;
    });
    const web = await until('the live browser error', async () => {
      const a = await source.signals({ ...window(), environment: 'production' });
      return find(a, 'TypeError') ? a : undefined;
    });
    sub.dispose();
    assert.ok(changes > 0, 'onChange fired');
    const go = find(answer, 'panic')!;
    assert.deepEqual([go.file, go.line, go.message, go.service], ['inventory/inventory.go', 16, 'runtime error: index out of range [0] with length 0', 'inventory']);
    const browser = find(web, 'TypeError')!;
    assert.deepEqual(
      [browser.file, browser.line, browser.function, browser.service, browser.environment, browser.traceIds],
      ['src/cart.ts', 12, 'renderTotal', 'shop-web', 'production', ['4bf92f3577b34da6a3ce929d0e0e4736']],
    );
    const tail = loki.requests.find((r) => r.path === '/loki/api/v1/tail')!;
    assert.equal(tail.params.get('query'), loki.requests.find((r) => r.path === '/loki/api/v1/query_range')!.params.get('query'));
  });

  it('when Loki drops the groups are kept and marked stale; the tail reconnects, reads the gap, and counts each exception once', async () => {
    await loki.pause();
    const status = await until('stale', () => (source.status().state === 'stale' ? source.status() : undefined));
    assert.match(status.error ?? '', /^loki: /);
    const stale = await source.signals(window());
    const py = find(stale, 'shop.orders.OrderError');
    assert.equal(py?.figures?.stale, true);
    assert.equal(stale.errors.length, 4);
    // while away, an exception is written; Loki comes back on the same address
    loki.push({ service_name: 'shop', deployment_environment: 'prod' }, lines(stack('python-during-handling.txt'), Date.now()));
    await loki.resume();
    const back = await until('the new exception after reconnecting', async () => {
      const a = await source.signals(window());
      return find(a, 'KeyError') && source.status().state === 'ok' ? a : undefined;
    });
    assert.equal(find(back, 'KeyError')?.file, 'shop/orders.py');
    assert.equal(find(back, 'KeyError')?.figures?.stale, undefined);
    // the reconnect's tail lookback and gap read both replayed entries already read: none counted twice
    await until('the replayed entries to be read', () => source.entries.duplicates > 0);
    for (const e of back.errors) assert.equal(e.count, 1, `${e.type} counted ${e.count} times`);
    assert.equal(back.errors.length, 5);
    assert.deepEqual(back.environments.sort(), ['prod', 'production']);
  });
});

describe('LokiSource when Loki refuses', () => {
  it('a gateway refusing credentials gives one line naming the source, and no answer', async () => {
    const loki = await LokiFixture.start({ requireHeaders: { Authorization: 'Bearer right' } });
    const root = workspace();
    const source = new LokiSource({ name: 'loki (prod)', baseUrl: loki.url, mapper: await mapperFor(root), headers: { Authorization: 'Bearer wrong' }, authHint: 'set LOKI_TOKEN', retries: 0 });
    try {
      await assert.rejects(source.signals(window()), (err: Error) => /^loki \(prod\) at http:\/\/127\.0\.0\.1:\d+: credentials missing or refused \(HTTP 401\); set LOKI_TOKEN$/.test(err.message));
      assert.equal(source.status().state, 'error');
    } finally {
      await source.dispose();
      await loki.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a tail refused for its credentials says so in one line, and keeps retrying with backoff', async () => {
    const loki = await LokiFixture.start({ requireHeaders: { Authorization: 'Bearer right' } });
    const states: Array<[boolean, string | undefined]> = [];
    const tail = new LokiTail({
      name: 'loki',
      baseUrl: loki.url,
      query: '{app="x"}',
      headers: { Authorization: 'Bearer wrong' },
      authHint: 'set LOKI_TOKEN',
      startNs: () => undefined,
      onStreams: () => undefined,
      onState: (open, error) => states.push([open, error]),
      reconnectBaseMs: 20,
      reconnectMaxMs: 40,
    });
    try {
      tail.connect();
      await until('two refusals', () => states.length >= 2);
      for (const [open, error] of states) assert.deepEqual([open, error], [false, 'loki: tail credentials missing or refused (HTTP 401); set LOKI_TOKEN']);
      assert.equal(loki.requests.filter((r) => r.path === '/loki/api/v1/tail').length >= 2, true);
    } finally {
      tail.dispose();
      await loki.stop();
    }
  });

  it('sends its headers on the tail as on query_range', async () => {
    const loki = await LokiFixture.start({ requireHeaders: { Authorization: 'Bearer right' } });
    const root = workspace();
    const source = new LokiSource({ baseUrl: loki.url, mapper: await mapperFor(root), headers: { Authorization: 'Bearer right' } });
    try {
      await source.signals(window());
      await until('the tail to open', () => loki.tailCount > 0);
      assert.equal(source.status().state, 'ok');
    } finally {
      await source.dispose();
      await loki.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

telemetrySourceConformance('loki (fixture, exception logs)', async () => {
  const root = workspace();
  const loki = await LokiFixture.start();
  loki.push({ service_name: 'shop', deployment_environment: 'prod' }, lines(stack('python-chained.txt'), Date.now() - 30_000));
  const source = new LokiSource({ baseUrl: loki.url, mapper: await mapperFor(root) });
  return {
    source,
    file: 'shop/orders.py',
    traceId: '0123456789abcdef0123456789abcdef',
    teardown: async () => {
      await source.dispose();
      await loki.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
});
