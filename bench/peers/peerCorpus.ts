/**
 * Where bench:peers' corpora live and when they are made again: a cache folder outside the clone
 * (${RUNTIME_LENS_CACHE:-~/.cache/runtime-lens}/bench-peers-corpus), rewritten when missing, of
 * another shape, or older than MAX_AGE_MS (its timestamps must stay inside the receiver's 1 h
 * retention for the whole run, or every span would be filed as late); --reuse-corpus keeps it anyway.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

/** Bumped whenever the corpus generators change, so a cached corpus of the old shape is rewritten. */
export const CORPUS_FORMAT = 1;
/** Modules per service of the bench corpus: 10 services x 20 modules x 10 functions = 2,000 locations, as bench:ingest's. */
export const ZIPF_MODULES = 20;
const MAX_AGE_MS = 30 * 60_000;

/** One corpus on disk: its workspace and its batches in both encodings (file i holds the same spans in each). */
export interface CorpusFiles {
  workspace: string;
  proto: string[];
  json: string[];
  bytesPerSpan: { proto: number; json: number };
}

/** manifest.json of the cache folder. */
export interface PeerCorpusManifest {
  format: number;
  generatedAt: number;
  batches: number;
  batchSize: number;
  corpora: { highCardinality: CorpusFiles; zipf: CorpusFiles };
}

/** The cache folder of the corpora. */
export function peerCorpusDir(): string {
  return path.join(process.env['RUNTIME_LENS_CACHE'] || path.join(homedir(), '.cache', 'runtime-lens'), 'bench-peers-corpus');
}

/** The corpora with `batches` batches each, generated (in a child process) unless a fitting one is cached. */
export function ensurePeerCorpus(batches: number, reuse: boolean, log: (line: string) => void): PeerCorpusManifest {
  const dir = peerCorpusDir();
  const manifestFile = path.join(dir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const cached = JSON.parse(readFileSync(manifestFile, 'utf8')) as PeerCorpusManifest;
    const fits = cached.format === CORPUS_FORMAT && cached.batches === batches;
    if (fits && (reuse || Date.now() - cached.generatedAt < MAX_AGE_MS)) {
      log(`corpus: reusing ${dir} (made ${Math.round((Date.now() - cached.generatedAt) / 60_000)} min ago)`);
      return cached;
    }
  }
  log(`corpus: generating ${batches} batches per corpus with the OpenTelemetry JS SDK into ${dir} ...`);
  const started = Date.now();
  // Written beside the old one and swapped in, so an interrupted run leaves no half corpus behind.
  const fresh = `${dir}.new-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'makePeerCorpus.ts'), fresh, String(batches)], { stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
  renameSync(fresh, dir);
  log(`corpus: generated in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  // The manifest names files under the folder it was written in: rewrite it with the final paths.
  writeFileSync(manifestFile, readFileSync(manifestFile, 'utf8').split(fresh).join(dir));
  return JSON.parse(readFileSync(manifestFile, 'utf8')) as PeerCorpusManifest;
}
