/**
 * How series reach workspace files, learned from answers: the production paths and the (service,
 * span name) pairs that joined to each file, so a later round asking for that file alone selects
 * them too (a series without a code path is found by its span name).
 */
import { LruMap } from '../../mapping/lruMap';
import type { LearnedFile } from './spanMetricsAnswer';
import type { SpanGroup } from './spanMetricsGroups';
import type { DetectedSpanMetrics } from './spanMetricsNaming';
import type { FileScope } from './spanMetricsQueries';

const MAX_LEARNED_FILES = 10_000;
const MAX_LEARNED_PER_FILE = 50;

/** What one source learned, per workspace-relative file. */
export class LearnedFiles {
  private readonly files = new LruMap<string, LearnedFile>(MAX_LEARNED_FILES);

  /** How a file's series are found now: its path, and what earlier answers learned about it. */
  scopeOf(file: string): FileScope {
    const learned = this.files.get(file);
    return { relative: file, productionPaths: [...(learned?.productionPaths ?? [])], spanNames: [...(learned?.spanNames.values() ?? [])] };
  }

  /** A group joined to `file`, through its production path when it has one, else by its span name. */
  learn(file: string, g: SpanGroup, productionPath: string | undefined, m: DetectedSpanMetrics): void {
    let entry = this.files.get(file);
    if (entry === undefined) this.files.set(file, (entry = { productionPaths: new Set(), spanNames: new Map() }));
    if (productionPath !== undefined) {
      if (entry.productionPaths.size < MAX_LEARNED_PER_FILE) entry.productionPaths.add(productionPath);
      return;
    }
    const service = g.labels.get(m.serviceLabel) ?? '';
    const spanName = g.labels.get('span_name') ?? '';
    if (entry.spanNames.size < MAX_LEARNED_PER_FILE) entry.spanNames.set(JSON.stringify([service, spanName]), { service, spanName });
  }
}
