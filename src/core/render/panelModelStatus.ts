/** The receiver/backend status line of the Live Signals panel, from the receiver's state. */
import type { StatusResponse } from '../api/signals';
import type { ReceiverStatusView } from './panelModel';
import { sourceRows } from './sourcesText';

/** The shape of the extension's ReceiverState (kept structural: core does not import the adapters). */
export type ReceiverStateLike = { kind: 'stopped' } | { kind: 'starting'; endpoint: string } | { kind: 'running'; endpoint: string; attached: boolean; status: StatusResponse } | { kind: 'error'; message: string };

/** One status line plus the `OTEL_EXPORTER_OTLP_ENDPOINT=` line and the sources; `configured` is the endpoint from settings. */
export function receiverStatusView(state: ReceiverStateLike, configured: string, now = Date.now()): ReceiverStatusView {
  const endpoint = 'endpoint' in state ? state.endpoint : configured;
  const otlpLine = `OTEL_EXPORTER_OTLP_ENDPOINT=${withScheme(endpoint)}`;
  const host = withScheme(endpoint)
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  switch (state.kind) {
    case 'stopped':
      return { kind: 'stopped', text: 'Receiver stopped', otlpLine };
    case 'starting':
      return { kind: 'starting', text: `Starting receiver on ${host}…`, otlpLine };
    case 'error':
      return { kind: 'error', text: state.message.split('\n')[0], otlpLine };
    case 'running': {
      const s = state.status;
      const remote = (s.sources ?? []).filter((x) => x.kind !== 'embedded');
      const extra = remote.length > 0 ? { sources: sourceRows(s.sources ?? [], now) } : {};
      if (s.receiving === false) {
        return { kind: 'running', text: `Reading ${remote.length} source${remote.length === 1 ? '' : 's'} · read API on ${host} (receiver off)`, otlpLine, receiving: false, ...extra };
      }
      const rate = s.spansPerSecond >= 10 ? Math.round(s.spansPerSecond) : Math.round(s.spansPerSecond * 10) / 10;
      const parts = [`${state.attached ? 'Attached to' : 'Receiving on'} ${host}`, `${rate} spans/s`];
      if (s.spansProcessed > 0) parts.push(coverage(s));
      if (s.queueDepth > 1000) parts.push(`queue ${s.queueDepth}`);
      if (remote.length > 0) parts.push(`${remote.length} source${remote.length === 1 ? '' : 's'}`);
      return { kind: 'running', text: parts.join(' · '), otlpLine, ...extra };
    }
  }
}

function withScheme(endpoint: string): string {
  return /^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`;
}

/** What share of requests and of exceptions reached code (older receivers say one share of spans). */
export function coverage(s: StatusResponse): string {
  const parts: string[] = [];
  if (s.requestsMappedPercent !== undefined) parts.push(`${Math.round(s.requestsMappedPercent)}% of requests`);
  if (s.exceptionsMappedPercent !== undefined) parts.push(`${Math.round(s.exceptionsMappedPercent)}% of exceptions`);
  return parts.length > 0 ? `${parts.join(', ')} on code` : `${Math.round(s.mappedPercent)}% mapped`;
}
