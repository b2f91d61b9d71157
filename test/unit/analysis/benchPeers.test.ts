// The precision bench's peer plumbing: unlabelled lines of any tool, rows for peers that ran and
// found nothing, and ESLint no-empty kept to catch blocks (the pinned ESLint, really run).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { cacheRoot } from '../../../bench/analysis/corpus';
import { installEslint, runEslintPeer } from '../../../bench/analysis/jsPeers';
import type { Label } from '../../../bench/analysis/labels';
import type { ToolFinding } from '../../../bench/analysis/precisionTable';
import { precisionRows, unlabelledLines } from '../../../bench/analysis/precisionTable';

const label = (file: string, line: number, rule: string, l: 'tp' | 'fp'): Label => ({ package: 'p', version: '1', file, line, rule, label: l, reason: 'r', corpusFile: file, source: 'x.jsonl:1' });
const finding = (tool: string, file: string, line: number, endLine = line, rule = 'swallowed-error'): ToolFinding => ({ tool, rule, language: 'python', file, line, endLine });

test('unlabelledLines lists every unlabelled line of any tool once, with the tools that flag it', () => {
  const labels = [label('a.py', 10, 'swallowed-error', 'fp')];
  const findings = [
    finding('Runtime Lens', 'a.py', 10),
    finding('Ruff S110/S112', 'a.py', 10, 11), // on the labelled handler: not listed
    finding('Ruff BLE001', 'a.py', 20),
    finding('Bandit B110/B112', 'a.py', 20, 21),
    finding('Ruff BLE001', 'a.py', 5),
    finding('Ruff S113', 'a.py', 30, 30, 'missing-timeout'), // another rule
  ];
  assert.deepEqual(unlabelledLines(findings, labels, 'swallowed-error', 'python'), [
    { file: 'a.py', line: 5, tools: ['Ruff BLE001'] },
    { file: 'a.py', line: 20, tools: ['Bandit B110/B112', 'Ruff BLE001'] },
  ]);
});

test('a peer that ran and found nothing still has its row', () => {
  const rows = precisionRows([finding('Runtime Lens', 'a.py', 10)], [label('a.py', 10, 'swallowed-error', 'tp')], () => 'python', [{ tool: 'ESLint no-empty 9', rule: 'swallowed-error', language: 'typescript' }]);
  const eslint = rows.find((r) => r.tool === 'ESLint no-empty 9');
  assert.ok(eslint);
  assert.equal(eslint.findings, 0);
  assert.equal(eslint.precision, null);
});

test('ESLint no-empty counts empty catch blocks only, in .js and .ts, and honours eslint-disable', async () => {
  const dir = installEslint(cacheRoot(), () => {});
  const root = mkdtempSync(path.join(os.tmpdir(), 'rl-eslint-peer-'));
  try {
    writeFileSync(path.join(root, 'a.ts'), 'export function f(x: number): string {\n  try {\n    return String(x as unknown);\n  } catch {}\n  if (x) {}\n  return "";\n}\n');
    writeFileSync(path.join(root, 'b.js'), 'try { g(); } catch (e) {}\n// eslint-disable-next-line no-empty\ntry { g(); } catch (e) {}\ntry { g(); } catch (e) { /* ignore */ }\n');
    const run = await runEslintPeer(dir, root, ['a.ts', 'b.js']);
    assert.ok(run.findings, run.error);
    assert.deepEqual(run.findings.map((f) => `${f.file}:${f.line}`).sort(), ['a.ts:4', 'b.js:1']);
    assert.match(run.notes.join(' '), /1 no-empty report\(s\) on blocks other than catch left out; 1 suppressed/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
