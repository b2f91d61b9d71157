import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';
import { ConfigWarnings, readConfig, type ConfigSource } from '../../../src/vscode/config';

function source(values: Record<string, unknown>): ConfigSource {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

function read(values: Record<string, unknown>, shown: string[] = [], warnings = new ConfigWarnings((m) => shown.push(m))) {
  return { config: readConfig(source(values), warnings), shown };
}

test('unset settings take the defaults and give no warning', () => {
  const { config, shown } = read({});
  assert.deepEqual(shown, []);
  assert.deepEqual(config.receiver, { host: '127.0.0.1', port: 4318, enabled: true });
  assert.deepEqual(config.sources, []);
  assert.equal(config.window, '5m');
  assert.equal(config.environment, undefined);
  assert.equal(config.autoStart, false);
  assert.equal(config.codeLens.enabled, true);
  assert.deepEqual(config.thresholds, DEFAULT_THRESHOLDS);
  assert.equal(config.traceUrlTemplate, '');
});

test('valid values are used as given', () => {
  const { config, shown } = read({
    'receiver.port': 14318,
    window: '1h',
    environment: ' staging ',
    autoStart: true,
    'codeLens.enabled': false,
    'thresholds.latencyWarningMs': 100,
    'thresholds.latencyErrorMs': 200,
    traceUrlTemplate: 'https://jaeger.example/trace/{traceId}',
  });
  assert.deepEqual(shown, []);
  assert.equal(config.receiver.port, 14318);
  assert.equal(config.window, '1h');
  assert.equal(config.environment, 'staging');
  assert.equal(config.autoStart, true);
  assert.equal(config.codeLens.enabled, false);
  assert.equal(config.thresholds.latencyErrorMs, 200);
  assert.equal(config.traceUrlTemplate, 'https://jaeger.example/trace/{traceId}');
});

test('each invalid value gives one clear warning naming the key, and the default is used', () => {
  const { config, shown } = read({ 'receiver.port': 70000, window: '5 minutes', 'codeLens.enabled': 'yes', traceUrlTemplate: 'jaeger/{traceId}', 'thresholds.errorRateError': 5 });
  assert.equal(config.receiver.port, 4318);
  assert.equal(config.window, '5m');
  assert.equal(config.codeLens.enabled, true);
  assert.equal(config.traceUrlTemplate, '');
  assert.equal(config.thresholds.errorRateError, 0.05);
  assert.equal(shown.length, 5);
  assert.match(shown[0], /runtimeLens\.receiver\.port is 70000, but it must be a whole number from 1 to 65535\. Using 4318\./);
  assert.match(shown[1], /runtimeLens\.window is "5 minutes", but it is not a window: use a number and a unit, like 1m, 5m or 1h\. Using "5m"\./);
  assert.match(shown[2], /runtimeLens\.codeLens\.enabled is "yes", but it must be true or false/);
  assert.ok(shown.some((m) => /traceUrlTemplate .* must be an http\(s\) URL containing \{traceId\}/.test(m)));
  assert.ok(shown.some((m) => /errorRateError is 5, but it must be a ratio from 0 to 1/.test(m)));
});

test('re-reading the same invalid value does not warn again; fixing then breaking it does', () => {
  const shown: string[] = [];
  const warnings = new ConfigWarnings((m) => shown.push(m));
  read({ 'receiver.port': 0 }, shown, warnings);
  read({ 'receiver.port': 0 }, shown, warnings);
  assert.equal(shown.length, 1);
  read({}, shown, warnings);
  read({ 'receiver.port': 0 }, shown, warnings);
  assert.equal(shown.length, 2);
});

test('an error threshold below its warning threshold is refused', () => {
  const { config, shown } = read({ 'thresholds.latencyWarningMs': 500, 'thresholds.latencyErrorMs': 200 });
  assert.equal(config.thresholds.latencyWarningMs, 500);
  assert.equal(config.thresholds.latencyErrorMs, 1000);
  assert.match(shown[0], /latencyErrorMs is 200, but it must not be below runtimeLens\.thresholds\.latencyWarningMs \(500\)/);
});

test('unknown template placeholders are reported once and kept as typed', () => {
  const shown: string[] = [];
  const warnings = new ConfigWarnings((m) => shown.push(m));
  const { config } = read({ 'codeLens.template': '{p95} {latency} {latency}' }, shown, warnings);
  read({ 'codeLens.template': '{p95} {latency} {latency}' }, shown, warnings);
  assert.equal(shown.length, 1);
  assert.match(shown[0], /unknown placeholder \{latency\}; they are shown as typed/);
  assert.equal(config.codeLens.template.expand({ figures: { count: 1, errors: 0, errorRate: 0, ratePerMin: 1, p50Ms: 1, p95Ms: 2, p99Ms: 3 }, window: '5m', environment: 'e', service: 's' }), '2 ms {latency} {latency}');
});

test('runtimeLens.sources: valid entries become specs, each bad one is named once, and the receiver can be switched off', () => {
  const settings = {
    'receiver.enabled': false,
    sources: [
      { kind: 'jaeger', url: 'https://jaeger.example.com:16686/', name: 'prod traces', auth: 'bearer', environments: { prd: 'production' }, refreshSeconds: 30 },
      { kind: 'zipkin', url: 'http://z' },
      { kind: 'loki', url: 'https://user:pw@loki.example.com' },
    ],
  };
  const warnings: string[] = [];
  const w = new ConfigWarnings((m) => warnings.push(m));
  const first = readConfig({ get: <T>(k: string) => (settings as Record<string, unknown>)[k] as T }, w);
  readConfig({ get: <T>(k: string) => (settings as Record<string, unknown>)[k] as T }, w);
  assert.equal(first.receiver.enabled, false);
  assert.deepEqual(
    first.sources.map((s) => [s.name, s.kind, s.url, s.auth.kind, s.refreshMs, [...s.environments]]),
    [['prod traces', 'jaeger', 'https://jaeger.example.com:16686', 'bearer', 30_000, [['prd', 'production']]]],
  );
  assert.equal(warnings.length, 1, 'reported once across re-reads');
  assert.match(
    warnings[0],
    /^Runtime Lens: runtimeLens\.sources\[1\]\.kind: expected one of jaeger, prometheus, tempo, loki; runtimeLens\.sources\[2\]\.url: put credentials in an environment variable or the secret store, not in the URL\. Those entries are ignored\.$/,
  );
  assert.deepEqual(readConfig({ get: <T>(k: string) => (k === 'sources' ? ('nope' as T) : undefined) }, new ConfigWarnings((m) => warnings.push(m))).sources, []);
  assert.match(warnings[1], /runtimeLens\.sources: expected a list of sources/);
});
