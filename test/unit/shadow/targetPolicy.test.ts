import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { checkTarget } from '../../../src/core/shadow/targetPolicy';

test('loopback targets pass in every spelling the URL parser accepts', () => {
  for (const url of [
    'http://127.0.0.1:3000/',
    'http://127.255.10.1/health',
    'https://localhost:8443',
    'http://LOCALHOST:3000',
    'http://[::1]:8080/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://127.1:3000/', // the WHATWG parser reads short IPv4 forms: 127.0.0.1
    'http://0x7f.0.0.1/',
    'http://2130706433/',
    'http://[::ffff:127.0.0.1]/',
  ]) {
    const r = checkTarget(url, []);
    assert.ok(r.ok, `${url}: ${r.ok ? '' : r.error}`);
  }
});

test('anything else is refused with one line naming the host and --allow-host', () => {
  const cases: [string, string][] = [
    ['http://example.com/', 'example.com'],
    ['http://10.0.0.5:8080/', '10.0.0.5'],
    ['http://0.0.0.0:3000/', '0.0.0.0'],
    ['http://[::]:3000/', '::'],
    ['http://localhost.:3000/', 'localhost.'], // the trailing dot goes to the resolver
    ['http://api.localhost/', 'api.localhost'],
    ['http://127.0.0.1.nip.io/', '127.0.0.1.nip.io'], // resolves to loopback over DNS: still refused
    ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1'],
  ];
  for (const [url, host] of cases) {
    const r = checkTarget(url, []);
    assert.equal(r.ok, false, url);
    if (r.ok) continue;
    assert.ok(!r.error.includes('\n'));
    assert.equal(r.error, `refusing target host ${host}: not a loopback address; pass --allow-host ${host} to allow it`);
  }
});

test('allow-listed hosts pass on an exact, case-insensitive match only', () => {
  assert.ok(checkTarget('http://Staging.Internal:8080/x', ['staging.internal']).ok);
  assert.ok(checkTarget('http://staging.internal/', [' STAGING.INTERNAL ']).ok);
  assert.ok(checkTarget('http://10.0.0.5/', ['10.0.0.5']).ok);
  assert.ok(checkTarget('http://[fd00::2]/', ['fd00::2']).ok);
  assert.ok(checkTarget('http://[fd00::2]/', ['[FD00:0:0:0:0:0:0:2]']).ok);
  assert.equal(checkTarget('http://api.staging.internal/', ['staging.internal']).ok, false, 'no suffix match');
  assert.equal(checkTarget('http://staging.internal.evil.com/', ['staging.internal']).ok, false);
  assert.equal(checkTarget('http://staging.internal:8080/', ['staging.internal:8080']).ok, false, 'hosts, not host:port');
});

test('non-http schemes, credentials in the URL and garbage are refused with one line', () => {
  const cases: [string, RegExp][] = [
    ['ftp://127.0.0.1/', /must be http or https, not ftp$/],
    ['file:///etc/passwd', /must be http or https, not file$/],
    ['http://user:pass@127.0.0.1/', /must not carry credentials/],
    ['127.0.0.1:3000', /^target "127.0.0.1:3000" is not a valid URL \(write it as http:\/\/127.0.0.1:PORT\)$/],
    ['localhost:3000', /must be http or https, not localhost$/], // a valid URL whose scheme is "localhost"
    ['not a url\nsecond line', /^target "not a url second line" is not a valid URL/],
  ];
  for (const [url, want] of cases) {
    const r = checkTarget(url, []);
    assert.equal(r.ok, false, url);
    if (!r.ok) assert.match(r.error, want);
  }
});

test('an accepted target is the URL to connect to, and it reaches the loopback server', async () => {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const r = checkTarget(`http://127.1:${port}/health`, []);
    assert.ok(r.ok);
    assert.equal(r.url.host, `127.0.0.1:${port}`);
    const res = await fetch(new URL('/health', r.url));
    assert.equal(await res.text(), 'ok');
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
