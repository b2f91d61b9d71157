import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorSignal, WindowFigures } from '../../../src/core/api/signals';
import { externalTraceUrl, hoverMarkdown, type HoverInput } from '../../../src/core/render/hoverMarkdown';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';

const now = 1_700_000_000_000;
const fig = (p95Ms: number, errorRate = 0): WindowFigures => ({ count: 100, errors: Math.round(errorRate * 100), errorRate, ratePerMin: 20, p50Ms: 10, p95Ms, p99Ms: p95Ms * 2 });
const error: ErrorSignal = {
  service: 'shop',
  environment: 'production',
  type: 'TypeError',
  message: "Cannot read properties of undefined (reading 'id') | *bold*",
  count: 37,
  totalCount: 90,
  function: 'checkout',
  file: 'src/shop.ts',
  line: 42,
  firstSeen: now - 2 * 3_600_000,
  lastSeen: now - 12_000,
  mappedBy: 'stacktrace',
  stacktrace: '',
  traceIds: ['0af7651916cd43dd8448eb211c80319c'],
};

function input(over: Partial<HoverInput> = {}): HoverInput {
  return {
    title: 'checkout',
    service: 'shop',
    environment: 'production',
    line: 40,
    windows: [
      { window: '1m', figures: fig(48) },
      { window: '5m', figures: fig(450, 0.08) },
      { window: '1h', figures: undefined },
    ],
    selectedWindow: '5m',
    perMinute: [
      { t: 0, count: 3, errors: 0, avgMs: 12, maxMs: 20 },
      { t: 60_000, count: 4, errors: 1, avgMs: 30, maxMs: 60 },
    ],
    sparkWindow: '1h',
    errors: [error],
    calls: [],
    exemplars: [
      { traceId: 'aaaa5651916cd43dd8448eb211c80319', spanId: '1', durationMs: 1234, time: now, kind: 'slowest' },
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '2', durationMs: 340, time: now, kind: 'error' },
    ],
    mapping: { mappedBy: 'code-attributes', confidence: 0.95 },
    deployed: { revision: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', version: '1.4.2' },
    drift: { deployed: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', status: 'drifted', behind: 3, ahead: 0, reason: '' },
    deployedLine: 38,
    traceUrlTemplate: '',
    thresholds: DEFAULT_THRESHOLDS,
    now,
    ...over,
  };
}

test('a table row per window with the selected one in bold, severities marked, missing windows dashed', () => {
  const md = hoverMarkdown(input());
  assert.match(md, /^\*\*checkout\*\* · shop · production\n/);
  assert.match(md, /\| 1m \| 10 ms \| 48 ms \| 96 ms \| 0% \| 20 \|/);
  assert.match(md, /\| \*\*5m\*\* \| 10 ms \| \$\(warning\) 450 ms \| 900 ms \| \$\(error\) 8% \(8\) \| 20 \|/);
  assert.match(md, /\| 1h \| – \| – \| – \| – \| 0 \|/);
});

test('the sparkline is an inline SVG image', () => {
  const md = hoverMarkdown(input());
  assert.match(md, /!\[latency per minute\]\(data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+\)/);
  assert.doesNotMatch(hoverMarkdown(input({ perMinute: undefined })), /data:image/);
});

test('error groups show counts, first/last seen and a trace link, with their text escaped', () => {
  const md = hoverMarkdown(input());
  assert.match(md, /\*\*TypeError\*\*: Cannot read properties of undefined \\\(reading \\'id\\'\\\) \\\| \\\*bold\\\* — 37× in 5m \(90 in all\) · first seen 2 h ago · last seen 12 s ago/);
  assert.match(md, /\[trace\]\(command:runtimeLens\.openTrace\?%5B%220af7651916cd43dd8448eb211c80319c%22%5D/);
});

test('exemplars link to the trace view, error traces first, and to the trace UI when a template is set', () => {
  const without = hoverMarkdown(input());
  assert.match(without, /\*\*Traces\*\* \[\$\(error\) failed 340 ms\]\(command:runtimeLens\.openTrace\?[^)]*0af765[^)]*\) · \[\$\(watch\) slowest 1\.2 s\]/);
  assert.doesNotMatch(without, /link-external/);
  const withUi = hoverMarkdown(input({ traceUrlTemplate: 'https://jaeger.example/trace/{traceId}' }));
  assert.match(withUi, /\[\$\(link-external\)\]\(https:\/\/jaeger\.example\/trace\/0af7651916cd43dd8448eb211c80319c "Open in the trace UI"\)/);
});

test('the footer says how the mapping was made and where the deployment stands against HEAD', () => {
  assert.match(hoverMarkdown(input()), /Mapped by code\.\* attributes, confidence 95% · \$\(git-commit\) deployed `4b825dc` \(1\\\.4\\\.2\): 3 commits behind local HEAD; line 38 there/);
  const same = hoverMarkdown(input({ drift: { deployed: 'v1.4.2', status: 'same', behind: 0, ahead: 0, reason: '' }, deployedLine: undefined }));
  assert.match(same, /deployed `v1\.4\.2` \(1\\\.4\\\.2\) = local HEAD$/);
  const unknown = hoverMarkdown(input({ drift: { deployed: 'abc', status: 'unknown', behind: 0, ahead: 0, reason: 'not a git repository' }, deployedLine: undefined }));
  assert.match(unknown, /deployed `abc` \(1\\\.4\\\.2\): not a git repository$/);
});

test('no calls in any window says so instead of an empty table', () => {
  const md = hoverMarkdown(
    input({
      windows: [
        { window: '1m', figures: undefined },
        { window: '5m', figures: undefined },
      ],
      errors: [],
      exemplars: [],
    }),
  );
  assert.match(md, /\*No calls in the last 1m, 5m\.\*/);
  assert.doesNotMatch(md, /\| p50/);
});

test('outgoing calls list their target, line and p95', () => {
  const md = hoverMarkdown(input({ calls: [{ ...fig(1500, 0.1), service: 'shop', environment: 'production', function: 'checkout', file: 'src/shop.ts', line: 44, target: 'payments.internal:8443', lineMatch: 'url' }] }));
  assert.match(md, /\*\*Outgoing calls\*\*\n\n- payments\\\.internal\\:8443 \(line 44\): p95 \$\(error\) 1\.5 s · \$\(error\) 10% errors · 20\/min/);
});

test('external URLs', () => {
  assert.equal(externalTraceUrl('', 'abc'), '');
  assert.equal(externalTraceUrl('javascript:alert({traceId})', 'abc'), '');
  assert.equal(externalTraceUrl('https://ui.example/t/{traceId}?q=(a b)', 'abc'), 'https://ui.example/t/abc?q=%28a%20b%29');
  assert.equal(externalTraceUrl('https://ui.example/t/{traceId}', 'not-hex)'), '');
});

test('a function that only threw gets what it threw and in which requests, never a rate', () => {
  const thrown = { ...error, count: 3, operations: ['GET /price/{item}', 'GET /quote'] };
  const md = hoverMarkdown(input({ title: 'unit_price', windows: [{ window: '5m', figures: undefined }], perMinute: undefined, errors: [thrown], exemplars: [] }));
  assert.match(md, /Threw 3× in requests of `GET \/price\/\{item\}`, `GET \/quote` in the last 5m; no requests of its own\./);
  assert.doesNotMatch(md, /calls\/min|No calls/);
});
