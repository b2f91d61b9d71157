/**
 * Writes the ingest benchmark's corpus to DIR (argv[2]) in its own process, so that generating
 * it with the SDK leaves no garbage in the receiver's process whose RSS the benchmark measures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BATCH_SIZE, makeBatches, makeRequestBatches, writeWorkspace, type Batch } from './corpus';

/** What the corpus folder holds; written as manifest.json. */
export interface CorpusManifest {
  workspace: string;
  batchSize: number;
  /** 2,000 locations: 10 services x 20 modules x 10 functions, Zipf-distributed traffic. */
  hot: { json: string[]; proto: string[] };
  /** The same 2,000 locations, every one in turn (worst case for CPU caches), protobuf. */
  uniform: string[];
  /** 10,000 locations, protobuf. */
  wide: string[];
  /** Whole requests (server, handler, middleware and client spans; see makeRequestBatches) over 2,000 locations, protobuf. */
  requests: string[];
  bytesPerSpan: { json: number; proto: number };
}

function write(dir: string, batches: Batch[], encoding: 'json' | 'proto'): string[] {
  mkdirSync(dir, { recursive: true });
  return batches.map((b, i) => {
    const file = path.join(dir, `${i}.${encoding === 'json' ? 'json' : 'bin'}`);
    writeFileSync(file, encoding === 'json' ? b.json : b.proto);
    return file;
  });
}

const dir = process.argv[2];
const workspace = path.join(dir, 'workspace');
writeWorkspace(workspace, 100);
const hot = makeBatches(100, 20);
const uniform = makeBatches(40, 20, 0, 'uniform');
const wide = makeBatches(40, 100, 1, 'uniform');
const perSpan = (k: 'json' | 'proto') => Math.round(hot.reduce((n, b) => n + b[k].length, 0) / (hot.length * BATCH_SIZE));
const manifest: CorpusManifest = {
  workspace,
  batchSize: BATCH_SIZE,
  hot: { json: write(path.join(dir, 'json'), hot, 'json'), proto: write(path.join(dir, 'proto'), hot, 'proto') },
  uniform: write(path.join(dir, 'uniform'), uniform, 'proto'),
  wide: write(path.join(dir, 'wide'), wide, 'proto'),
  requests: write(path.join(dir, 'requests'), makeRequestBatches(40, 20), 'proto'),
  bytesPerSpan: { json: perSpan('json'), proto: perSpan('proto') },
};
writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
