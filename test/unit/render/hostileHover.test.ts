import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CallSignal, ErrorSignal, MappedBy, WindowFigures } from '../../../src/core/api/signals';
import { hoverMarkdown, type HoverInput } from '../../../src/core/render/hoverMarkdown';
import { DEFAULT_THRESHOLDS } from '../../../src/core/render/severity';
import { markdownIcons, HOSTILE_MESSAGE, HOSTILE_NAME, HOSTILE_REVISION, HOSTILE_VERSION, injectedMarkdown } from '../../support/hostileText';

// Every telemetry-derived field of a hover, each carrying markup, icons, links and controls.
const now = 1_700_000_000_000;
const OWN_ICONS = ['error', 'warning', 'watch', 'git-commit', 'link-external'];
const fig: WindowFigures = { count: 100, errors: 8, errorRate: 0.08, ratePerMin: 20, p50Ms: 10, p95Ms: 450, p99Ms: 900 };
const error: ErrorSignal = {
  service: HOSTILE_NAME,
  environment: HOSTILE_NAME,
  type: `TypeError ${HOSTILE_NAME}`,
  message: HOSTILE_MESSAGE,
  count: 3,
  totalCount: 9,
  function: HOSTILE_NAME,
  file: 'src/a.ts',
  line: 4,
  firstSeen: now - 1000,
  lastSeen: now,
  mappedBy: 'stacktrace',
  stacktrace: `Error: x\n    at ${HOSTILE_NAME} (http://evil.example/a.js:1:1)`,
  traceIds: ['") [x](http://evil.example/t) ("'],
};
const call: CallSignal = {
  ...fig,
  service: 's',
  environment: 'e',
  function: 'f',
  file: 'src/a.ts',
  line: 5,
  target: `GET ${HOSTILE_MESSAGE} /route/$(bell)`,
  lineMatch: 'url',
};

function input(over: Partial<HoverInput> = {}): HoverInput {
  return {
    title: HOSTILE_NAME,
    service: HOSTILE_NAME,
    environment: `prod ${HOSTILE_MESSAGE}`,
    line: 3,
    windows: [{ window: '5m', figures: fig }],
    selectedWindow: '5m',
    errors: [error],
    calls: [call, { ...call, line: 6 }],
    exemplars: [{ traceId: 'zz") ![p](http://evil.example/e.png', spanId: '1', durationMs: 1, time: now, kind: 'error' }],
    mapping: { mappedBy: '__proto__' as MappedBy, confidence: 1 },
    deployed: { revision: HOSTILE_REVISION, version: HOSTILE_VERSION },
    drift: { deployed: HOSTILE_REVISION, status: 'unknown', behind: 0, ahead: 0, reason: `revision ${HOSTILE_REVISION} is not in this clone` },
    deployedLine: 2,
    traceUrlTemplate: 'https://jaeger.example/trace/{traceId}',
    thresholds: DEFAULT_THRESHOLDS,
    now,
    ...over,
  };
}

test('a hover from hostile telemetry has no injected link, image, HTML, icon or control character', () => {
  const md = hoverMarkdown(input());
  assert.deepEqual(injectedMarkdown(md), [], md);
  assert.deepEqual(markdownIcons(md, OWN_ICONS), [], md);
  // The hostile text is still there to read, as text.
  assert.match(md, /pay&#36;\\\(bell\\\)/);
  assert.match(md, /\\\*\\\*boom\\\*\\\* \\\[click\\\]\\\(http\\:\\\/\\\/evil\\\.example\\\/m\\\)/);
});

test('each field alone is escaped: service, environment, function, error type and message, route/peer, mapping, revision, version', () => {
  const fields: Partial<HoverInput>[] = [
    { service: HOSTILE_MESSAGE },
    { environment: HOSTILE_MESSAGE },
    { title: HOSTILE_MESSAGE },
    { errors: [{ ...error, type: HOSTILE_MESSAGE, message: 'm', traceIds: [] }] },
    { errors: [{ ...error, type: 'T', message: HOSTILE_REVISION, traceIds: [] }] },
    { calls: [{ ...call, target: HOSTILE_REVISION }] },
    { mapping: { mappedBy: HOSTILE_MESSAGE as MappedBy, confidence: 0.5 } },
    { drift: undefined, deployed: { revision: HOSTILE_REVISION, version: '' } },
    { drift: undefined, deployed: { revision: '', version: HOSTILE_VERSION } },
    { drift: { deployed: HOSTILE_VERSION, status: 'same', behind: 0, ahead: 0, reason: '' }, deployed: undefined },
    { drift: { deployed: 'v1.2.3', status: 'unknown', behind: 0, ahead: 0, reason: HOSTILE_MESSAGE }, deployed: undefined },
  ];
  for (const over of fields) {
    const md = hoverMarkdown(input({ service: 's', environment: 'e', title: 'f', errors: [], calls: [], exemplars: [], deployed: undefined, drift: undefined, ...over }));
    assert.deepEqual(injectedMarkdown(md), [], `${JSON.stringify(over)}:\n${md}`);
    assert.deepEqual(markdownIcons(md, OWN_ICONS), [], `${JSON.stringify(over)}:\n${md}`);
    assert.ok(!md.split('\n').some((l) => /^\s*#/.test(l)), `a heading was injected:\n${md}`);
  }
});

test('an implausible revision or version is not shown at all; plausible ones still are', () => {
  const hostile = hoverMarkdown(input({ drift: undefined, deployed: { revision: HOSTILE_REVISION, version: HOSTILE_VERSION } }));
  assert.doesNotMatch(hostile, /deployed/);
  assert.doesNotMatch(hostile, /abc1234/);
  const fine = hoverMarkdown(input({ drift: undefined, deployed: { revision: 'v2.0.0-rc.1', version: '2.0.0+build.7' } }));
  assert.match(fine, /deployed `v2\.0\.0-rc\.1` \(2\\\.0\\\.0\\\+build\\\.7\)/);
});

test('trace links are made only from hex trace ids', () => {
  const md = hoverMarkdown(
    input({
      errors: [{ ...error, message: 'm', traceIds: ['0af7651916cd43dd8448eb211c80319c'] }],
      exemplars: [{ traceId: 'aaaa5651916cd43dd8448eb211c80319', spanId: '1', durationMs: 5, time: now, kind: 'slowest' }, ...input().exemplars],
    }),
  );
  assert.equal((md.match(/command:runtimeLens\.openTrace/g) ?? []).length, 2, md);
  assert.deepEqual(injectedMarkdown(md), [], md);
});

test('a revision with backticks is not plausible: nothing is shown rather than a broken code span', () => {
  const md = hoverMarkdown(input({ drift: { deployed: 'abc`def', status: 'same', behind: 0, ahead: 0, reason: '' }, deployed: undefined }));
  // Backticks are not plausible in a revision: nothing is shown rather than a broken code span.
  assert.doesNotMatch(md, /deployed/);
});
