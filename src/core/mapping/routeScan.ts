/**
 * Route registrations found by cheap regex scans over a source skeleton (see sourceLexer).
 *
 * Line rule: `line` is where the handler is written. For decorated handlers (NestJS, Flask,
 * FastAPI, Spring) that is the def/method name line; for an inline function (`app.get('/x',
 * async (req, res) => {`) the line where that function starts; for a named handler
 * (`r.Get("/x", listItems)`) the line of that name in the registration.
 */
import type { Ctx } from './routeScanCommon';
import { scanGoRoutes } from './routeScanGo';
import { scanSpringRoutes } from './routeScanJava';
import { scanJsRoutes } from './routeScanJs';
import { scanPythonRoutes } from './routeScanPython';
import { LineMap, languageOf, sourceSkeleton } from './sourceLexer';

/** One route registration found in a source file. */
export interface RouteRegistration {
  /** Upper-case, or '*' for any method. */
  method: string;
  /** As written, prefixes joined. */
  route: string;
  /** `normalizeRoute(route)`. */
  pattern: string;
  file: string;
  /** 1-based line of the handler's registration (see the line rule above). */
  line: number;
  /** Handler function name, or '' for an anonymous inline handler. */
  handler: string;
  /** The last line of an inline handler (its body spans line..endLine). */
  endLine?: number;
  framework: string;
}

/** Turns every parameter syntax into `{}` and wildcards into `{*}` so routes from any framework compare. */
export function normalizeRoute(route: string): string {
  const segs = splitSegments(route.trim())
    .map(normalizeSegment)
    .filter((s) => s !== '');
  return '/' + segs.join('/');
}

/** True for a `{name:regex}` whose regex can match `/`: `.*`, `.+`, or a slash outside a negated class. */
function crossesSlashes(inner: string): boolean {
  const colon = inner.indexOf(':');
  if (colon === -1) return false;
  const re = inner.slice(colon + 1).replace(/\[\^(?:\\.|[^\]])*\]/g, '');
  return /(?<!\\)\.[*+]|\//.test(re);
}

/** Splits on `/` outside `{...}` and `(...)`: a parameter's regex may hold slashes (`{rest:[a-z/]+}`). */
function splitSegments(route: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < route.length; i++) {
    const c = route[i];
    if (c === '{' || c === '(') depth++;
    else if ((c === '}' || c === ')') && depth > 0) depth--;
    else if (c === '/' && depth === 0) {
      out.push(route.slice(from, i));
      from = i + 1;
    }
  }
  out.push(route.slice(from));
  return out;
}

function normalizeSegment(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; ) {
    const c = seg[i]!;
    if (c === '{') {
      let depth = 0;
      let j = i;
      for (; j < seg.length; j++) {
        if (seg[j] === '{') depth++;
        else if (seg[j] === '}' && --depth === 0) break;
      }
      const inner = seg.slice(i + 1, j).trim();
      // `{$}` (Go) only anchors the end; `{*p}` (Spring, ASP.NET), `{p...}` (Go), `{p:path}` (Starlette)
      // and a regex that crosses slashes (`{p:.*}`, `{p:[a-z/]+}`, gorilla/chi) span segments.
      if (inner !== '$') out += inner.startsWith('*') || inner.endsWith('...') || /:\s*path$/.test(inner) || crossesSlashes(inner) ? '{*}' : '{}';
      i = j + 1;
    } else if (c === '<' && seg.indexOf('>', i) !== -1) {
      const j = seg.indexOf('>', i);
      out += /^path:/.test(seg.slice(i + 1, j)) ? '{*}' : '{}';
      i = j + 1;
    } else if (c === ':' && /[A-Za-z_$]/.test(seg[i + 1] ?? '') && (i === 0 || seg[i - 1] === '-' || seg[i - 1] === '.')) {
      let j = i + 1;
      while (j < seg.length && /[\w$]/.test(seg[j]!)) j++;
      if (seg[j] === '(') {
        let depth = 0;
        for (; j < seg.length; j++) {
          if (seg[j] === '(') depth++;
          else if (seg[j] === ')' && --depth === 0) break;
        }
        j++;
      }
      const mod = seg[j];
      out += mod === '*' || mod === '+' ? '{*}' : '{}';
      i = mod === '?' || mod === '*' || mod === '+' ? j + 1 : j;
    } else if (c === '*') {
      let j = i;
      while (seg[j] === '*') j++;
      while (j < seg.length && /[\w$]/.test(seg[j]!)) j++;
      out += '{*}';
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Scans one file for route registrations (language chosen by extension). */
export function scanRoutes(file: string, text: string): RouteRegistration[] {
  const lang = languageOf(file);
  if (!lang) return [];
  const ctx: Ctx = { file, text, sk: sourceSkeleton(text, lang), lines: new LineMap(text), lang, out: [] };
  if (lang === 'js') scanJsRoutes(ctx);
  else if (lang === 'python') scanPythonRoutes(ctx);
  else if (lang === 'java') scanSpringRoutes(ctx);
  else scanGoRoutes(ctx);
  // Built field by field so serialized registrations keep their key order (pattern after route).
  return ctx.out
    .sort((a, b) => a.line - b.line)
    .map((r) => ({
      method: r.method,
      route: r.route,
      pattern: normalizeRoute(r.route),
      file: r.file,
      line: r.line,
      handler: r.handler,
      framework: r.framework,
      ...(r.endLine !== undefined ? { endLine: r.endLine } : {}),
    }));
}
