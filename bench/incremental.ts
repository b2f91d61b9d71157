/**
 * `npm run bench:incremental`: re-analysis after a one-character edit inside a function of a real
 * ~2,000-line file (what the editor does on each keystroke), against the 20 ms budget and against
 * a full analysis of the same text (the ceiling the incremental path avoids). Files come from
 * node_modules, so a fresh `npm install` has them. Options: --edits N (default 200).
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeFile, defaultParsers } from '../src/core/analysis/analyze';
import type { Language } from '../src/core/analysis/findings';
import { extractFunctions } from '../src/core/analysis/functions';
import { IncrementalAnalysis } from '../src/core/analysis/incremental';
import { languageForFile } from '../src/core/analysis/languages';

const FILES = ['node_modules/undici/lib/web/fetch/index.js', 'node_modules/@azure/msal-common/src/cache/CacheManager.ts'];
const editsArg = process.argv.indexOf('--edits');
const EDITS = editsArg > 0 ? Number(process.argv[editsArg + 1]) : 200;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Offsets just after a `{` that ends a line inside a function body: typing a statement there is an edit of that function. */
async function editPoints(file: string, text: string): Promise<number[]> {
  const language = languageForFile(file) as Language;
  const tree = await defaultParsers().parse(language as Parameters<ReturnType<typeof defaultParsers>['parse']>[0], text);
  const inside = extractFunctions(tree, language).map((f) => [f.node.startIndex, f.node.endIndex] as const);
  const points: number[] = [];
  for (let i = text.indexOf('{\n'); i >= 0; i = text.indexOf('{\n', i + 2)) {
    // Not the function's own opening brace: a block within its body.
    if (inside.some(([a, b]) => i > a && i < b && text.lastIndexOf('\n', i) > a)) points.push(i + 2);
  }
  return points;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const rel of FILES) {
    const file = path.resolve(rel);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length;
    const fullTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await analyzeFile(file, text);
      fullTimes.push(performance.now() - t0);
    }
    const analysis = await IncrementalAnalysis.create(file, text);
    if (!analysis) throw new Error(`${rel}: not an analysable file`);
    const points = await editPoints(file, text);
    const times: number[] = [];
    let full = 0;
    // Deterministic walk over the functions: type `x;` at the start of a block, then delete it again (two edits).
    for (let i = 0; i < EDITS; i++) {
      const at = points[(i * 7919) % points.length];
      const typed = analysis.update([{ start: at, end: at, text: 'x;' }]);
      const undone = analysis.update([{ start: at, end: at + 2, text: '' }]);
      for (const s of [typed, undone]) {
        times.push(s.ms);
        if (s.mode === 'full') full++;
      }
    }
    analysis.dispose();
    times.sort((a, b) => a - b);
    fullTimes.sort((a, b) => a - b);
    const median = quantile(times, 0.5);
    const fullMedian = quantile(fullTimes, 0.5);
    rows.push(
      `| ${rel.replace('node_modules/', '')} (${lines.toLocaleString('en-US')} lines) | ${median.toFixed(1)} ms | ${quantile(times, 0.9).toFixed(1)} ms | ${times[times.length - 1].toFixed(1)} ms | ${(median / 20).toFixed(2)} | ${fullMedian.toFixed(0)} ms | ${(median / fullMedian).toFixed(2)} | ${full} of ${times.length} |`,
    );
  }
  console.log(
    [
      `### ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? 'cpu'} · Node ${process.version} · ${EDITS * 2} edits per file`,
      '',
      '| file | incremental median | p90 | max | median ÷ 20 ms budget | full analysis median | incremental ÷ full | edits that fell back to a full run |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
