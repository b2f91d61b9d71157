/**
 * `npm run bench:peers` (issue 15 §2): the embedded receiver's ingest against real peers on the same
 * machine and the same bytes. `runtime-lens serve` (spawned by the extension's own ReceiverProcess),
 * Jaeger v2 all-in-one (memory storage) and the OpenTelemetry Collector (otlp -> batch -> nop: the
 * pass-through ceiling), each a fresh process per run, take N spans from a sender child process
 * (4 keep-alive connections, OTLP retries). Per run: accepted spans/s (2xx-acknowledged spans over
 * first send -> last ack; for runtime-lens, which acknowledges before filing, until /api/status says
 * all were filed), server CPU seconds per 100,000 spans from /proc/<pid>/stat (settled: read 1 s after
 * that point; the reading at the last ack is shown beside it) and peak RSS (VmHWM).
 * Two corpora, made by the OpenTelemetry JS SDK's serializers and cached outside the clone
 * (bench/peers/peerCorpus.ts): high cardinality (10 services x 2,000 routes, 12 attributes, 5%
 * exception stacks, a fresh trace id per span) and bench:ingest's (Zipf over 2,000 locations).
 * Rounds alternate the order (ours first, then theirs first); the tables give each round, the
 * per-round ratios, their medians and the issue's targets, met or not (printed, never asserted).
 *
 * Options: --rounds R (3) --spans-proto N (1,000,000) --spans-json N (500,000) --batches B (400
 * distinct batches per corpus, cycled) --corpus high|zipf (both) --encoding protobuf|json (both)
 * --reuse-corpus (keep a cached corpus however old) --record (append to bench/RESULTS.md)
 * --peers a,b (only these of runtime-lens, jaeger, collector: for profiling one; ratios need both)
 * --empty-workspace (runtime-lens maps into an empty folder: every span unmapped, issue 15 §1) --quick (100,000 spans per run, 1 round, for trying it)
 * --warm N (each run first sends N spans unmeasured, so the figures are a process's past its start,
 * its store filled to the caps: what a receiver that has run for a while spends; peak RSS includes them).
 * The defaults take about 4 minutes on a 2-core machine (36 runs); N stays 1M / 500k so that a run
 * is long enough for a fresh process to warm up and short enough to repeat.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensurePeerCorpus, type CorpusFiles } from './peers/peerCorpus';
import { type Encoding, measureRun } from './peers/measureRun';
import { recordPeerResults, renderSeries, renderSummary, type Series } from './peers/peerReport';
import { type PeerName, peerVersions, runtimeLensBuild, runtimeLensCommand } from './peers/peerServers';
import { ATTRIBUTES_PER_SPAN, ROUTES_PER_SERVICE } from './peers/highCardinalityCorpus';
import { BATCH_SIZE } from './corpus';

const flag = (name: string) => process.argv.includes(`--${name}`);
const value = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const QUICK = flag('quick');
const ROUNDS = Number(value('rounds') ?? (QUICK ? 1 : 3));
const SPANS: Record<Encoding, number> = {
  protobuf: Number(value('spans-proto') ?? (QUICK ? 100_000 : 1_000_000)),
  JSON: Number(value('spans-json') ?? (QUICK ? 100_000 : 500_000)),
};
const BATCHES = Number(value('batches') ?? 400);
const CORPORA = (['high', 'zipf'] as const).filter((c) => !value('corpus') || value('corpus') === c);
const ENCODINGS = (['protobuf', 'JSON'] as const).filter((e) => !value('encoding') || value('encoding')!.toLowerCase() === e.toLowerCase());
// An empty folder to map into: every span is unmapped, which must cost no more than mapping it.
const EMPTY_WORKSPACE = flag('empty-workspace') ? mkdtempSync(path.join(os.tmpdir(), 'runtime-lens-peers-empty-')) : undefined;
const WARM_SPANS = Number(value('warm') ?? 0);
const OURS_FIRST = (['runtime-lens', 'jaeger', 'collector'] as PeerName[]).filter((p) => !value('peers') || value('peers')!.split(',').includes(p));

const CORPUS_TITLE = {
  high: `high cardinality (10 services × ${ROUTES_PER_SERVICE.toLocaleString('en-US')} routes, ${ATTRIBUTES_PER_SPAN} attributes, 5% exception stacks, a trace per span)`,
  zipf: "bench:ingest's corpus (Zipf over 2,000 locations)",
};

const log = (line: string) => console.error(`[bench:peers ${new Date().toISOString().slice(11, 19)}] ${line}`);

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = os.loadavg();
  const manifest = ensurePeerCorpus(BATCHES, flag('reuse-corpus'), log);
  const files: Record<'high' | 'zipf', CorpusFiles> = { high: manifest.corpora.highCardinality, zipf: manifest.corpora.zipf };
  const series: Series[] = [];
  for (const corpus of CORPORA) {
    for (const encoding of ENCODINGS) {
      const f = files[corpus];
      const title = WARM_SPANS > 0 ? `${CORPUS_TITLE[corpus]}, measured after ${WARM_SPANS.toLocaleString('en-US')} warm-up spans in the same process` : CORPUS_TITLE[corpus];
      series.push({ corpus: title, encoding, spansPerRun: SPANS[encoding], bytesPerSpan: f.bytesPerSpan[encoding === 'protobuf' ? 'proto' : 'json'], rounds: [] });
    }
  }
  // Rounds outermost, so a slow stretch of the machine touches every series alike rather than one.
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? OURS_FIRST : [...OURS_FIRST].reverse();
    let i = 0;
    for (const corpus of CORPORA) {
      for (const encoding of ENCODINGS) {
        const s = series[i++];
        const f = files[corpus];
        const batchFiles = encoding === 'protobuf' ? f.proto : f.json;
        const runs: Series['rounds'][number]['runs'] = {};
        for (const peer of order) {
          const r = await measureRun(peer, EMPTY_WORKSPACE ?? f.workspace, batchFiles, encoding, SPANS[encoding], WARM_SPANS);
          runs[peer] = r;
          log(
            `round ${round + 1}/${ROUNDS} ${corpus} ${encoding} ${peer}: ${Math.round(r.spansPerSec).toLocaleString('en-US')} spans/s, ` +
              `${r.cpuPer100k.toFixed(2)} CPU s/100k, ${Math.round(r.peakRssMb)} MB${r.error ? `; ${r.error.split('\n')[0]}` : ''}`,
          );
        }
        s.rounds.push({ order, runs });
      }
    }
  }
  const minutes = (Date.now() - started) / 60_000;
  const loadAtEnd = os.loadavg();
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const header = [
    `### ${new Date().toISOString().slice(0, 10)} · ${os.cpus().length} cores · ${cpu} · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · git ${gitHead()} · ${minutes.toFixed(1)} min · load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')} at the end`,
    '',
    `Peers: runtime-lens (${runtimeLensCommand()}, as the extension spawns it; ${runtimeLensBuild()}), ${peerVersions()}; a fresh process per run on free loopback ports.`,
    ...(EMPTY_WORKSPACE ? ['runtime-lens maps into an empty workspace (--empty-workspace): every span is unmapped.'] : []),
    ...(WARM_SPANS > 0
      ? [`--warm: each run first sends ${WARM_SPANS.toLocaleString('en-US')} spans of the same corpus, unmeasured (runtime-lens files them all before the measured sending starts); peak RSS includes them.`]
      : []),
    `Per run: ${SPANS.protobuf.toLocaleString('en-US')} protobuf / ${SPANS.JSON.toLocaleString('en-US')} JSON spans in ${BATCH_SIZE}-span requests from a sender child process over 4 keep-alive connections, cycling ${BATCHES} distinct batches per corpus; ${ROUNDS} round(s), the order alternating (ours first, then theirs first).`,
    "spans/s: 2xx-acknowledged spans ÷ time from the first send to the last ack (runtime-lens: to /api/status saying all were filed; the ack-only rate is beside it). CPU: the server's utime + stime from /proc, from just before the first send to 1 s after that end point (the reading at the last ack beside it). Peak RSS: VmHWM. Other load: the machine's busy CPU during the sending less the server's and the sender's, in cores (near 0 when nothing else runs). Ratios are runtime-lens ÷ peer per round; targets (issue 15) apply to the medians.",
    ...(QUICK ? ['', '--quick: runs this short are mostly a fresh process warming up (JIT, heap growth); a smoke test, not figures to compare.'] : []),
  ].join('\n');
  const section = [header, '', ...series.map(renderSeries).flatMap((t) => [t, '']), '#### Medians of the per-round ratios, runtime-lens ÷ peer', '', renderSummary(series)].join('\n');
  console.log(`\n${section}\n`);
  if (flag('record')) {
    recordPeerResults(section);
    log('recorded in bench/RESULTS.md');
  }
}

function gitHead(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    // RESULTS.md is what --record writes: runs recorded one after another still name the code they ran.
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/RESULTS.md'], { encoding: 'utf8' }).trim();
    return dirty ? `${sha} + uncommitted changes` : sha;
  } catch {
    return 'unknown';
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
