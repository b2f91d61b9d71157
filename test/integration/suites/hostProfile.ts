/**
 * Who holds up the extension host: a CPU profile of this very process (node:inspector on the
 * current thread), cut into busy stretches (consecutive samples that are not idle), each stretch
 * attributed to the scripts on its stacks. Used to say how long our own code ever ran without
 * yielding, apart from what VS Code and other extensions in the same host did.
 */
import { Session } from 'node:inspector';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The longest busy stretch overall, and the longest with `ours` on a stack, in ms. */
export interface BusyStretches {
  longestMs: number;
  longestScripts: string[];
  oursLongestMs: number;
  /** The most time samples with our code on the stack took within any one stretch, in ms. */
  oursMaxShareMs: number;
  /** What that time went to: `our innermost function@line:column > the function running (its script) (ms)`, largest first. */
  oursTop: string[];
  /**
   * The longest single sample in that stretch, in ms. Samples come every 0.5 ms while the thread
   * runs; a much longer one is mostly time the thread waited for a core (another process ran).
   */
  oursLongestSampleMs: number;
  /**
   * oursMaxShareMs with each sample counted at most SAMPLE_CAP_MS: a bound that leaves out the
   * waits for a core. It undercounts if the profiler's own thread was the one waiting.
   */
  oursMaxShareCappedMs: number;
}

/** Samples are taken every 0.5 ms; a sample standing for more than twice that is mostly waiting. */
const SAMPLE_INTERVAL_US = 500;
const SAMPLE_CAP_MS = (2 * SAMPLE_INTERVAL_US) / 1000;

/** Starts sampling this thread's CPU; the returned function stops and analyses. */
export async function profileHost(ours: RegExp): Promise<() => Promise<BusyStretches>> {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) => new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: SAMPLE_INTERVAL_US });
  await post('Profiler.start');
  return async () => {
    const { profile } = await post<{ profile: Profile }>('Profiler.stop');
    session.disconnect();
    return busyStretches(profile, ours);
  };
}

/** Cuts a profile into busy stretches and attributes them. */
export function busyStretches(profile: Profile, ours: RegExp): BusyStretches {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const scriptsOf = (id: number): string[] => {
    const urls: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url;
      if (url) urls.push(url);
    }
    return urls;
  };
  const idle = (id: number) => {
    const name = byId.get(id)?.callFrame.functionName;
    return name === '(idle)' || name === '(root)';
  };
  let best: BusyStretches = { longestMs: 0, longestScripts: [], oursLongestMs: 0, oursTop: [], oursMaxShareMs: 0, oursLongestSampleMs: 0, oursMaxShareCappedMs: 0 };
  let runOursMs = 0;
  let runOursCappedMs = 0;
  let runLongestSample = 0;
  let runFns = new Map<string, number>();
  const oursFn = (id: number): string | undefined => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (f?.url && ours.test(f.url)) return `${f.functionName || '(anonymous)'}@${f.lineNumber + 1}:${f.columnNumber + 1}`;
    }
    return undefined;
  };
  const leaf = (id: number): string => {
    const f = byId.get(id)?.callFrame;
    const script = f?.url ? f.url.replace(/^.*\//, '') : 'native';
    return `${f?.functionName || '(anonymous)'} (${script})`;
  };
  let runMs = 0;
  let runOurs = false;
  let runScripts = new Set<string>();
  const close = () => {
    if (runMs > best.longestMs) best = { ...best, longestMs: runMs, longestScripts: [...runScripts].slice(0, 5) };
    if (runOurs && runMs > best.oursLongestMs) best = { ...best, oursLongestMs: runMs };
    if (runOursMs > best.oursMaxShareMs) {
      const top = [...runFns]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([n, ms]) => `${n} (${ms.toFixed(1)} ms)`);
      best = { ...best, oursMaxShareMs: runOursMs, oursTop: top, oursLongestSampleMs: runLongestSample };
    }
    runLongestSample = 0;
    if (runOursCappedMs > best.oursMaxShareCappedMs) best = { ...best, oursMaxShareCappedMs: runOursCappedMs };
    runOursCappedMs = 0;
    runFns = new Map();
    runOursMs = 0;
    runMs = 0;
    runOurs = false;
    runScripts = new Set();
  };
  profile.samples.forEach((id, i) => {
    const dtMs = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (idle(id)) return close();
    runMs += dtMs;
    const urls = scriptsOf(id);
    const fn = oursFn(id);
    if (fn !== undefined) {
      runOurs = true;
      runOursMs += dtMs;
      runLongestSample = Math.max(runLongestSample, dtMs);
      runOursCappedMs += Math.min(dtMs, SAMPLE_CAP_MS);
      const key = `${fn} > ${leaf(id)}`;
      runFns.set(key, (runFns.get(key) ?? 0) + dtMs);
    }
    const top = urls.find((u) => /extensions?\//.test(u)) ?? urls[0];
    if (top) runScripts.add(top.replace(/^.*\/(extensions|out|dist)\//, '$1/'));
  });
  close();
  return best;
}
