/**
 * The precision bench's labels: bench/analysis/labels/<language>.jsonl, one JSON object a line,
 * `{package, version, file, line, rule, label: 'tp'|'fp', reason}`, written by reading the code
 * around each finding. `file` is relative to the package's own folder; a label is about the code
 * at that line, so it judges any tool's finding of the same rule there.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { PinnedPackage } from './corpus';
import { packageDir } from './corpus';

/** One labelled finding. */
export interface Label {
  package: string;
  version: string;
  file: string;
  line: number;
  rule: string;
  label: 'tp' | 'fp';
  reason: string;
  /** Corpus-relative path (package folder + file), filled in on load. */
  corpusFile: string;
  /** Which labels file and line it came from, for errors. */
  source: string;
}

/** Folder of the label files. */
export const LABELS_DIR = path.join(__dirname, 'labels');

const FIELDS = ['package', 'version', 'file', 'line', 'rule', 'label', 'reason'] as const;

/** Reads every `*.jsonl` in `dir`; a bad line, an unknown package or a duplicate throws one line naming file:line. */
export function loadLabels(dir: string, packages: readonly PinnedPackage[]): Label[] {
  if (!existsSync(dir)) return [];
  const byKey = new Map<string, PinnedPackage>(packages.map((p) => [`${p.name}@${p.version}`, p]));
  const seen = new Set<string>();
  const out: Label[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .sort()) {
    const lines = readFileSync(path.join(dir, name), 'utf8').split('\n');
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      const source = `${name}:${i + 1}`;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new Error(`${source}: not JSON`);
      }
      if (typeof raw !== 'object' || raw === null) throw new Error(`${source}: not an object`);
      const o = raw as Record<string, unknown>;
      for (const f of FIELDS) if (!Object.hasOwn(o, f)) throw new Error(`${source}: missing "${f}"`);
      if (typeof o.line !== 'number' || !Number.isInteger(o.line) || o.line < 1) throw new Error(`${source}: "line" must be a whole number >= 1`);
      if (o.label !== 'tp' && o.label !== 'fp') throw new Error(`${source}: "label" must be "tp" or "fp"`);
      for (const f of ['package', 'version', 'file', 'rule', 'reason'] as const) {
        if (typeof o[f] !== 'string' || (o[f] as string).trim() === '') throw new Error(`${source}: "${f}" must be a non-empty string`);
      }
      if ((o.reason as string).includes('\n')) throw new Error(`${source}: "reason" must be one line`);
      const pin = byKey.get(`${o.package as string}@${o.version as string}`);
      if (!pin) throw new Error(`${source}: ${o.package as string}@${o.version as string} is not a pinned corpus package`);
      const corpusFile = path.posix.join(packageDir(pin), o.file as string);
      const key = `${corpusFile}:${o.line}:${o.rule as string}`;
      if (seen.has(key)) throw new Error(`${source}: ${key} is labelled twice`);
      seen.add(key);
      out.push({ package: o.package as string, version: o.version as string, file: o.file as string, line: o.line, rule: o.rule as string, label: o.label, reason: o.reason as string, corpusFile, source });
    });
  }
  return out;
}

/** The pinned package a corpus-relative path belongs to, and the path inside it. */
export function packageOf(corpusFile: string, packages: readonly PinnedPackage[]): { pin: PinnedPackage; file: string } | null {
  for (const pin of packages) {
    const dir = `${packageDir(pin)}/`;
    if (corpusFile.startsWith(dir)) return { pin, file: corpusFile.slice(dir.length) };
  }
  return null;
}
