// The Prometheus span-metrics source's pure parts: the API answer parsers (bodies in the shapes the
// Prometheus HTTP API documents, and its error envelope), naming detection, PromQL building and
// escaping, folding answers into groups, quantiles from buckets, and rows joined to real code.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CodeMapper } from '../../../src/core/mapping/codeMapper';
import { WorkspaceIndex } from '../../../src/core/mapping/workspaceIndex';
import { parseInstantVector, parseNameList } from '../../../src/core/sources/prometheus/promApi';
import { spanMetricsRows } from '../../../src/core/sources/prometheus/spanMetricsAnswer';
import { bucketQuantile, bucketRange, foldGroups, foldRound } from '../../../src/core/sources/prometheus/spanMetricsGroups';
import { SpanMetricsJoin } from '../../../src/core/sources/prometheus/spanMetricsJoin';
import { NAMINGS, pickNaming, withLabels } from '../../../src/core/sources/prometheus/spanMetricsNaming';
import { groupLabels, promString, regexEscape, roundQuery, type WindowAsk } from '../../../src/core/sources/prometheus/spanMetricsQueries';
import { fileMatcher, selectGroups } from '../../../src/core/sources/prometheus/spanMetricsSelection';
import { parseSignalsQuery, type SignalsQuery } from '../../../src/core/sources/telemetrySource';

const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const sample = (metric: Record<string, string>, value: string) => ({ metric, value: [1_700_000_000.123, value] });

describe('Prometheus API answers', () => {
  it('parses an instant vector, keeping NaN and +Inf', () => {
    const rows = parseInstantVector(vector([sample({ span_name: 'a', le: '+Inf' }, '12'), sample({}, 'NaN'), sample({}, '+Inf')]));
    assert.equal(rows.length, 3);
    assert.equal(rows[0].labels.get('span_name'), 'a');
    assert.equal(rows[0].value, 12);
    assert.equal(rows[0].timeMs, 1_700_000_000_123);
    assert.ok(Number.isNaN(rows[1].value));
    assert.equal(rows[2].value, Infinity);
  });

  it('turns the error envelope into one line naming its type', () => {
    assert.throws(
      () => parseInstantVector({ status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error\nmore' }),
      /^Error: Prometheus answered bad_data: invalid parameter "query": 1:5: parse error more$/,
    );
  });

  it('rejects what is not an instant vector', () => {
    assert.throws(() => parseInstantVector({ status: 'success', data: { resultType: 'matrix', result: [] } }), /expected an instant vector/);
    assert.throws(() => parseInstantVector(vector([{ metric: { a: 1 }, value: [1, '2'] }])), /label a is not a string/);
    assert.throws(() => parseInstantVector(vector([{ metric: {}, value: [1, 2] }])), /value is not a string/);
    assert.throws(() => parseInstantVector(vector([{ metric: {}, value: [1, '1e'] }])), /is not a number/);
    assert.throws(() => parseInstantVector([]), /not a Prometheus API answer/);
    assert.throws(() => parseInstantVector({ status: 'success' }), /without data/);
  });

  it('labels named like Object members are plain labels', () => {
    const [row] = parseInstantVector(vector([sample({ __proto__: 'x', constructor: 'y' } as Record<string, string>, '1')]));
    assert.equal(row.labels.get('constructor'), 'y');
  });

  it('parses name lists and rejects non-strings', () => {
    assert.deepEqual(parseNameList({ status: 'success', data: ['calls_total', 'up'] }), ['calls_total', 'up']);
    assert.throws(() => parseNameList({ status: 'success', data: [1] }), /name 0 is not a string/);
  });
});

describe('span-metrics naming', () => {
  it('prefers the collector default and reads the unit from the histogram name', () => {
    assert.equal(pickNaming(['traces_span_metrics_calls_total', 'traces_span_metrics_duration_milliseconds_bucket', 'calls_total', 'duration_seconds_bucket'])?.toMs, 1);
    assert.equal(pickNaming(['traces_span_metrics_calls_total', 'traces_span_metrics_duration_seconds_bucket'])?.toMs, 1000);
    assert.equal(pickNaming(['calls_total', 'duration_milliseconds_bucket'])?.calls, 'calls_total');
    const tempo = pickNaming(['traces_spanmetrics_calls_total', 'traces_spanmetrics_latency_bucket']);
    assert.deepEqual([tempo?.serviceLabel, tempo?.toMs], ['service', 1000]);
    assert.equal(pickNaming(['calls_total']), undefined, 'a counter without its histogram is not span metrics');
  });

  it('finds the environment and code labels present', () => {
    const m = withLabels(NAMINGS[0], ['__name__', 'service_name', 'span_name', 'code_file_path', 'deployment_environment', 'http_route']);
    assert.equal(m.environmentLabel, 'deployment_environment');
    assert.deepEqual([...m.labels].sort(), ['code_file_path', 'http_route']);
    assert.deepEqual(groupLabels(m), ['service_name', 'span_name', 'span_kind', 'deployment_environment', 'code_file_path', 'http_route']);
  });
});

describe('PromQL', () => {
  const m = withLabels(NAMINGS[0], ['code_file_path', 'code_function_name', 'deployment_environment_name']);

  it('escapes strings and regexes so telemetry text stays a literal', () => {
    assert.equal(promString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
    assert.equal(regexEscape('GET /x/{id}.json|(a)*'), 'GET /x/\\{id\\}\\.json\\|\\(a\\)\\*');
  });

  const ask = (over: Partial<WindowAsk>): WindowAsk => ({ windowMs: 300_000, environments: 'all', all: false, files: [], ...over });
  const file = { relative: 'src/a.b.js', productionPaths: ['/app/dist/a.js'], spanNames: [{ service: 'svc', spanName: 'GET /a' }] };

  it('a file is selected by an anchored suffix regex, plus paths and span names learned for it', () => {
    const q = roundQuery(m, [ask({ environments: ['prod"x'], files: [file] })])!;
    assert.ok(q.includes(`code_file_path=~${promString(String.raw`(?:.*[/\\])?(?:src[/\\]a\.b\.js)|/app/dist/a\.js`)}`), q);
    assert.ok(q.includes(String.raw`deployment_environment_name="prod\"x"`), q);
    assert.ok(q.includes('code_file_path="", service_name="svc", span_name=~"GET /a"'), q);
    assert.doesNotMatch(q, /topk/, 'files are bounded by their selectors, not by top');
    assert.ok(q.includes('sum by (service_name, span_name, span_kind, deployment_environment_name, code_function_name, code_file_path, status_code, le)'), q);
  });

  it('one query asks calls and buckets together, for every window and file, each window tagged', () => {
    const other = { relative: 'src/b.js', productionPaths: [], spanNames: [{ service: 'svc', spanName: 'GET /b' }] };
    const q = roundQuery(m, [ask({ files: [file, other] }), ask({ windowMs: 3_600_000, all: true })])!;
    assert.equal(q.match(/label_replace\(/g)?.length, 2);
    assert.ok(q.includes('"runtime_lens_window", "300000", "", "")') && q.includes('"runtime_lens_window", "3600000", "", "")'), q);
    assert.ok(q.includes(promString(String.raw`(?:src[/\\]a\.b\.js|src[/\\]b\.js)`).slice(1, -1)), 'the files share one path regex');
    assert.ok(q.includes('service_name="svc", span_name=~"GET /a|GET /b"'), 'and one span-name selector per service');
    const both = '{__name__=~"traces_span_metrics_calls_total|traces_span_metrics_duration_milliseconds_bucket"}';
    assert.ok(q.includes(`((${both} - ${both} offset 3600s) >= 0)`), q);
  });

  it('top bounds the groups asked for, per environment; the window is an exact change, not increase() alone', () => {
    const q = roundQuery(m, [ask({ top: 5 })])!;
    assert.match(q, / and on \([^)]*\) topk by \(deployment_environment_name\) \(10, sum by/);
    assert.match(q, /traces_span_metrics_calls_total\{\} - traces_span_metrics_calls_total\{\} offset 300s\) >= 0/);
  });

  it('asks nothing when no series can belong to what is asked', () => {
    const bare = withLabels(NAMINGS[0], []);
    assert.equal(roundQuery(bare, [ask({ files: [{ relative: 'src/a.js', productionPaths: [], spanNames: [] }] })]), undefined);
  });
});

describe('answering a query from a shared round', () => {
  const m = withLabels(NAMINGS[0], ['code_file_path', 'code_function_name', 'deployment_environment_name']);
  const group = (labels: Record<string, string>, count: number) => ({
    labels: new Map(Object.entries({ service_name: 'svc', span_name: 'op', span_kind: 'SPAN_KIND_SERVER', deployment_environment_name: 'prod', code_function_name: '', code_file_path: '', ...labels })),
    count,
    errors: 0,
    buckets: new Map<number, number>(),
  });
  const query = (over: Partial<SignalsQuery>): SignalsQuery => ({ ...parseSignalsQuery(new URLSearchParams('window=5m'), '5m'), ...over });

  it("selects a file's groups as its PromQL selectors would: path suffix on either separator, learned paths and span names", () => {
    const belongs = fileMatcher(m, { relative: 'src/a.b.js', productionPaths: ['/opt/x.js'], spanNames: [{ service: 'svc', spanName: 'GET /a' }] });
    const path = (p: string, extra: Record<string, string> = {}) => belongs(group({ code_file_path: p, ...extra }, 1).labels);
    assert.deepEqual(
      ['/srv/app/src/a.b.js', 'C:\\app\\src\\a.b.js', 'src/a.b.js', '/opt/x.js'].map((p) => path(p)),
      [true, true, true, true],
    );
    assert.deepEqual(
      ['/srv/app/xsrc/a.b.js', '/srv/app/src/aXb.js', '/srv/app/src/a.b.js.map', '/opt/x.jsx'].map((p) => path(p)),
      [false, false, false, false],
    );
    assert.equal(path('', { span_name: 'GET /a' }), true, 'a learned span name without a code path');
    assert.equal(path('/other.js', { span_name: 'GET /a' }), false, 'a span name with another code path is not the file');
    const hostile = fileMatcher(m, { relative: 'src/a"b\\c|(.*).ts', productionPaths: [], spanNames: [] });
    assert.equal(hostile(group({ code_file_path: '/app/src/a"b\\c|(.*).ts' }, 1).labels), true);
    assert.equal(hostile(group({ code_file_path: '/app/src/ab.ts' }, 1).labels), false, 'regex characters in a path stay literal');
  });

  it('filters by environment and takes the busiest 2 x top groups of an unscoped query', () => {
    const groups = [group({ span_name: 'a' }, 5), group({ span_name: 'b' }, 9), group({ span_name: 'c' }, 1), group({ span_name: 'd', deployment_environment_name: 'staging' }, 50)];
    const names = (q: SignalsQuery, mm = m, fixed = '') => selectGroups(groups, mm, q, undefined, fixed).map((g) => g.labels.get('span_name'));
    assert.deepEqual(names(query({ top: 1 })), ['d', 'b']);
    assert.deepEqual(names(query({ top: 1, environment: 'prod' })), ['b', 'a']);
    assert.equal(names(query({})).length, 4);
    assert.deepEqual(names(query({ environment: 'staging' }), withLabels(NAMINGS[0], []), 'prod'), [], 'no environment label: only the configured environment has rows');
  });
});

describe('folding answers and quantiles', () => {
  it('counts calls and errors by status, converting seconds buckets to ms', () => {
    const labels = (extra: Record<string, string>) => new Map(Object.entries({ service_name: 's', span_name: 'n', span_kind: 'SPAN_KIND_SERVER', ...extra }));
    const calls = [
      { labels: labels({ status_code: 'STATUS_CODE_UNSET' }), timeMs: 0, value: 7 },
      { labels: labels({ status_code: 'STATUS_CODE_ERROR' }), timeMs: 0, value: 3 },
    ];
    const buckets = [
      { labels: labels({ le: '0.1' }), timeMs: 0, value: 4 },
      { labels: labels({ le: '+Inf' }), timeMs: 0, value: 10 },
    ];
    const groups = [...foldGroups(['service_name', 'span_name', 'span_kind'], calls, buckets, 1000).values()];
    assert.equal(groups.length, 1);
    assert.deepEqual([groups[0].count, groups[0].errors], [10, 3]);
    assert.deepEqual(
      [...groups[0].buckets],
      [
        [100, 4],
        [Infinity, 10],
      ],
    );
  });

  it("folds a round's rows per window: rows with le are buckets, the rest calls", () => {
    const labels = (extra: Record<string, string>) => new Map(Object.entries({ service_name: 's', span_name: 'n', span_kind: 'SPAN_KIND_SERVER', ...extra }));
    const row = (extra: Record<string, string>, value: number) => ({ labels: labels(extra), timeMs: 0, value });
    const rows = [
      row({ status_code: 'STATUS_CODE_ERROR', runtime_lens_window: '300000' }, 3),
      row({ status_code: 'STATUS_CODE_ERROR', le: '0.1', runtime_lens_window: '300000' }, 1),
      row({ status_code: 'STATUS_CODE_UNSET', le: '0.1', runtime_lens_window: '300000' }, 3),
      row({ status_code: 'STATUS_CODE_UNSET', runtime_lens_window: '300000' }, 7),
      row({ status_code: 'STATUS_CODE_UNSET', le: '+Inf', runtime_lens_window: '300000' }, 10),
      row({ status_code: 'STATUS_CODE_UNSET', runtime_lens_window: '3600000' }, 70),
      row({ status_code: 'STATUS_CODE_UNSET', runtime_lens_window: '60000' }, 1),
    ];
    const folded = foldRound(['service_name', 'span_name', 'span_kind'], rows, 1000, new Set([300_000, 3_600_000]));
    const [g] = folded.get(300_000)!;
    assert.deepEqual(
      [g.count, g.errors, [...g.buckets]],
      [
        10,
        3,
        [
          [100, 4],
          [Infinity, 10],
        ],
      ],
    );
    assert.equal(folded.get(3_600_000)![0].count, 70);
    assert.equal(folded.has(60_000), false, 'a window not asked about is dropped');
  });

  it('interpolates within the bucket like histogram_quantile', () => {
    const b = new Map([
      [10, 2],
      [50, 8],
      [100, 10],
      [Infinity, 10],
    ]);
    assert.equal(bucketQuantile(0.5, b), 10 + 40 * (3 / 6));
    assert.equal(bucketQuantile(0.1, b), 5);
    assert.equal(bucketQuantile(0.95, b), 50 + 50 * (1.5 / 2));
    assert.equal(
      bucketQuantile(
        0.99,
        new Map([
          [10, 1],
          [Infinity, 10],
        ]),
      ),
      10,
      'a rank in +Inf answers the highest finite bound',
    );
    // What the buckets can back: the bucket each quantile lies in, open-ended above the highest bound.
    assert.deepEqual(bucketRange(0.5, b), [10, 50]);
    assert.deepEqual(bucketRange(0.1, b), [0, 10]);
    assert.deepEqual(bucketRange(0.95, b), [50, 100]);
    assert.deepEqual(
      bucketRange(
        0.99,
        new Map([
          [10, 1],
          [Infinity, 10],
        ]),
      ),
      [10, null],
    );
    assert.equal(
      bucketRange(
        0.5,
        new Map([
          [10, 0],
          [Infinity, 0],
        ]),
      ),
      undefined,
    );
    assert.ok(
      Number.isNaN(
        bucketQuantile(
          0.5,
          new Map([
            [10, 0],
            [Infinity, 0],
          ]),
        ),
      ),
    );
  });
});

describe('rows joined to code', () => {
  it('maps code labels through the workspace, merges groups of one function, lists every span name as an operation and the rest as unmapped', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'rl-prom-rows-'));
    try {
      mkdirSync(path.join(root, 'src'));
      writeFileSync(path.join(root, 'src', 'orders.js'), 'function createOrder(req) {\n  return req;\n}\n');
      const { index } = await WorkspaceIndex.build(root);
      const spanNames = {
        lookup: (service: string, name: string) =>
          service === 'orders' && name === 'db.query' ? { file: 'src/orders.js', line: 1, function: 'createOrder', mappedBy: 'code-attributes' as const, confidence: 0.95 } : undefined,
      };
      const join = new SpanMetricsJoin(new CodeMapper(index), spanNames);
      const m = withLabels(NAMINGS[0], ['code_file_path', 'code_function_name']);
      const g = (labels: Record<string, string>, count: number, errors: number, buckets: [number, number][]) => ({
        labels: new Map(Object.entries({ service_name: 'orders', span_kind: 'SPAN_KIND_INTERNAL', code_function_name: '', code_file_path: '', ...labels })),
        count,
        errors,
        buckets: new Map(buckets),
      });
      const groups = [
        g({ span_name: 'create', code_function_name: 'createOrder', code_file_path: '/srv/app/src/orders.js' }, 6, 1, [
          [10, 3],
          [100, 6],
          [Infinity, 6],
        ]),
        g({ span_name: 'db.query' }, 4, 1, [
          [10, 4],
          [100, 4],
          [Infinity, 4],
        ]),
        g({ span_name: 'GET /health', span_kind: 'SPAN_KIND_SERVER' }, 5, 0, [
          [10, 5],
          [Infinity, 5],
        ]),
      ];
      const learned: string[] = [];
      const query = parseSignalsQuery(new URLSearchParams('window=5m'), '5m');
      const rows = await spanMetricsRows(groups, m, join, query, 'prod', (file, _g, via) => learned.push(`${file}<-${via ?? 'span name'}`));
      assert.equal(rows.environment, 'prod');
      assert.equal(rows.functions.length, 1);
      const f = rows.functions[0];
      assert.deepEqual([f.file, f.function, f.line, f.count, f.errors, f.errorRate, f.ratePerMin], ['src/orders.js', 'createOrder', 1, 10, 2, 0.2, 2]);
      assert.equal(f.p50Ms, 5 * (10 / 7), 'quantiles come from the merged buckets');
      assert.equal(f.mappedBy, 'code-attributes');
      assert.ok(f.confidence < 0.95, "the span-name join lowers the merged row's confidence");
      assert.deepEqual(learned, ['src/orders.js<-/srv/app/src/orders.js', 'src/orders.js<-span name']);
      // Every span name counts as an operation (all traffic, for the panel's services); only those tied to no code are unmapped.
      assert.deepEqual(
        rows.operations.map((o) => [o.name, o.kind, o.count, o.source]),
        [
          ['create', 1, 6, 'metrics'],
          ['GET /health', 2, 5, 'metrics'],
          ['db.query', 1, 4, 'metrics'],
        ],
      );
      assert.deepEqual(
        rows.unmapped.map((u) => [u.name, u.count]),
        [['GET /health', 5]],
      );
      assert.match(rows.unmapped[0].reason, /route|span name/);
      const other = await spanMetricsRows(groups, m, join, { ...query, environment: 'staging' }, 'prod', () => {});
      assert.equal(other.functions.length, 0, 'an environment the series do not carry has no rows');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
