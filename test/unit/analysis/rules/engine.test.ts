import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFile, analyzeTree, defaultParsers } from '../../../../src/core/analysis/analyze';
import { extractFunctions } from '../../../../src/core/analysis/functions';
import { readImports, resolveName } from '../../../../src/core/analysis/imports';
import { languageForFile } from '../../../../src/core/analysis/languages';
import { defaultWasmLocation, editTree, ParserPool, WASM_FILES } from '../../../../src/core/analysis/parser';

describe('analysis engine', () => {
  it('maps extensions to languages', () => {
    assert.equal(languageForFile('a/b.ts'), 'typescript');
    assert.equal(languageForFile('a/b.tsx'), 'tsx');
    assert.equal(languageForFile('a/b.mjs'), 'javascript');
    assert.equal(languageForFile('a/b.py'), 'python');
    assert.equal(languageForFile('a/b.go'), 'go');
    assert.equal(languageForFile('A.java'), 'java');
    assert.equal(languageForFile('m/1.sql'), 'sql');
    assert.equal(languageForFile('types.d.ts'), null);
    assert.equal(languageForFile('README'), null);
  });

  it('extracts functions and methods with 1-based lines in every language', async () => {
    const p = defaultParsers();
    const cases: [string, 'typescript' | 'python' | 'go' | 'java', string, [string, number, number][]][] = [
      [
        'ts',
        'typescript',
        'export function a() {\n  return 1;\n}\nclass K {\n  m() {}\n}\nconst b = async () => {\n};\napp.get("/x", (req, res) => {\n  const inner = () => 1;\n});\n',
        [
          ['a', 1, 3],
          ['K.m', 5, 5],
          ['b', 7, 8],
          ['app.get("/x") callback', 9, 11],
          ['inner', 10, 10],
        ],
      ],
      [
        'py',
        'python',
        'def a():\n    pass\nclass K:\n    @staticmethod\n    def m():\n        pass\n',
        [
          ['a', 1, 2],
          ['K.m', 4, 6],
        ],
      ],
      [
        'go',
        'go',
        'package p\nfunc A() {\n}\nfunc (s *S) M() {\n}\n',
        [
          ['A', 2, 3],
          ['S.M', 4, 5],
        ],
      ],
      [
        'java',
        'java',
        'class K {\n  K() {}\n  void m() {\n  }\n}\n',
        [
          ['K.K', 2, 2],
          ['K.m', 3, 4],
        ],
      ],
    ];
    for (const [, lang, src, expected] of cases) {
      const tree = await p.parse(lang, src);
      assert.deepEqual(
        extractFunctions(tree, lang).map((f) => [f.name, f.startLine, f.endLine]),
        expected,
        lang,
      );
      tree.delete();
    }
  });

  it('resolves imports and aliases per language', async () => {
    const p = defaultParsers();
    const check = async (lang: 'typescript' | 'python' | 'go' | 'java', src: string, segs: string[], expected: string | null) => {
      const tree = await p.parse(lang, src);
      const q = resolveName(segs, readImports(tree, lang));
      tree.delete();
      assert.equal(q ? `${q.module}|${q.path}` : null, expected, `${lang} ${segs.join('.')}`);
    };
    await check('typescript', "import axios from 'axios';", ['axios', 'get'], 'axios|get');
    await check('typescript', "import { get as g } from 'axios';", ['g'], 'axios|get');
    await check('typescript', "const fetchFn = require('node-fetch');", ['fetchFn'], 'node-fetch|');
    await check('typescript', "import * as h from 'node:https';", ['h', 'request'], 'https|request');
    await check('python', 'import requests as r', ['r', 'get'], 'requests|get');
    await check('python', 'from requests import get', ['get'], 'requests|get');
    await check('python', 'import requests', ['self', 'requests', 'get'], null);
    await check('go', 'package p\nimport h "net/http"', ['h', 'Get'], 'net/http|Get');
    await check('go', 'package p\nimport "github.com/redis/go-redis/v9"', ['redis', 'NewClient'], 'github.com/redis/go-redis/v9|NewClient');
    await check('java', 'import java.net.http.HttpClient;', ['HttpClient', 'newHttpClient'], 'java.net.http|HttpClient.newHttpClient');
  });

  it('reparses incrementally after an edit and finds what a full parse finds', async () => {
    const p = defaultParsers();
    const lines = Array.from({ length: 300 }, (_, i) => `export function f${i}() { return ${i}; }`);
    let text = lines.join('\n') + '\n';
    const tree = await p.parse('typescript', text);
    const at = text.indexOf('return 150;');
    const parser = await p.parser('typescript');
    text = editTree(tree, text, { start: at, end: at + 'return 150;'.length, text: 'return fetch(u);' });
    const next = parser.parse(text, tree)!;
    const incremental = analyzeTree('a.ts', next, text, 'typescript');
    const full = await analyzeFile('a.ts', text);
    assert.deepEqual(incremental, full);
    assert.equal(incremental.length, 1);
    assert.equal(incremental[0].line, 151);
    assert.equal(incremental[0].function, 'f150');
    tree.delete();
    next.delete();
  });

  it('loads the runtime and grammars from a wasmDir laid out like dist/wasm', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rl-wasm-'));
    const loc = defaultWasmLocation();
    for (const f of WASM_FILES) fs.copyFileSync(f === 'web-tree-sitter.wasm' ? loc.runtime : path.join(loc.grammarDir, f), path.join(dir, f));
    const pool = new ParserPool({ wasmDir: dir });
    const tree = await pool.parse('go', 'package p\nfunc A() {}\n');
    assert.equal(tree.rootNode.type, 'source_file');
    tree.delete();
    await assert.rejects(new ParserPool({ wasmDir: path.join(dir, 'missing') }).parse('java', 'class A {}'));
    fs.rmSync(dir, { recursive: true });
  });

  it('reports the enclosing function and leaves attribution and production empty', async () => {
    const out = await analyzeFile('src/x.ts', 'class Api {\n  load() {\n    return fetch("/x");\n  }\n}\n');
    assert.equal(out.length, 1);
    assert.equal(out[0].function, 'Api.load');
    assert.equal(out[0].attribution, null);
    assert.equal(out[0].production, null);
    assert.equal(out[0].severity, 'warning');
  });
});
