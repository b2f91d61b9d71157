/**
 * Logger callables recognised by default: receivers (`console.*`, `logger.*`) and whole callables
 * (`Sentry.captureException`). A pattern `x.*` matches any call whose receiver chain holds `x`;
 * `a.b` matches a call ending in `a.b`; a bare `f` matches a call to `f`.
 */
export const DEFAULT_LOGGERS: readonly string[] = [
  'console.*',
  'logger.*',
  'log.*',
  'logging.*',
  'structlog.*',
  'slog.*',
  'zap.*',
  'zerolog.*',
  'logrus.*',
  'klog.*',
  'glog.*',
  'pino.*',
  'winston.*',
  'bunyan.*',
  'sugar.*',
  'LOG.*',
  'LOGGER.*',
  'getLogger.*',
  'Sentry.captureException',
  'captureException',
];

/** A compiled matcher over callee segments. */
export type LogMatcher = (segments: readonly string[]) => boolean;

function norm(seg: string): string {
  return seg.replace(/\(\)$/, '').replace(/^_+/, '').toLowerCase();
}

/** Compiles logger patterns into one matcher. */
export function compileLoggers(patterns: readonly string[]): LogMatcher {
  const receivers = new Set<string>();
  const exact: string[][] = [];
  for (const p of patterns) {
    const parts = p.split('.').map(norm);
    if (parts.length === 2 && parts[1] === '*') receivers.add(parts[0]);
    else exact.push(parts);
  }
  return (segments) => {
    const segs = segments.map(norm);
    for (let i = 0; i < segs.length - 1; i++) if (receivers.has(segs[i])) return true;
    return exact.some((e) => e.length <= segs.length && e.every((part, i) => part === segs[segs.length - e.length + i]));
  };
}
