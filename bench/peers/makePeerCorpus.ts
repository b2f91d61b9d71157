/**
 * Writes bench:peers' two corpora to DIR (argv[2]), BATCHES (argv[3]) batches each, in its own
 * process so the SDK's garbage stays out of the benchmark's process. Run by peerCorpus.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { BATCH_SIZE, type Batch, makeBatches, writeWorkspace } from '../corpus';
import { HIGH_CARDINALITY_MODULES, makeHighCardinalityBatch } from './highCardinalityCorpus';
import { CORPUS_FORMAT, type CorpusFiles, type PeerCorpusManifest, ZIPF_MODULES } from './peerCorpus';

const dir = process.argv[2];
const batches = Number(process.argv[3]);
const generatedAt = Date.now();

/** Writes one corpus's batches as they come, so the high-cardinality one never sits in memory whole. */
function writeCorpus(name: string, modules: number, batchAt: (b: number) => Batch): CorpusFiles {
  const root = path.join(dir, name);
  const workspace = path.join(root, 'workspace');
  writeWorkspace(workspace, modules);
  mkdirSync(path.join(root, 'proto'), { recursive: true });
  mkdirSync(path.join(root, 'json'), { recursive: true });
  const files: CorpusFiles = { workspace, proto: [], json: [], bytesPerSpan: { proto: 0, json: 0 } };
  let protoBytes = 0;
  let jsonBytes = 0;
  for (let b = 0; b < batches; b++) {
    const batch = batchAt(b);
    if (batch.spans !== BATCH_SIZE) throw new Error(`${name} batch ${b} has ${batch.spans} spans, not ${BATCH_SIZE}`);
    const proto = path.join(root, 'proto', `${b}.bin`);
    const json = path.join(root, 'json', `${b}.json`);
    writeFileSync(proto, batch.proto);
    writeFileSync(json, batch.json);
    files.proto.push(proto);
    files.json.push(json);
    protoBytes += batch.proto.length;
    jsonBytes += batch.json.length;
  }
  files.bytesPerSpan = { proto: Math.round(protoBytes / (batches * BATCH_SIZE)), json: Math.round(jsonBytes / (batches * BATCH_SIZE)) };
  return files;
}

const highCardinality = writeCorpus('highCardinality', HIGH_CARDINALITY_MODULES, (b) => makeHighCardinalityBatch(b, generatedAt));
// makeBatches draws its Zipf sequence per call, so the whole corpus is made in one call (as bench:ingest does).
const zipfBatches = makeBatches(batches, ZIPF_MODULES);
const zipf = writeCorpus('zipf', ZIPF_MODULES, (b) => zipfBatches[b]);
const manifest: PeerCorpusManifest = { format: CORPUS_FORMAT, generatedAt, batches, batchSize: BATCH_SIZE, corpora: { highCardinality, zipf } };
writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
