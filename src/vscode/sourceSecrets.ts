import type * as vscode from 'vscode';
import type { SourceSpec } from '../core/sources/sourceSpec';

/**
 * The sources' credentials in VS Code's SecretStorage, never in settings. A secret is keyed by the
 * source's name and URL: a workspace's settings that reuse a name with another URL (a cloned repo
 * pointing "jaeger" elsewhere) do not get the token entered for the real backend.
 */
export class SourceSecrets {
  constructor(private readonly storage: Pick<vscode.SecretStorage, 'get' | 'store' | 'delete'>) {}

  /** The SecretStorage key of a source's secret. */
  static key(source: Pick<SourceSpec, 'name' | 'url'>): string {
    return `runtimeLens.source/${source.name}@${source.url}`;
  }

  /** The secret of a source, if one is stored. */
  async get(source: Pick<SourceSpec, 'name' | 'url'>): Promise<string | undefined> {
    return this.storage.get(SourceSecrets.key(source));
  }

  /** Stores (or replaces) a source's secret. */
  async store(source: Pick<SourceSpec, 'name' | 'url'>, secret: string): Promise<void> {
    await this.storage.store(SourceSecrets.key(source), secret);
  }

  /** Forgets a source's secret. */
  async delete(source: Pick<SourceSpec, 'name' | 'url'>): Promise<void> {
    await this.storage.delete(SourceSecrets.key(source));
  }

  /** The stored secrets of the sources that use credentials, by source name. */
  async forSources(sources: readonly SourceSpec[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const s of sources) {
      if (s.auth.kind === 'none') continue;
      const secret = await this.get(s);
      if (secret) found.set(s.name, secret);
    }
    return found;
  }
}
