import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { specsFromFlags, specsFromSettings } from '../../../src/core/sources/sourceSpec';
import { SourceSecrets } from '../../../src/vscode/sourceSecrets';
import { EDITOR_AUTH_HINT, sourceLaunch } from '../../../src/vscode/sourcesArgs';
import { defaultSourceName, draftHeaders, draftSpec, nameProblem, parseEnvironmentMapping, secretProblem, settingsEntry, urlProblem, type SourceDraft } from '../../../src/vscode/sourcesEntry';

const draft: SourceDraft = { kind: 'loki', url: 'https://loki.example.com/', name: 'team logs', auth: 'header', authHeader: 'X-Scope-OrgID', caFile: '/etc/ca.pem', environments: [['prd', 'production']] };

describe('Add Telemetry Source: the pieces without the UI', () => {
  it('checks the URL as it is typed, with the reason settings would give', () => {
    assert.equal(urlProblem('jaeger', 'http://localhost:16686'), '');
    assert.match(urlProblem('jaeger', ''), /base URL/);
    assert.match(urlProblem('jaeger', 'localhost:16686'), /not an http\(s\) URL|not a URL/);
    assert.match(urlProblem('jaeger', 'https://me:token@jaeger'), /not in the URL/);
  });

  it('proposes a free name and refuses a taken or unusable one', () => {
    assert.equal(defaultSourceName('jaeger', []), 'jaeger');
    assert.equal(defaultSourceName('jaeger', ['jaeger', 'jaeger-2']), 'jaeger-3');
    assert.equal(nameProblem('prod traces', ['jaeger']), '');
    assert.match(nameProblem('jaeger', ['jaeger']), /already named/);
    assert.match(nameProblem('a:b', []), /letters, digits/);
  });

  it('parses the environment mapping and checks secrets per auth kind', () => {
    assert.deepEqual(parseEnvironmentMapping(' prd=production , stg = staging,'), [
      ['prd', 'production'],
      ['stg', 'staging'],
    ]);
    assert.deepEqual(parseEnvironmentMapping(''), []);
    assert.throws(() => parseEnvironmentMapping('prd'), /write BACKEND=SHOWN/);
    assert.throws(() => parseEnvironmentMapping('a=b, a=c'), /mapped twice/);
    assert.throws(() => parseEnvironmentMapping('a:x=b'), /cannot hold ":"/);
    assert.equal(secretProblem('bearer', 'tok'), '');
    assert.match(secretProblem('basic', 'tok'), /user:password/);
    assert.match(secretProblem('bearer', ''), /Required/);
  });

  it('writes an entry settings read back as the same source, with no secret in it', () => {
    const entry = settingsEntry(draft);
    assert.deepEqual(entry, { kind: 'loki', url: 'https://loki.example.com/', name: 'team logs', auth: 'header', authHeader: 'X-Scope-OrgID', caFile: '/etc/ca.pem', environments: { prd: 'production' } });
    const { specs, problems } = specsFromSettings([entry]);
    assert.deepEqual(problems, []);
    assert.equal(specs[0].url, 'https://loki.example.com');
    const { spec } = draftSpec(draft);
    assert.deepEqual(draftHeaders(spec!, 'tenant-a'), { 'X-Scope-OrgID': 'tenant-a' });
    assert.deepEqual(draftHeaders(draftSpec({ ...draft, auth: 'basic' }).spec!, 'u:p'), { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    assert.deepEqual(settingsEntry({ kind: 'jaeger', url: 'http://j', name: 'jaeger', auth: 'none', environments: [] }), { kind: 'jaeger', url: 'http://j', name: 'jaeger' });
    assert.match(draftSpec({ ...draft, authHeader: 'bad header' }).problem ?? '', /^authHeader: expected a header name/);
  });

  it('keys a secret by name and URL, so a reused name with another URL does not get it', async () => {
    const held = new Map<string, string>();
    const secrets = new SourceSecrets({ get: async (k) => held.get(k), store: async (k, v) => void held.set(k, v), delete: async (k) => void held.delete(k) });
    const [real, lookalike, open] = specsFromSettings([
      { kind: 'jaeger', url: 'https://jaeger.corp', name: 'jaeger', auth: 'bearer' },
      { kind: 'tempo', url: 'https://elsewhere.example', name: 'other', auth: 'bearer' },
      { kind: 'loki', url: 'http://loki', name: 'logs' },
    ]).specs;
    await secrets.store(real, 'tok');
    assert.deepEqual([...(await secrets.forSources([real, lookalike, open]))], [['jaeger', 'tok']]);
    assert.equal(await secrets.get({ name: 'jaeger', url: 'https://evil.example' }), undefined);
    await secrets.delete(real);
    assert.equal(held.size, 0);
  });

  it('hands the sources to serve as flags serve parses back to the same specs, secrets by environment', () => {
    const { specs } = specsFromSettings([
      { kind: 'jaeger', url: 'https://jaeger.corp', name: '-prod (eu)', auth: 'bearer', caFile: 'certs/ca.pem', environments: { prd: 'production', 'a:b': 'x' }, refreshSeconds: 30 },
      { kind: 'prometheus', url: 'http://prom:9090', auth: 'basic' },
      { kind: 'loki', url: 'http://loki:3100', auth: 'header', authHeader: 'X-Scope-OrgID' },
      { kind: 'tempo', url: 'http://tempo:3200', auth: 'bearer' },
    ]);
    const launch = sourceLaunch(
      specs,
      new Map([
        ['-prod (eu)', 'tok'],
        ['prometheus', 'u:p'],
        ['loki', 'tenant'],
      ]),
      true,
      '/ws',
    );
    assert.equal(launch.args.includes('--no-receiver'), false);
    assert.deepEqual(launch.env, { RUNTIME_LENS_SOURCE_SECRET_0: 'tok', RUNTIME_LENS_SOURCE_SECRET_1: 'u:p', RUNTIME_LENS_SOURCE_SECRET_2: 'tenant', RUNTIME_LENS_SOURCE_AUTH_HINT: EDITOR_AUTH_HINT });
    assert.ok(
      launch.args.every((a) => a.startsWith('--') && a.includes('=')),
      'one --flag=value argument each',
    );
    assert.ok(!launch.args.some((a) => /tok|u:p|tenant/.test(a.replace(/--source-auth=[^=]+=/, ''))), 'no secret in the arguments');
    assert.deepEqual(launch.warnings, ['-prod (eu): environment "a:b" -> "x" holds a colon; left out', `tempo: no bearer credentials are stored in this editor; it is asked without them (${EDITOR_AUTH_HINT})`]);
    // serve's own parser reads them back (parseArgs hands it the values after `--flag=`).
    const values = (flag: string) => launch.args.filter((a) => a.startsWith(`--${flag}=`)).map((a) => a.slice(flag.length + 3));
    const back = specsFromFlags({ source: values('source'), auth: values('source-auth'), ca: values('source-ca'), env: values('source-env'), refresh: values('source-refresh') });
    assert.deepEqual(
      back.map((s) => [s.name, s.kind, s.url, s.auth, s.caFile, [...s.environments], s.refreshMs]),
      [
        ['-prod (eu)', 'jaeger', 'https://jaeger.corp', { kind: 'bearer', env: 'RUNTIME_LENS_SOURCE_SECRET_0' }, '/ws/certs/ca.pem', [['prd', 'production']], 30_000],
        ['prometheus', 'prometheus', 'http://prom:9090', { kind: 'basic', env: 'RUNTIME_LENS_SOURCE_SECRET_1' }, undefined, [], 15_000],
        ['loki', 'loki', 'http://loki:3100', { kind: 'header', header: 'X-Scope-OrgID', env: 'RUNTIME_LENS_SOURCE_SECRET_2' }, undefined, [], 15_000],
        ['tempo', 'tempo', 'http://tempo:3200', { kind: 'none' }, undefined, [], 15_000],
      ],
    );
    assert.deepEqual(sourceLaunch([], new Map(), false, '').args, ['--no-receiver']);
  });
});
