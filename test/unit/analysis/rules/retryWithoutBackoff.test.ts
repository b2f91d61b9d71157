import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings, lines } from './support';

const R = 'retry-without-backoff';

describe('retry-without-backoff', () => {
  it('JS: flags fixed delays and unbounded loops, not exponential backoff with a bound', async () => {
    const src = [
      'async function a() {',
      '  for (let attempt = 0; attempt < 5; attempt++) {',
      '    try { return await call(); } catch (e) { await sleep(1000); }',
      '  }',
      '}',
      'async function b() {',
      '  while (true) {',
      '    try { return await call(); } catch (e) { await sleep(1000 * 2 ** n); }',
      '  }',
      '}',
      'async function c() {',
      '  let delay = 100;',
      '  for (let i = 0; i < 5; i++) {',
      '    try { return await call(); } catch (e) { await new Promise((r) => setTimeout(r, delay)); delay *= 2; }',
      '  }',
      '}',
      'async function d() {',
      '  for (let retries = 0; retries < 3; retries++) {',
      '    try { return await call(); } catch (e) { await sleep(backoff(retries)); }',
      '  }',
      '}',
      'async function worker() {',
      '  while (true) {',
      '    try { handle(await queue.receive()); } catch (e) { log.error(e); }',
      '  }',
      '}',
    ].join('\n');
    const found = await findings('src/r.ts', src, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [2, 7],
    );
    assert.match(found[0].message, /fixed delay/);
    assert.match(found[1].message, /no attempt limit/);
  });

  it('JS: loops over alternatives, over Object.entries, or handing a growing backoff to a helper are not flagged', async () => {
    const src = [
      'function a(paths) {',
      '  for (const p of paths) { try { return read(p); } catch { } }',
      '  for (const [name, def] of Object.entries(DEFS)) { try { return parse(def); } catch (e) { log.warn(e); } }',
      '}',
      'async function b() {',
      '  let attempts = 5; let nextBackoff = 100;',
      "  while (result.status === 'retryable' && attempts > 0) {",
      '    attempts--; nextBackoff = nextBackoff * 2;',
      '    result = await this.retry(data, nextBackoff);',
      '  }',
      '}',
    ].join('\n');
    assert.deepEqual(await lines('src/alt.js', src, R), []);
  });

  it('Python: while True with a fixed sleep is flagged, a bounded exponential loop is not', async () => {
    const src = [
      'def a():',
      '    while True:',
      '        try:',
      '            return requests.get(u, timeout=5)',
      '        except requests.RequestException:',
      '            time.sleep(1)',
      'def b():',
      '    for attempt in range(5):',
      '        try:',
      '            return requests.get(u, timeout=5)',
      '        except requests.RequestException:',
      '            time.sleep(2 ** attempt)',
      '',
    ].join('\n');
    assert.deepEqual(await lines('app/r.py', src, R), [2]);
  });

  it('Go: `for {}` retrying until err == nil without sleep is flagged; shifted delays are not', async () => {
    const src = [
      'package p',
      'func a() {',
      '\tfor {',
      '\t\tif err := call(); err == nil {',
      '\t\t\tbreak',
      '\t\t}',
      '\t}',
      '\tfor i := 0; i < 5; i++ {',
      '\t\tif err := call(); err == nil {',
      '\t\t\tbreak',
      '\t\t}',
      '\t\ttime.Sleep(time.Duration(1<<i) * 100 * time.Millisecond)',
      '\t}',
      '}',
    ].join('\n');
    const found = await findings('p/r.go', src, R);
    assert.deepEqual(
      found.map((f) => f.line),
      [3],
    );
    assert.match(found[0].message, /no backoff and no attempt limit/);
  });

  it('Java: a retry counter loop with Thread.sleep(constant) is flagged', async () => {
    const src = [
      'class A { String m() throws Exception {',
      '  for (int attempt = 0; attempt < 3; attempt++) {',
      '    try { return call(); } catch (IOException e) { Thread.sleep(500); }',
      '  }',
      '  for (int attempt = 0; attempt < 3; attempt++) {',
      '    try { return call(); } catch (IOException e) { Thread.sleep(500L * (1L << attempt)); }',
      '  }',
      '  return null;',
      '} }',
    ].join('\n');
    assert.deepEqual(await lines('A.java', src, R), [2]);
  });
});
