/**
 * What activation costs the extension host: wall time and, where Node can tell
 * (`process.threadCpuUsage`, Node 22.19+/23.9+), the CPU time of the host's own thread. On a busy
 * machine wall time also counts the moments the host was waiting for a core; the thread's CPU
 * time is what our code and the API calls it made actually took from the host.
 */

/** Set by the bundle's first and last lines (esbuild.config.mjs); absent when run unbundled. */
declare const __runtimeLensLoadStart: number | undefined;
declare const __runtimeLensLoadEnd: number | undefined;
declare const __runtimeLensLoadCpu: NodeJS.CpuUsage | undefined;
declare const __runtimeLensLoadCpuEnd: NodeJS.CpuUsage | undefined;

function cpuMs(usage: NodeJS.CpuUsage | undefined): number | undefined {
  return usage ? (usage.user + usage.system) / 1000 : undefined;
}

/** CPU time of the calling thread, in ms; undefined where Node cannot measure it. */
export function threadCpuMs(): number | undefined {
  return cpuMs((process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.());
}

/** Evaluating the bundle: wall and thread CPU ms (0 when unbundled). */
function bundleLoading(): { wallMs: number; cpuMs: number | undefined } {
  if (typeof __runtimeLensLoadStart !== 'number' || typeof __runtimeLensLoadEnd !== 'number') return { wallMs: 0, cpuMs: 0 };
  const start = cpuMs(typeof __runtimeLensLoadCpu === 'object' ? __runtimeLensLoadCpu : undefined);
  const end = cpuMs(typeof __runtimeLensLoadCpuEnd === 'object' ? __runtimeLensLoadCpuEnd : undefined);
  return { wallMs: __runtimeLensLoadEnd - __runtimeLensLoadStart, cpuMs: start !== undefined && end !== undefined ? end - start : undefined };
}

export interface ActivationCost {
  /** Bundle evaluation + activate(), wall ms. */
  wallMs: number;
  /** The same in host-thread CPU ms; undefined where Node cannot measure it. */
  cpuMs: number | undefined;
  /** activate() alone, wall ms. */
  activateWallMs: number;
  /** activate() by step, wall ms. */
  steps: Record<string, number>;
  /** One line for the log. */
  summary: string;
}

/** Times activate() step by step; create it first thing in activate(). */
export class ActivationTimer {
  private readonly started = performance.now();
  private readonly startedCpu = threadCpuMs();
  private last = this.started;
  private readonly steps: Record<string, number> = {};

  /** Ends the step called `name` (it began where the previous one ended). */
  step(name: string): void {
    const now = performance.now();
    this.steps[name] = now - this.last;
    this.last = now;
  }

  finish(): ActivationCost {
    const ended = performance.now();
    const endedCpu = threadCpuMs();
    const loading = bundleLoading();
    const activateWallMs = ended - this.started;
    const activateCpuMs = this.startedCpu !== undefined && endedCpu !== undefined ? endedCpu - this.startedCpu : undefined;
    const cpuMs = activateCpuMs !== undefined && loading.cpuMs !== undefined ? loading.cpuMs + activateCpuMs : undefined;
    const wallMs = loading.wallMs + activateWallMs;
    const cpu = cpuMs === undefined ? '' : `, ${cpuMs.toFixed(1)} ms of host CPU`;
    const steps = Object.entries(this.steps)
      .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
      .join(', ');
    const summary = `activated in ${wallMs.toFixed(1)} ms${cpu} (loading the code ${loading.wallMs.toFixed(1)} ms, activate() ${activateWallMs.toFixed(1)} ms: ${steps})`;
    return { wallMs, cpuMs, activateWallMs, steps: { ...this.steps }, summary };
  }
}
