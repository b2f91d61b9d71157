/**
 * The first line of every answer (what window, environment and source the figures are from) and the
 * plain "no data" answers the tools share: no source connected, an environment the source has never
 * seen, a window without data. Each "no data" answer is one or two lines with `empty: true`.
 */
import type { SignalsResponse } from '../api/signals';
import type { AgentData, AgentSourceInfo } from './agentData';
import type { ToolAnswer } from './agentTool';
import { safeText } from './agentText';

/** The source, or the answer to give when none is connected. */
export async function connectedSource(data: AgentData): Promise<{ source: AgentSourceInfo } | { answer: ToolAnswer }> {
  const source = await data.source();
  if (source.connected) return { source };
  const why = source.reason ? `: ${safeText(source.reason, 200)}` : '';
  return {
    answer: {
      text: `No production data: no telemetry source is connected (${safeText(source.description, 120)})${why}.\nStart the Runtime Lens receiver or configure a backend, then ask again.`,
      empty: true,
    },
  };
}

/**
 * `window 1h · environment production · source receiver at http://127.0.0.1:4318`, plus the
 * sources of a merged answer that are not ok (`jaeger stale`), so a model knows what it reads.
 */
export function sourceLine(source: AgentSourceInfo, window: string, environment: string, response?: SignalsResponse): string {
  const troubled = (response?.sources ?? []).filter((s) => s.state !== 'ok').map((s) => `${safeText(s.name, 40)} ${s.state}`);
  const env = environment === '' ? '(none)' : safeText(environment, 60);
  const tail = troubled.length > 0 ? ` (${troubled.join(', ')})` : '';
  return `window ${window} · environment ${env} · source ${safeText(source.description, 120)}${tail}`;
}

/** The answer for an environment the source has not seen (listing those it has), or null when it is known. */
export function unknownEnvironment(response: SignalsResponse, requested: string | undefined, first: string): ToolAnswer | null {
  if (requested === undefined || response.environments.includes(requested)) return null;
  return { text: `${first}\nEnvironment "${safeText(requested, 60)}" is unknown to the source. ${knownEnvironments(response)}`, empty: true };
}

/** `Known environments: production, staging.` or that none has sent telemetry yet. */
export function knownEnvironments(response: SignalsResponse): string {
  const list = response.environments.map((e) => safeText(e, 60));
  return list.length > 0 ? `Known environments: ${list.join(', ')}.` : 'No telemetry has been received yet.';
}

/** The answer for a window with no function figures at all (null when there are some). */
export function emptyWindow(response: SignalsResponse, first: string): ToolAnswer | null {
  if (response.functions.length > 0 || response.errors.length > 0) return null;
  const more = response.environments.length > 1 ? ` ${knownEnvironments(response)}` : '';
  return { text: `${first}\nNo calls in this window and environment: nothing was received, or none of it maps to workspace code. Try a longer window.${more}`, empty: true };
}
