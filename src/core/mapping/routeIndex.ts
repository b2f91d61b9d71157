import { normalizeRoute } from './routeScan';
import type { RouteRegistration } from './routeScan';

/** A route lookup result; `ambiguous` lists the other registrations the caller must report. */
export interface RouteMatch {
  registration: RouteRegistration;
  ambiguous: RouteRegistration[];
}

const byPlace = (a: RouteRegistration, b: RouteRegistration): number => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));

/** Workspace-wide index of route registrations, looked up by a span's method and `http.route`. */
export class RouteIndex {
  private readonly files = new Map<string, RouteRegistration[]>();
  /** Keyed by normalized pattern; each list kept in file, line order. */
  private readonly byPattern = new Map<string, RouteRegistration[]>();
  private count = 0;

  /** Replaces everything known about `file`. */
  setFile(file: string, routes: RouteRegistration[]): void {
    this.removeFile(file);
    if (routes.length === 0) return;
    this.files.set(file, routes);
    this.count += routes.length;
    for (const r of routes) {
      const list = this.byPattern.get(r.pattern) ?? [];
      list.push(r);
      list.sort(byPlace);
      this.byPattern.set(r.pattern, list);
    }
  }

  /** Forgets `file`. */
  removeFile(file: string): void {
    const old = this.files.get(file);
    if (!old) return;
    this.files.delete(file);
    this.count -= old.length;
    for (const r of old) {
      const rest = (this.byPattern.get(r.pattern) ?? []).filter((x) => x.file !== file);
      if (rest.length) this.byPattern.set(r.pattern, rest);
      else this.byPattern.delete(r.pattern);
    }
  }

  /**
   * Finds the registration for a request: exact method first, then any-method registrations,
   * and for HEAD the GET ones (routers answer HEAD with the GET handler). `httpRoute` may carry
   * the method (`GET /users/{id}`, as in some span names); an empty `method` matches any.
   */
  match(method: string, httpRoute: string): RouteMatch | undefined {
    let route = httpRoute.trim();
    let verb = method.trim().toUpperCase();
    const prefixed = /^([A-Za-z]+)\s+(\S.*)$/.exec(route);
    if (prefixed) {
      route = prefixed[2]!;
      if (!verb) verb = prefixed[1]!.toUpperCase();
    }
    // otelhttp names a request with a method outside the known set `HTTP /x`; `_OTHER` is the semconv value.
    if (verb === 'HTTP' || verb === '_OTHER') verb = '';
    if (!route) return undefined;
    const all = this.byPattern.get(normalizeRoute(route));
    if (!all) return undefined;
    const tiers = verb ? [verb, '*', ...(verb === 'HEAD' ? ['GET'] : [])] : [];
    const hits = tiers.length ? (tiers.map((t) => all.filter((r) => r.method === t)).find((l) => l.length > 0) ?? []) : all;
    if (hits.length === 0) return undefined;
    return { registration: hits[0]!, ambiguous: hits.slice(1) };
  }

  /** The innermost anonymous inline handler whose body holds `line` of `file`, if any. */
  inlineHandlerAt(file: string, line: number): RouteRegistration | undefined {
    let best: RouteRegistration | undefined;
    for (const r of this.files.get(file) ?? []) {
      if (r.handler !== '' || r.endLine === undefined || line < r.line || line > r.endLine) continue;
      if (best === undefined || r.endLine - r.line < best.endLine! - best.line) best = r;
    }
    return best;
  }

  /** Number of registrations held. */
  size(): number {
    return this.count;
  }
}
