/**
 * "Test the connection" for a source before it is saved: one cheap request per kind through the
 * same transport the source will use (headers, CA file, TLS verification), and a check that the
 * answer is that product's API. A failure is one line naming what was wrong and what fixes it.
 */
import { parseServices } from './jaeger/jaegerApi';
import { parseNameList } from './prometheus/promApi';
import { RemoteTransport, type FailureKind, type Outcome, type Params } from './remote/transport';
import type { SourceKind, SourceSpec } from './sourceSpec';
import { parseSearchAnswer } from './tempo/tempoAnswers';

/** What a probe found: the backend answered as its kind does (with a short description), or why not. */
export type ProbeResult = { ok: true; detail: string } | { ok: false; error: string; kind: FailureKind | 'not-found' | 'config' };

/** Tuning, for tests and the editor's progress. */
export interface ProbeOptions {
  /** Per request (default 8000 ms): a person waits on it. */
  timeoutMs?: number;
}

/** The part of a spec a probe needs. */
export type ProbeSpec = Pick<SourceSpec, 'kind' | 'name' | 'url' | 'caFile'> & { auth?: Pick<SourceSpec['auth'], 'kind'> };

interface Step<T> {
  path: string;
  params: Params;
  /** Throws a one-line Error when the body is not the product's. */
  parse: (body: unknown) => T;
  /** JSON unless false (Tempo's echo is plain text). */
  json?: boolean;
}

interface Product {
  /** How the product's API is named in lines: `Jaeger v2's query API`. */
  api: string;
  /** Where it usually listens, said when the URL looks wrong. */
  port: number;
  steps: Step<unknown>[];
  describe: (values: unknown[]) => string;
}

const PRODUCTS: Record<SourceKind, Product> = {
  jaeger: {
    api: "Jaeger v2's query API (/api/v3)",
    port: 16686,
    steps: [{ path: '/api/v3/services', params: {}, parse: parseServices }],
    describe: ([services]) => `Jaeger answered: ${count(services as string[], 'service')}`,
  },
  prometheus: {
    api: "Prometheus's HTTP API",
    port: 9090,
    steps: [{ path: '/api/v1/status/buildinfo', params: {}, parse: parseBuildInfo }],
    describe: ([version]) => `Prometheus ${version as string} answered`,
  },
  tempo: {
    api: "Tempo's HTTP API",
    port: 3200,
    // The echo says it is Tempo; a search says the credentials reach the data (a gateway may let echo through).
    steps: [
      { path: '/api/echo', params: {}, parse: parseEcho, json: false },
      { path: '/api/search', params: { q: '{}', limit: 1 }, parse: parseSearchAnswer },
    ],
    describe: () => 'Tempo answered, and searching traces works',
  },
  loki: {
    api: "Loki's HTTP API",
    port: 3100,
    steps: [{ path: '/loki/api/v1/labels', params: {}, parse: parseLokiLabels }],
    describe: ([labels]) => `Loki answered: ${count(labels as string[], 'label')}`,
  },
};

/** Asks the source's cheap endpoint(s) with `headers` and says whether it is the backend its kind names. Never throws. */
export async function probeSource(spec: ProbeSpec, headers: Record<string, string>, options: ProbeOptions = {}): Promise<ProbeResult> {
  const product = PRODUCTS[spec.kind];
  let transport: RemoteTransport;
  try {
    transport = new RemoteTransport({
      name: spec.name,
      baseUrl: spec.url,
      headers,
      caFile: spec.caFile,
      timeoutMs: options.timeoutMs ?? 8_000,
      retries: 0,
      authHint: authFix(spec),
    });
  } catch (err) {
    return { ok: false, kind: 'config', error: (err as Error).message };
  }
  const where = `${spec.name} at ${transport.url}`;
  const values: unknown[] = [];
  for (const step of product.steps) {
    const outcome: Outcome<unknown> =
      step.json === false ? await transport.getText(step.path, step.params).then((o) => (o.ok ? parsedText(o.value, step, where, o.bytes) : o)) : await transport.getJson(step.path, step.params, step.parse);
    if (!outcome.ok) return failure(outcome, step, product, where);
    values.push(outcome.value);
  }
  return { ok: true, detail: product.describe(values) };
}

function parsedText(text: string, step: Step<unknown>, where: string, bytes: number): Outcome<unknown> {
  try {
    return { ok: true, value: step.parse(text), bytes };
  } catch (err) {
    return { ok: false, kind: 'invalid', error: `${where}: unexpected answer from ${step.path}: ${(err as Error).message}` };
  }
}

function failure(outcome: Extract<Outcome<unknown>, { ok: false }>, step: Step<unknown>, product: Product, where: string): ProbeResult {
  const reason = outcome.error.startsWith(`${where}: `) ? outcome.error.slice(where.length + 2) : outcome.error;
  switch (outcome.kind) {
    case 'network':
      // The transport's TLS line already names the fix (the caFile).
      return /TLS/.test(reason)
        ? { ok: false, kind: 'network', error: outcome.error }
        : { ok: false, kind: 'network', error: `${where}: unreachable (${reason}); check the URL and that the backend runs (${product.api} usually listens on port ${product.port})` };
    case 'http':
      if (outcome.status === 404 || outcome.status === 405) {
        return { ok: false, kind: 'not-found', error: `${where}: answered, but has no ${step.path} (HTTP ${outcome.status}): it is not ${product.api}; check the URL (usually port ${product.port})` };
      }
      return { ok: false, kind: 'http', error: outcome.error };
    case 'invalid': {
      const why = reason.replace(/^unexpected answer from \S+: /, '').replace(/^\S+ did not answer JSON$/, 'not JSON');
      return { ok: false, kind: 'invalid', error: `${where}: answered ${step.path}, but not as ${product.api} does (${why})` };
    }
    default:
      return { ok: false, kind: outcome.kind, error: outcome.error };
  }
}

/** What fixes a 401/403 while adding the source: the line ends with it. */
function authFix(spec: ProbeSpec): string {
  const kind = spec.auth?.kind ?? 'none';
  if (kind === 'none') return 'the backend wants credentials: choose Edit and pick bearer token, basic or a custom header';
  return `check the ${kind === 'bearer' ? 'token' : kind === 'basic' ? 'user:password' : 'header and its value'} (choose Edit)`;
}

/** `{ status: 'success', data: { version } }`. */
function parseBuildInfo(body: unknown): string {
  if (!isObj(body) || body.status !== 'success' || !isObj(body.data)) throw new Error('expected {"status":"success","data":{...}}');
  const version = body.data.version;
  if (typeof version !== 'string' || version === '' || version.length > 100) throw new Error('buildinfo has no version');
  return version.replace(/[^\w.+-]/g, '');
}

function parseEcho(body: unknown): true {
  if (typeof body !== 'string' || body.trim() !== 'echo') throw new Error('it did not answer "echo"');
  return true;
}

/** `{ status: 'success', data?: string[] }`: Loki leaves `data` out when there are no labels yet. */
function parseLokiLabels(body: unknown): string[] {
  if (isObj(body) && body.status === 'success' && body.data === undefined) return [];
  return parseNameList(body);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function count(list: readonly string[], noun: string): string {
  return `${list.length} ${noun}${list.length === 1 ? '' : 's'}`;
}
