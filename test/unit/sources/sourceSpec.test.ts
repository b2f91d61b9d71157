import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authHeaders, parseRefresh, parseSourceFlag, specsFromFlags, specsFromSettings } from '../../../src/core/sources/sourceSpec';

describe('source specs', () => {
  it('parses --source KIND=URL and refuses other kinds, non-URLs and credentials in the URL', () => {
    assert.deepEqual(parseSourceFlag('jaeger=http://127.0.0.1:16686/'), { kind: 'jaeger', url: 'http://127.0.0.1:16686' });
    assert.throws(() => parseSourceFlag('zipkin=http://x'), /^Error: --source zipkin=http:\/\/x: expected KIND=URL with KIND one of jaeger, prometheus, tempo, loki \(or NAME:KIND=URL\)$/);
    assert.throws(() => parseSourceFlag('jaeger=nope'), /not a URL/);
    assert.throws(() => parseSourceFlag('loki=https://u:secret@loki'), /not in the URL/);
  });

  it('names repeated kinds, and applies auth, CA and environment flags by name', () => {
    const specs = specsFromFlags({
      source: ['jaeger=http://a', 'prometheus=http://b', 'prometheus=http://c'],
      auth: ['jaeger=JAEGER_TOKEN', 'prometheus-2=basic:PROM_BASIC', 'prometheus=header:X-Scope-OrgID:TENANT'],
      ca: ['jaeger=/etc/ca.pem'],
      env: ['prometheus=prd:production'],
    });
    assert.deepEqual(
      specs.map((s) => [s.name, s.auth.kind, s.auth.env]),
      [
        ['jaeger', 'bearer', 'JAEGER_TOKEN'],
        ['prometheus', 'header', 'TENANT'],
        ['prometheus-2', 'basic', 'PROM_BASIC'],
      ],
    );
    assert.equal(specs[0].caFile, '/etc/ca.pem');
    assert.deepEqual([...specs[1].environments], [['prd', 'production']]);
    assert.throws(() => specsFromFlags({ source: ['jaeger=http://a'], auth: ['tempo=X'] }), /--source-auth tempo=X: expected NAME=\.\.\. with NAME one of the sources given \(jaeger\)/);
    assert.throws(() => specsFromFlags({ source: ['jaeger=http://a'], auth: ['jaeger=Bearer abc123'] }), /never the command line/);
  });

  it('reads secrets from the named environment variable only', () => {
    const [jaeger, prom, loki] = specsFromFlags({ source: ['jaeger=http://a', 'prometheus=http://b', 'loki=http://c'], auth: ['jaeger=T', 'prometheus=basic:B', 'loki=header:X-Scope-OrgID:O'] });
    assert.deepEqual(authHeaders(jaeger, { T: 'tok' }), { Authorization: 'Bearer tok' });
    assert.deepEqual(authHeaders(prom, { B: 'u:p' }), { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    assert.deepEqual(authHeaders(loki, { O: 'team-a' }), { 'X-Scope-OrgID': 'team-a' });
    assert.throws(() => authHeaders(jaeger, {}), /^Error: jaeger: environment variable T is not set/);
  });

  it('takes good setting entries and reports each bad one in one line', () => {
    const { specs, problems } = specsFromSettings([
      { kind: 'jaeger', url: 'https://jaeger.example.com', environments: { prd: 'production' }, auth: 'bearer', caFile: '/ca.pem', refreshSeconds: 30 },
      { kind: 'zipkin', url: 'http://x' },
      { kind: 'prometheus', url: 'http://p', auth: 'header' },
      { kind: 'jaeger', url: 'http://second', name: 'jaeger' },
      'nonsense',
    ]);
    assert.deepEqual(
      specs.map((s) => [s.name, s.url, s.refreshMs, s.auth.kind]),
      [['jaeger', 'https://jaeger.example.com', 30_000, 'bearer']],
    );
    assert.deepEqual(problems, [
      'runtimeLens.sources[1].kind: expected one of jaeger, prometheus, tempo, loki',
      'runtimeLens.sources[2].authHeader: expected a header name for auth "header"',
      'runtimeLens.sources[4]: expected an object with kind and url',
      'runtimeLens.sources: two sources are named "jaeger"; the second is left out',
    ]);
  });

  it('takes a source name as NAME:KIND=URL, as the editor passes its settings', () => {
    assert.deepEqual(parseSourceFlag('prod traces:jaeger=https://j.example.com:16686'), { kind: 'jaeger', url: 'https://j.example.com:16686', name: 'prod traces' });
    assert.throws(() => parseSourceFlag('a/b:jaeger=http://x'), /a source name is 1 to 40 letters/);
    const specs = specsFromFlags({ source: ['prod:jaeger=http://a', 'jaeger=http://b'], auth: ['prod=PROD_TOKEN'], refresh: ['30s', 'jaeger-2=1m'] });
    assert.deepEqual(
      specs.map((s) => [s.name, s.auth.env, s.refreshMs]),
      [
        ['prod', 'PROD_TOKEN', 30_000],
        ['jaeger-2', undefined, 60_000],
      ],
    );
    assert.throws(() => specsFromFlags({ source: ['jaeger=http://a', 'jaeger:jaeger=http://b'] }), /two sources are named "jaeger"/);
  });

  it('parses refresh intervals from 5s to 1h, for all sources or one', () => {
    assert.equal(parseRefresh('x', '15s'), 15_000);
    assert.equal(parseRefresh('x', '1h'), 3_600_000);
    assert.throws(() => parseRefresh('--source-refresh 2s', '2s'), /^Error: --source-refresh 2s: expected an interval from 5s to 1h/);
    assert.throws(() => parseRefresh('x', '2h'), /5s to 1h/);
    assert.throws(() => specsFromFlags({ source: ['loki=http://l'], refresh: ['tempo=15s'] }), /--source-refresh tempo=15s: expected NAME=/);
  });
});
