/** Files and environments whose figures changed since the last `take`. */
export interface Changes {
  files: string[];
  environments: string[];
}

/**
 * Collects what changed while someone listens (the stream's clients). Environments are noted only
 * when the resource object changes, so a batch from one service costs one comparison per span.
 */
export class ChangeSet {
  private files = new Set<string>();
  private environments = new Set<string>();
  private lastEnvironment: string | null = null;

  /** Notes a change in `environment` and, when it is not '', in `file`. */
  note(environment: string, file: string): void {
    if (environment !== this.lastEnvironment) {
      this.environments.add(environment);
      this.lastEnvironment = environment;
    }
    if (file !== '') this.files.add(file);
  }

  /** What changed since the last call, or null when nothing did. */
  take(): Changes | null {
    if (this.environments.size === 0 && this.files.size === 0) return null;
    const out = { files: [...this.files].sort(), environments: [...this.environments].sort() };
    this.files = new Set();
    this.environments = new Set();
    this.lastEnvironment = null;
    return out;
  }
}
