import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TreeSitter from 'web-tree-sitter';
import type { Parser, Tree } from 'web-tree-sitter';
import type { GrammarLanguage } from './languages';

// require() rather than import: bundlers then pick the package's CommonJS build, whose runtime finds
// its WASM through `locateFile`; the ESM build reads import.meta.url, which a CJS bundle does not have.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const treeSitter: typeof TreeSitter = require('web-tree-sitter');

// Package paths in variables so bundlers leave these development-only lookups alone.
const RUNTIME_IN_PACKAGE = 'web-tree-sitter/web-tree-sitter.wasm';
const GRAMMARS_PACKAGE = '@vscode/tree-sitter-wasm/package.json';

/** The runtime's own WASM file and the grammar file name of each language. */
export const RUNTIME_WASM = 'web-tree-sitter.wasm';
const GRAMMAR_FILE: Record<GrammarLanguage, string> = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
};

/** Every WASM file the analysis loads (what a build copies next to the bundle). */
export const WASM_FILES: readonly string[] = [RUNTIME_WASM, ...Object.values(GRAMMAR_FILE)];

/** Where the runtime WASM and the grammars are read from. */
export interface WasmLocation {
  runtime: string;
  grammarDir: string;
}

/**
 * Finds the WASM files: `<dir>/wasm/` next to the running bundle (dist/wasm, as the build lays it
 * out) or, when running from src/ through tsx, the two packages in node_modules.
 */
export function defaultWasmLocation(): WasmLocation {
  const bundled = path.join(__dirname, 'wasm');
  if (fs.existsSync(path.join(bundled, RUNTIME_WASM))) return { runtime: path.join(bundled, RUNTIME_WASM), grammarDir: bundled };
  try {
    const runtime = require.resolve(RUNTIME_IN_PACKAGE);
    const grammarDir = path.join(path.dirname(require.resolve(GRAMMARS_PACKAGE)), 'wasm');
    return { runtime, grammarDir };
  } catch {
    throw new Error(`tree-sitter WASM files not found: expected ${bundled} (next to the bundle) or the web-tree-sitter and @vscode/tree-sitter-wasm packages`);
  }
}

/** A wasmDir holds the runtime and every grammar side by side. */
export function wasmLocationIn(wasmDir: string): WasmLocation {
  return { runtime: path.join(wasmDir, RUNTIME_WASM), grammarDir: wasmDir };
}

let runtimeReady: Promise<void> | undefined;

/**
 * One parser per language, grammars loaded on first use. The runtime is initialised once per
 * process (web-tree-sitter keeps a single module), so the first pool's location wins.
 */
export class ParserPool {
  private readonly location: WasmLocation;
  private readonly parsers = new Map<GrammarLanguage, Promise<Parser>>();

  constructor(options: { wasmDir?: string } = {}) {
    this.location = options.wasmDir ? wasmLocationIn(options.wasmDir) : defaultWasmLocation();
  }

  /** The parser of a language, loading its grammar the first time. */
  parser(language: GrammarLanguage): Promise<Parser> {
    let p = this.parsers.get(language);
    if (!p) {
      p = this.load(language);
      this.parsers.set(language, p);
      p.catch(() => this.parsers.delete(language)); // a failed load may be retried
    }
    return p;
  }

  /** Parses text; pass the previous tree (already edited with `editTree`) to reparse incrementally. */
  async parse(language: GrammarLanguage, text: string, oldTree?: Tree | null): Promise<Tree> {
    return parseWith(await this.parser(language), text, oldTree);
  }

  private async load(language: GrammarLanguage): Promise<Parser> {
    const runtime = this.location.runtime;
    runtimeReady ??= treeSitter.Parser.init({ locateFile: () => runtime });
    try {
      await runtimeReady;
    } catch (e) {
      runtimeReady = undefined;
      throw e;
    }
    const grammar = await treeSitter.Language.load(fs.readFileSync(path.join(this.location.grammarDir, GRAMMAR_FILE[language])));
    const parser = new treeSitter.Parser();
    parser.setLanguage(grammar);
    return parser;
  }
}

/** Synchronous parse with a loaded parser (the incremental path in the editor). */
export function parseWith(parser: Parser, text: string, oldTree?: Tree | null): Tree {
  const tree = parser.parse(text, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree (parse cancelled)');
  return tree;
}

/** A text change in editor terms: replace [start, end) of the old text (UTF-16 offsets) by `text`. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

/** Tells the tree about a change so the next parse can reuse the unchanged parts; returns the new text. */
export function editTree(tree: Tree, oldText: string, change: TextChange): string {
  const newText = oldText.slice(0, change.start) + change.text + oldText.slice(change.end);
  tree.edit(
    new treeSitter.Edit({
      startIndex: change.start,
      oldEndIndex: change.end,
      newEndIndex: change.start + change.text.length,
      startPosition: pointAt(oldText, change.start),
      oldEndPosition: pointAt(oldText, change.end),
      newEndPosition: pointAt(newText, change.start + change.text.length),
    }),
  );
  return newText;
}

function pointAt(text: string, offset: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: offset - lineStart };
}
