import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFile } from '../../../src/core/analysis/analyze';
import type { Finding } from '../../../src/core/analysis/findings';
import { IncrementalAnalysis } from '../../../src/core/analysis/incremental';
import type { TextChange } from '../../../src/core/analysis/parser';

const TS = `import axios from 'axios';
import { logger } from './log';

const api = axios.create({ baseURL: 'http://pricing' });
const DEFAULT_RETRIES = 3;

export async function loadUser(id: string) {
  const res = await fetch(\`http://users/\${id}\`);
  return res.json();
}

export async function loadPrice(sku: string) {
  try {
    const { data } = await api.get(\`/price/\${sku}\`);
    return data;
  } catch (err) {
    return null;
  }
}

export class Inventory {
  private readonly http;

  constructor() {
    this.http = axios.create({ timeout: 2000 });
  }

  async stock(sku: string) {
    return this.http.get(\`/stock/\${sku}\`);
  }

  async reserve(sku: string, token: string) {
    logger.info('reserving', { sku, token });
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch('http://inventory/reserve', { method: 'POST' });
      } catch (e) {
        if (attempt > DEFAULT_RETRIES) throw e;
      }
    }
  }
}

export const ping = async () => {
  const r = await fetch('http://ping', { signal: AbortSignal.timeout(1000) });
  return r.ok;
};
`;

const PY = `import logging
import requests

log = logging.getLogger(__name__)


class Client:
    def __init__(self):
        self.session = requests.Session()

    def fetch(self, url):
        return self.session.get(url)

    def safe(self, url):
        try:
            return requests.get(url, timeout=5)
        except Exception:
            pass


def health():
    return {"ok": True}


def load(url, password):
    log.info("loading with %s", password)
    return requests.post(url, json={})
`;

const GO = `package main

import (
	"database/sql"
	"net/http"
)

var client = &http.Client{}

func load(db *sql.DB) error {
	rows, err := db.Query("select 1")
	if err != nil {
		return nil
	}
	defer rows.Close()
	return nil
}

func get(url string) (*http.Response, error) {
	return http.Get(url)
}

func use() {
	resp, _ := client.Get("http://x")
	_ = resp
}
`;

const JAVA = `package demo;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;

public class Fetcher {
  private final HttpClient client = HttpClient.newHttpClient();

  public Fetcher() {
  }

  public String load(String url) throws Exception {
    HttpRequest req = HttpRequest.newBuilder().uri(java.net.URI.create(url)).build();
    return client.send(req, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  public void quiet() {
    try {
      load("http://x");
    } catch (Exception e) {
    }
  }
}
`;

/** Snippets a developer would type, in each language. */
const SNIPPETS: Record<string, string[]> = {
  'a.ts': ['  await fetch(url);\n', '  try { x(); } catch (e) {}\n', 'function extra() {\n  return fetch("u");\n}\n', '  logger.info("t", token);\n', '}\n', '  const q = api.get("/q");\n', 'x', ';', '(', '  // note\n'],
  'a.py': ['    requests.get(url)\n', '    try:\n        x()\n    except Exception:\n        pass\n', 'def extra():\n    return requests.get("u")\n', '    log.info(password)\n', 'x', ':', '\n'],
  'a.go': ['\thttp.Get(url)\n', 'func extra() {\n\thttp.Post("u", "", nil)\n}\n', '\tif err != nil {\n\t\treturn nil\n\t}\n', 'x', '{', '\n'],
  'Fetcher.java': ['    try { load("u"); } catch (Exception e) {}\n', '  public void extra() {\n  }\n', 'x', ';', '\n'],
};

/** A small deterministic PRNG (mulberry32), so failures replay. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function lineStarts(text: string): number[] {
  const s = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) s.push(i + 1);
  return s;
}

/** One random edit: insert a snippet at a line start or anywhere, delete a few characters, delete or duplicate a line. */
function randomEdit(text: string, snippets: string[], next: () => number): TextChange {
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
  const starts = lineStarts(text);
  const kind = Math.floor(next() * 5);
  if (kind === 0) {
    const at = pick(starts);
    return { start: at, end: at, text: pick(snippets) };
  }
  if (kind === 1) {
    const at = Math.floor(next() * text.length);
    return { start: at, end: at, text: pick(snippets) };
  }
  if (kind === 2) {
    const at = Math.floor(next() * text.length);
    return { start: at, end: Math.min(text.length, at + 1 + Math.floor(next() * 4)), text: '' };
  }
  const i = Math.floor(next() * (starts.length - 1));
  const line = text.slice(starts[i], starts[i + 1] ?? text.length);
  if (kind === 3) return { start: starts[i]!, end: starts[i]! + line.length, text: '' };
  return { start: starts[i]!, end: starts[i]!, text: line };
}

function comparable(findings: readonly Finding[]): unknown[] {
  return findings.map((f) => ({ ...f }));
}

describe('incremental analysis', () => {
  // Seed 2027 once left a Java file with a syntax error whose incremental reparse recovered
  // differently from a fresh parse; full runs on broken code now parse from scratch.
  for (const [file, source, seed] of [
    ['a.ts', TS, 7919],
    ['a.py', PY, 7919],
    ['a.go', GO, 7919],
    ['Fetcher.java', JAVA, 7919],
    ['Fetcher.java', JAVA, 2027],
  ] as const) {
    it(`matches a full analysis after every one of 150 random edits (${file}, seed ${seed})`, async () => {
      const doc = await IncrementalAnalysis.create(file, source);
      assert.ok(doc);
      assert.deepEqual(comparable(doc.findings), comparable(await analyzeFile(file, source)));
      assert.ok(doc.findings.length >= 3, `the sample has findings to keep: ${doc.findings.length}`);
      const next = rng(file.length * seed);
      const modes = { full: 0, incremental: 0 };
      for (let step = 0; step < 150; step++) {
        // undo now and then, so the file keeps returning to valid code
        const change: TextChange = step % 10 === 9 ? { start: 0, end: doc.text.length, text: source } : randomEdit(doc.text, SNIPPETS[file]!, next);
        const before: string = doc.text;
        const stats = doc.update([change]);
        modes[stats.mode]++;
        const expected = await analyzeFile(file, doc.text);
        assert.deepEqual(comparable(doc.findings), comparable(expected), `step ${step} (${stats.mode}${stats.reason ? `: ${stats.reason}` : ''}) edit ${JSON.stringify(change)} of:\n${before}`);
      }
      assert.ok(modes.incremental > 0, `every update was a full run: ${JSON.stringify(modes)}`);
      doc.dispose();
    });
  }

  it('applies several changes of one event in order', async () => {
    const doc = (await IncrementalAnalysis.create('a.ts', TS))!;
    const a = doc.text.indexOf('return res.json();');
    const b = doc.text.indexOf('return this.http.get');
    // the second change's offsets are relative to the text after the first, as editors report them
    const first = { start: b, end: b, text: 'await fetch("x");\n    ' };
    const second = { start: a, end: a, text: 'await fetch("y");\n  ' };
    const stats = doc.update([first, second]);
    assert.equal(stats.mode, 'incremental');
    assert.deepEqual(comparable(doc.findings), comparable(await analyzeFile('a.ts', doc.text)));
    doc.dispose();
  });

  it('runs everything again when an import changes, and only the edited function otherwise', async () => {
    const doc = (await IncrementalAnalysis.create('a.ts', TS))!;
    const inFunction = doc.text.indexOf('return data;');
    const edit = doc.update([{ start: inFunction, end: inFunction, text: 'await fetch("z");\n    ' }]);
    assert.equal(edit.mode, 'incremental');
    assert.equal(edit.units, 1);
    const importAt = doc.text.indexOf('import { logger }');
    const imp = doc.update([{ start: importAt, end: importAt, text: "import got from 'got';\n" }]);
    assert.equal(imp.mode, 'full');
    assert.deepEqual(comparable(doc.findings), comparable(await analyzeFile('a.ts', doc.text)));
    doc.dispose();
  });

  it('keeps a 2,000-line file incremental for an edit inside one function', async (t) => {
    const blocks = ["import { logger } from './log';", ''];
    for (let i = 0; blocks.length < 2000; i++) {
      blocks.push(
        `export async function handler${i}(req, res) {`,
        `  try {`,
        `    const r = await fetch('http://svc/${i}');`,
        `    return res.json(await r.json());`,
        `  } catch (err) {`,
        `    logger.error('failed', err);`,
        `    throw err;`,
        `  }`,
        `}`,
        '',
      );
    }
    const text = blocks.join('\n');
    const doc = (await IncrementalAnalysis.create('big.ts', text))!;
    const full = doc.lastUpdate.ms;
    const times: number[] = [];
    for (let k = 0; k < 20; k++) {
      const at = doc.text.indexOf(`'http://svc/${100 + k}'`);
      const stats = doc.update([{ start: at + 1, end: at + 1, text: 'x' }]);
      assert.equal(stats.mode, 'incremental', stats.reason);
      times.push(stats.ms);
    }
    assert.deepEqual(comparable(doc.findings), comparable(await analyzeFile('big.ts', doc.text)));
    times.sort((a, b) => a - b);
    t.diagnostic(`2,000 lines: full run ${full.toFixed(1)} ms, incremental median ${times[10]!.toFixed(2)} ms, max ${times[19]!.toFixed(2)} ms`);
    doc.dispose();
  });

  it('names the function a finding sits in with its lines', async () => {
    const doc = (await IncrementalAnalysis.create('a.ts', TS))!;
    const f = doc.findings.find((x) => x.function === 'loadUser')!;
    assert.deepEqual(doc.functionSpanOf(f), { name: 'loadUser', startLine: 7, endLine: 10 });
    doc.dispose();
  });

  it('follows SQL migrations by text', async () => {
    const doc = (await IncrementalAnalysis.create('migrations/1.sql', 'CREATE TABLE IF NOT EXISTS a (id int);\n'))!;
    assert.equal(doc.findings.length, 0);
    doc.update([{ start: 0, end: 0, text: 'CREATE TABLE b (id int);\n' }]);
    assert.equal(doc.findings.length, 1);
    assert.equal(doc.findings[0]!.rule, 'non-idempotent-migration');
  });
});
