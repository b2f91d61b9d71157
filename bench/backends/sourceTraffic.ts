/**
 * What each remote source of a serve sent its backend over time, from `/api/status`
 * (sources[].requests and bytes), sampled every few seconds: the average per minute and the
 * busiest minute (the largest increase between two samples at most 60 s apart).
 */
import { getStatus } from '../../test/support/harness';

/** One status sample: time and each source's running totals. */
export interface TrafficSample {
  at: number;
  sources: Map<string, { requests: number; bytes: number }>;
}

/** One source's traffic over a sampled period. */
export interface SourceTraffic {
  name: string;
  requests: number;
  bytes: number;
  minutes: number;
  /** Most requests in any 60 s between two samples. */
  busiestMinute: number;
}

/** Samples `server`'s status every `everyMs` until stopped. */
export function sampleSourceTraffic(server: string, everyMs = 5_000): { stop(): Promise<TrafficSample[]> } {
  const samples: TrafficSample[] = [];
  let running = true;
  const take = async () => {
    const status = await getStatus(server);
    samples.push({ at: Date.now(), sources: new Map((status.sources ?? []).map((s) => [s.name, { requests: s.requests ?? 0, bytes: s.bytes ?? 0 }])) });
  };
  const loop = (async () => {
    while (running) {
      await take().catch(() => undefined);
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await take();
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

/** Each source's totals, average and busiest minute over the samples. */
export function summarizeTraffic(samples: readonly TrafficSample[]): SourceTraffic[] {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined) return [];
  const minutes = (last.at - first.at) / 60_000;
  return [...last.sources.keys()].map((name) => {
    const at = (s: TrafficSample) => s.sources.get(name) ?? { requests: 0, bytes: 0 };
    let busiest = 0;
    for (let i = 0; i < samples.length; i++) {
      for (let j = i + 1; j < samples.length && samples[j]!.at - samples[i]!.at <= 60_000; j++) busiest = Math.max(busiest, at(samples[j]!).requests - at(samples[i]!).requests);
    }
    return { name, requests: at(last).requests - at(first).requests, bytes: at(last).bytes - at(first).bytes, minutes, busiestMinute: busiest };
  });
}
