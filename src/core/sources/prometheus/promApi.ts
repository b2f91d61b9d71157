/**
 * The Prometheus HTTP API's JSON answers (`/api/v1/query`, `/api/v1/labels`,
 * `/api/v1/label/<name>/values`), validated into typed values. Every answer is an envelope
 * `{status, data}`; a failed one is `{status: 'error', errorType, error}`.
 */

/** One series of an instant vector: its labels and its value at the evaluation time. */
export interface PromSample {
  labels: ReadonlyMap<string, string>;
  /** Evaluation time, ms since the epoch. */
  timeMs: number;
  /** NaN and ±Inf are kept as numbers (Prometheus sends them as strings). */
  value: number;
}

/** Most series one answer may hold: a bounded query over span metrics stays far below it. */
export const MAX_SAMPLES = 50_000;
const MAX_LABELS_PER_SERIES = 64;
const MAX_NAMES = 100_000;

/** The `data` of a successful envelope; throws a one-line Error for an error envelope or a body that is not one. */
function dataOf(body: unknown): unknown {
  if (!isObject(body)) throw new Error('not a Prometheus API answer (expected a JSON object)');
  const status = body['status'];
  if (status === 'error') {
    const type = typeof body['errorType'] === 'string' ? body['errorType'] : 'error';
    const message = typeof body['error'] === 'string' ? body['error'] : 'no message';
    throw new Error(`Prometheus answered ${oneLine(type)}: ${oneLine(message)}`);
  }
  if (status !== 'success') throw new Error(`not a Prometheus API answer (status ${JSON.stringify(status)?.slice(0, 40)})`);
  if (!own(body, 'data')) throw new Error('Prometheus answer without data');
  return body['data'];
}

/** An instant query's answer (`resultType` vector or scalar; a matrix is refused: the queries here are instant). */
export function parseInstantVector(body: unknown): PromSample[] {
  const data = dataOf(body);
  if (!isObject(data)) throw new Error('Prometheus query data is not an object');
  const type = data['resultType'];
  const result = data['result'];
  if (type === 'scalar') {
    const [timeMs, value] = samplePair(result, 'scalar');
    return [{ labels: new Map(), timeMs, value }];
  }
  if (type !== 'vector') throw new Error(`expected an instant vector, got resultType ${JSON.stringify(type)?.slice(0, 40)}`);
  if (!Array.isArray(result)) throw new Error('Prometheus vector result is not an array');
  if (result.length > MAX_SAMPLES) throw new Error(`Prometheus answered ${result.length} series, more than ${MAX_SAMPLES}`);
  return result.map((item, i) => {
    if (!isObject(item)) throw new Error(`vector item ${i} is not an object`);
    const [timeMs, value] = samplePair(item['value'], `vector item ${i}`);
    return { labels: labelsOf(item['metric'], i), timeMs, value };
  });
}

/** A list of names: `/api/v1/labels` and `/api/v1/label/<name>/values` both answer one. */
export function parseNameList(body: unknown): string[] {
  const data = dataOf(body);
  if (!Array.isArray(data)) throw new Error('Prometheus name list is not an array');
  if (data.length > MAX_NAMES) throw new Error(`Prometheus answered ${data.length} names, more than ${MAX_NAMES}`);
  return data.map((v, i) => {
    if (typeof v !== 'string') throw new Error(`name ${i} is not a string`);
    return v;
  });
}

function samplePair(pair: unknown, what: string): [number, number] {
  if (!Array.isArray(pair) || pair.length !== 2) throw new Error(`${what}: value is not a [time, "value"] pair`);
  const [t, v] = pair as [unknown, unknown];
  if (typeof t !== 'number' || !Number.isFinite(t)) throw new Error(`${what}: time is not a number`);
  if (typeof v !== 'string') throw new Error(`${what}: value is not a string`);
  return [Math.round(t * 1000), sampleValue(v, what)];
}

/** Prometheus writes floats as Go does, plus `NaN`, `+Inf` and `-Inf`. */
function sampleValue(text: string, what: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`${what}: value "${oneLine(text).slice(0, 40)}" is not a number`);
  return Number(text);
}

function labelsOf(metric: unknown, i: number): Map<string, string> {
  if (!isObject(metric)) throw new Error(`vector item ${i}: metric is not an object`);
  const labels = new Map<string, string>();
  for (const key of Object.keys(metric)) {
    const value = metric[key];
    if (typeof value !== 'string') throw new Error(`vector item ${i}: label ${oneLine(key).slice(0, 60)} is not a string`);
    labels.set(key, value);
    if (labels.size > MAX_LABELS_PER_SERIES) throw new Error(`vector item ${i}: more than ${MAX_LABELS_PER_SERIES} labels`);
  }
  return labels;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(o: object, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** Backend text in an error line: one line, bounded, no control characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').slice(0, 200);
}
