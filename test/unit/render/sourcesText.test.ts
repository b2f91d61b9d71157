import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FunctionFigureSources, LatencyBuckets, FunctionSignal, SignalsResponse, SourceSummary, StatusResponse } from '../../../src/core/api/signals';
import { hoverMarkdown, type HoverInput } from '../../../src/core/render/hoverMarkdown';
import { buildPanelModel } from '../../../src/core/render/panelModel';
import { receiverStatusView } from '../../../src/core/render/panelModelStatus';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';
import { functionStaleMark, latencyBucketsText, lensStaleSuffix, provenanceLine, shortAge, sourceRows, sourcesStatusText, staleMark } from '../../../src/core/render/sourcesText';
import { statusText } from '../../../src/core/render/statusBarText';

const now = 1_700_000_000_000;

const sources: SourceSummary[] = [
  { name: 'embedded', kind: 'embedded', state: 'ok', lastSuccess: now - 1_000, stalenessMs: 0 },
  { name: 'jaeger', kind: 'jaeger', state: 'stale', lastSuccess: now - 3 * 60_000 - 5_000, stalenessMs: 185_000, error: 'jaeger at http://j:16686: connection refused' },
  { name: 'prometheus', kind: 'prometheus', state: 'ok', lastSuccess: now - 12_000, stalenessMs: 15_000 },
];

const status = (over: Partial<StatusResponse> = {}): StatusResponse => ({
  version: '1',
  listening: '127.0.0.1:4318',
  workspace: '/ws',
  startedAt: now - 60_000,
  spansAccepted: 1200,
  spansProcessed: 1200,
  spansRejected: 0,
  logsAccepted: 0,
  logsProcessed: 0,
  queueDepth: 0,
  spansPerSecond: 12,
  services: 2,
  mappedPercent: 96,
  ...over,
});

const staleFigures: FunctionFigureSources = {
  traffic: { source: 'prometheus', basis: 'metrics', ageMs: 12_000 },
  errors: { source: 'jaeger', basis: 'sampled', traces: 212, ageMs: 245_000, stale: true },
};

describe('sources and provenance in words', () => {
  it('ages read compactly, and only stale figures are marked', () => {
    assert.deepEqual(['45s', '4m', '2h', '3d'], [shortAge(45_000), shortAge(4 * 60_000 + 5_000), shortAge(2 * 3_600_000), shortAge(3 * 86_400_000)]);
    assert.equal(staleMark({ source: 'jaeger', basis: 'sampled', ageMs: 240_000, stale: true }), 'stale 4m');
    assert.equal(staleMark({ source: 'jaeger', basis: 'sampled', ageMs: 240_000 }), '');
    assert.equal(staleMark({ source: 'jaeger', basis: 'sampled', stale: true }), 'stale');
    assert.equal(functionStaleMark(staleFigures), 'stale 4m');
    assert.equal(functionStaleMark(undefined), '');
    assert.equal(lensStaleSuffix(staleFigures), ' · $(history) stale 4m');
    assert.equal(lensStaleSuffix({ traffic: staleFigures.traffic, errors: { ...staleFigures.errors, stale: false } }), '');
  });

  it('says where figures came from: sampled ones with their trace count', () => {
    assert.equal(provenanceLine(staleFigures), 'Figures from prometheus (span metrics); errors from jaeger (sampled, 212 traces, stale 4m)');
    const same = { source: 'jaeger', basis: 'sampled' as const, traces: 1 };
    assert.equal(provenanceLine({ traffic: same, errors: same }), 'Figures from jaeger (sampled, 1 trace)');
    assert.equal(provenanceLine(undefined), '');
  });

  it('lists each source with its state, last success and lag, errors on one line', () => {
    const rows = sourceRows([...sources, { name: 'loki\nfake line', kind: 'loki', state: 'starting', lastSuccess: null, stalenessMs: null, error: 'a\nb' }], now);
    assert.deepEqual(
      rows.map((r) => r.text),
      ['ok · last success just now · lag 0s', 'stale · last success 3 min ago · lag 3m', 'ok · last success 12 s ago · lag 15s', 'starting · no answer yet'],
    );
    assert.equal(rows[1].error, 'jaeger at http://j:16686: connection refused');
    assert.equal(rows[3].name, 'loki fake line');
    assert.equal(rows[3].error, 'a b');
  });

  it('the status bar counts the remote sources and names the first one that is not ok', () => {
    assert.deepEqual(sourcesStatusText(undefined, now), { text: '', tooltip: [], problem: false });
    assert.deepEqual(sourcesStatusText([sources[0]], now).text, '');
    const s = sourcesStatusText(sources, now);
    assert.equal(s.text, '2 sources · jaeger stale 3m');
    assert.equal(s.problem, true);
    assert.equal(s.tooltip[1], 'jaeger (jaeger): stale · last success 3 min ago · lag 3m — jaeger at http://j:16686: connection refused');
    const two = sourcesStatusText([...sources, { name: 'tempo', kind: 'tempo', state: 'error', lastSuccess: null, stalenessMs: null }], now);
    assert.equal(two.text, '3 sources · jaeger stale 3m +1');
  });

  it('the status bar item shows spans/s and the sources, or the sources alone with the receiver off', () => {
    const running = (over: Partial<StatusResponse>) => ({ kind: 'running' as const, endpoint: 'http://127.0.0.1:4318', attached: false, status: status(over) });
    const plain = statusText(running({}), 'production', now);
    assert.equal(plain.text, '$(pulse) 12 spans/s · production');
    assert.equal(plain.warning, false);
    const mixed = statusText(running({ sources }), undefined, now);
    assert.equal(mixed.text, '$(warning) 12 spans/s · 2 sources · jaeger stale 3m');
    assert.equal(mixed.warning, true);
    assert.match(mixed.tooltip, /\nSources:\n• embedded \(embedded\): ok[^\n]*\n• jaeger \(jaeger\): stale · last success 3 min ago · lag 3m — jaeger at http:\/\/j:16686: connection refused\n• prometheus/);
    const off = statusText(running({ receiving: false, sources: sources.slice(2) }), undefined, now);
    assert.equal(off.text, '$(pulse) 1 source');
    assert.match(off.tooltip, /^Runtime Lens: read API on http:\/\/127\.0\.0\.1:4318 \(embedded receiver off\)\n/);
    // A source name from a workspace's settings cannot draw icons in the status bar.
    const hostile = statusText(running({ sources: [{ name: '$(zap) x', kind: 'jaeger', state: 'error', lastSuccess: null, stalenessMs: null }] }), undefined, now);
    assert.equal(hostile.text, '$(warning) 12 spans/s · 1 source · \\$(zap) x error');
  });

  it('the panel status carries the source rows, and says when the receiver is off', () => {
    const view = receiverStatusView({ kind: 'running', endpoint: 'http://127.0.0.1:4318', attached: false, status: status({ sources }) }, '', now);
    assert.equal(view.text, 'Receiving on 127.0.0.1:4318 · 12 spans/s · 96% mapped · 2 sources');
    assert.deepEqual(
      view.sources?.map((r) => [r.name, r.state]),
      [
        ['embedded', 'ok'],
        ['jaeger', 'stale'],
        ['prometheus', 'ok'],
      ],
    );
    const off = receiverStatusView({ kind: 'running', endpoint: 'http://127.0.0.1:4318', attached: false, status: status({ receiving: false, sources: sources.slice(1) }) }, '', now);
    assert.equal(off.text, 'Reading 2 sources · read API on 127.0.0.1:4318 (receiver off)');
    assert.equal(off.receiving, false);
    assert.equal(receiverStatusView({ kind: 'running', endpoint: 'http://127.0.0.1:4318', attached: false, status: status() }, '', now).sources, undefined);
  });

  it('panel rows of stale figures carry their mark and where they came from', () => {
    const fn = (name: string, figures?: FunctionFigureSources): FunctionSignal => ({
      service: 'shop',
      environment: 'production',
      function: name,
      file: 'src/shop.ts',
      line: 3,
      mappedBy: 'code-attributes',
      confidence: 1,
      exemplars: [],
      count: 10,
      errors: 1,
      errorRate: 0.1,
      ratePerMin: 2,
      p50Ms: 10,
      p95Ms: 20,
      p99Ms: 30,
      ...(figures ? { figures } : {}),
    });
    const res: SignalsResponse = {
      window: '5m',
      environment: 'production',
      environments: ['production'],
      generatedAt: now,
      functions: [fn('checkout', staleFigures), fn('cart')],
      operations: [],
      errors: [],
      unmapped: [],
      calls: [],
      evicted: { locations: 0, operations: 0, errorGroups: 0, unmapped: 0 },
      sources,
    };
    const rows = buildPanelModel(res, '5m').top.impact;
    const checkout = rows.find((r) => r.function === 'checkout')!;
    assert.equal(checkout.stale, 'stale 4m');
    assert.equal(checkout.provenance, 'Figures from prometheus (span metrics); errors from jaeger (sampled, 212 traces, stale 4m)');
    const cart = rows.find((r) => r.function === 'cart')!;
    assert.equal('stale' in cart || 'provenance' in cart, false);
  });

  it('the hover says where figures came from, marks stale ones with their age, and escapes source names', () => {
    const base: HoverInput = {
      title: 'checkout',
      service: 'shop',
      environment: 'production',
      line: 3,
      windows: [{ window: '5m', figures: { count: 10, errors: 1, errorRate: 0.1, ratePerMin: 2, p50Ms: 10, p95Ms: 20, p99Ms: 30 } }],
      selectedWindow: '5m',
      errors: [],
      calls: [],
      exemplars: [],
      traceUrlTemplate: '',
      thresholds: DEFAULT_THRESHOLDS,
      now,
    };
    assert.doesNotMatch(hoverMarkdown(base), /Figures from|stale/);
    const md = hoverMarkdown({ ...base, provenance: staleFigures });
    assert.match(
      md,
      /\n\n\$\(history\) \*\*stale 4m\*\*: the source has not refreshed in time; these are its last figures {2}\n\*Figures from prometheus \(span metrics\); errors from jaeger \(sampled, 212 traces, stale 4m\)\*/,
    );
    const fresh = hoverMarkdown({ ...base, provenance: { traffic: { source: 'jaeger', basis: 'sampled', traces: 40 }, errors: { source: 'jaeger', basis: 'sampled', traces: 40 } } });
    assert.match(fresh, /\n\n\*Figures from jaeger \(sampled, 40 traces\)\*/);
    assert.doesNotMatch(fresh, /history|histogram/);
    // Percentiles from a histogram say which bucket they lie in: the only claim they can back.
    const latencyBuckets = { p50Ms: [10, 50], p95Ms: [800, 1000], p99Ms: [15_000, null] } satisfies LatencyBuckets;
    assert.equal(latencyBucketsText(latencyBuckets), 'p50 in 10–50 ms · p95 in 800 ms–1.0 s · p99 above 15 s');
    const metrics = hoverMarkdown({ ...base, provenance: { traffic: { source: 'prometheus', basis: 'metrics', latencyBuckets }, errors: { source: 'jaeger', basis: 'sampled', traces: 40 } } });
    assert.match(
      metrics,
      /\*Figures from prometheus \(span metrics\); errors from jaeger \(sampled, 40 traces\)\* {2}\n\*Percentiles interpolated in histogram buckets: p50 in 10–50 ms · p95 in 800 ms–1\.0 s · p99 above 15 s\*/,
    );
    const errorsOnly = hoverMarkdown({ ...base, errorSource: { source: 'loki [x](command:evil)', basis: 'logs', ageMs: 90_000, stale: true } });
    assert.match(errorsOnly, /\$\(history\) \*\*stale 1m\*\*/);
    assert.match(errorsOnly, /\*Errors from loki \\\[x\\\]\\\(command\\:evil\\\) \(logs, stale 1m\)\*/);
  });
});
