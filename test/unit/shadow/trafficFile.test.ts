import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readGor } from '../../../src/core/shadow/gorTraffic';
import { readHar } from '../../../src/core/shadow/harTraffic';
import { readJsonTraffic } from '../../../src/core/shadow/jsonTraffic';
import { readTrafficFile } from '../../../src/core/shadow/trafficFile';

const FIXTURES = path.resolve(__dirname, '../../fixtures/shadow');
const HAR = readFileSync(path.join(FIXTURES, 'chromium.har'));
const GOR = readFileSync(path.join(FIXTURES, 'ecommerceWorkshop.gor'));
const dir = mkdtempSync(path.join(tmpdir(), 'rl-traffic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer | string): string {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

async function rejects(p: string, pattern: RegExp): Promise<void> {
  await assert.rejects(readTrafficFile(p), (e: Error) => {
    assert.match(e.message, pattern);
    assert.ok(e.message.startsWith(`traffic file ${p}: `), e.message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

test('the extension picks the reader; gzipped files are unpacked first', async () => {
  const har = readHar(HAR.toString('utf8'));
  const gor = readGor(GOR);
  const json = JSON.stringify(har.requests);
  assert.deepEqual(await readTrafficFile(file('session.HAR', HAR)), har);
  assert.deepEqual(await readTrafficFile(file('requests_0.gor', GOR)), gor);
  assert.deepEqual(await readTrafficFile(file('requests_0.gor.gz', gzipSync(GOR))), gor);
  assert.deepEqual(await readTrafficFile(file('traffic.json', json)), readJsonTraffic(json));
});

test('an unknown extension is read by what the file holds', async () => {
  assert.deepEqual(await readTrafficFile(file('2019091012.log', GOR)), readGor(GOR));
  const pretty = JSON.stringify({ _comment: 'keys in another order', log: JSON.parse(HAR.toString('utf8')).log }, null, 2);
  assert.equal((await readTrafficFile(file('capture.txt', pretty))).requests.length, 6);
  assert.deepEqual((await readTrafficFile(file('export', '[{"method":"GET","target":"/a"}]'))).requests[0].target, '/a');
  await rejects(file('notes.txt', 'just some notes\n'), /not a HAR, GoReplay or JSON traffic file/);
});

test('errors are one line naming the file', async () => {
  await rejects(path.join(dir, 'missing.har'), /ENOENT/);
  await rejects(file('wrong.har', GOR), /: not a HAR file: not JSON/);
  await rejects(file('wrong.gor', HAR), /: not a GoReplay file: /);
  await rejects(file('broken.gor.gz', GOR), /not gzip/);
  const big = file('big.gor', '');
  truncateSync(big, 257 * 1024 * 1024);
  await rejects(big, /257 MiB is over the 256 MiB limit for traffic files$/);
});
