/**
 * Not a test: measures attribution of a 2,000-line file built by 50 commits (a mix of human,
 * trailer and git-ai-noted commits). Run by hand:
 *   node --import tsx test/unit/analysis/attribution/measureAttribution.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Attributor } from '../../../../src/core/analysis/attribution/attribute';
import type { FunctionSpan } from '../../../../src/core/analysis/findings';
import { makeRepo, removeTestRepos } from './gitRepo';

const COMMITS = 50;
const LINES_PER_COMMIT = 40;
const FILE = 'src/big.ts';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const repo = makeRepo();
  const lines: string[] = [];
  const functions: FunctionSpan[] = [];
  for (let c = 0; c < COMMITS; c++) {
    const start = lines.length + 1;
    // Four 10-line functions per commit.
    for (let f = 0; f < LINES_PER_COMMIT / 10; f++) {
      const name = `fn${c}_${f}`;
      const first = lines.length + 1;
      lines.push(`export function ${name}(input: number) {`);
      for (let i = 0; i < 8; i++) lines.push(`  const v${i} = input * ${c + i} + ${f};`);
      lines.push('}');
      functions.push({ name, startLine: first, endLine: lines.length });
    }
    // Every tenth commit also edits a line of an older function, so blame has to split hunks.
    if (c % 10 === 9) lines[5 + c] = `  const edited${c} = ${c};`;
    repo.write(FILE, lines);
    const kind = c % 5;
    const message = kind === 0 ? `human ${c}` : kind === 1 ? `claude ${c}\n\nCo-Authored-By: Claude <noreply@anthropic.com>` : kind === 2 ? `cursor ${c}\n\nMade-with: Cursor` : `noted ${c}`;
    const sha = repo.commit(message);
    if (kind >= 3) {
      repo.addNote(
        sha,
        [
          FILE,
          `  s_0a1b2c3d4e5f60::t_0123456789abcd ${start}-${lines.length}`,
          '---',
          JSON.stringify({ schema_version: 'authorship/3.0.0', sessions: { s_0a1b2c3d4e5f60: { agent_id: { tool: 'claude', model: 'claude-opus-4-5' } } } }),
        ].join('\n'),
      );
    }
  }
  const text = readFileSync(join(repo.dir, FILE), 'utf8');
  console.log(`file: ${text.split('\n').length - 1} lines, ${functions.length} functions, ${COMMITS} commits`);

  const cold: number[] = [];
  let aiCount = 0;
  for (let run = 0; run < 7; run++) {
    const attributor = new Attributor(repo.dir, { git: repo.port() });
    const t0 = performance.now();
    const result = await attributor.attributeFunctions(FILE, functions, text);
    cold.push(performance.now() - t0);
    aiCount = [...result.values()].filter((a) => a.ai).length;
  }

  const port = repo.port();
  const attributor = new Attributor(repo.dir, { git: port });
  await attributor.attributeFunctions(FILE, functions, text);
  const warm: number[] = [];
  for (let run = 0; run < 21; run++) {
    // A one-line edit in an unsaved buffer: cached blame of HEAD, a line diff, cached commits.
    const edited = text.replace(`  const v3 = input * ${run + 3} + 1;`, `  const v3 = input * ${run + 3} + 99;`);
    const t0 = performance.now();
    await attributor.attributeFunctions(FILE, functions, edited);
    warm.push(performance.now() - t0);
  }

  // The editor path can skip the HEAD check between keystrokes.
  const quick = new Attributor(repo.dir, { git: repo.port(), stateMaxAgeMs: 60_000 });
  await quick.attributeFunctions(FILE, functions, text);
  const warmNoGit: number[] = [];
  for (let run = 0; run < 21; run++) {
    const edited = text.replace(`  const v3 = input * ${run + 3} + 1;`, `  const v3 = input * ${run + 3} + 99;`);
    const t0 = performance.now();
    await quick.attributeFunctions(FILE, functions, edited);
    warmNoGit.push(performance.now() - t0);
  }

  const blameOnly: number[] = [];
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now();
    await repo.port().run(['blame', '--porcelain', 'HEAD', '--', FILE]);
    blameOnly.push(performance.now() - t0);
  }

  console.log(`AI-written functions: ${aiCount} of ${functions.length}`);
  console.log(`cold attribution (new Attributor: rev-parse x2 + blame + one log with notes): median ${median(cold).toFixed(1)} ms, min ${Math.min(...cold).toFixed(1)} ms`);
  console.log(`  of which git blame --porcelain alone: median ${median(blameOnly).toFixed(1)} ms`);
  console.log(`warm, after a one-line edit (rev-parse + diff, caches hit): median ${median(warm).toFixed(1)} ms, max ${Math.max(...warm).toFixed(1)} ms`);
  console.log(`warm with stateMaxAgeMs (no git process at all): median ${median(warmNoGit).toFixed(1)} ms, max ${Math.max(...warmNoGit).toFixed(1)} ms`);
  console.log(`git commands in the warm runs: ${port.calls.length - 3} (${[...new Set(port.calls.slice(3).map((c) => c[0]))].join(', ')})`);
  removeTestRepos();
}

void main();
