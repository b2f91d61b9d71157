/** What the status bar item says for the receiver's state and the sources the read API answers from. */
import { formatCount } from '../format';
import { iconSafe } from './escape';
import type { ReceiverStateLike } from './panelModelStatus';
import { sourcesStatusText } from './sourcesText';

/** The item's text (theme icons allowed), tooltip, and whether it wears the error or warning colour. */
export interface StatusBarView {
  text: string;
  tooltip: string;
  error: boolean;
  /** A source failed or went stale: figures may be old. */
  warning: boolean;
}

/** What the status bar says for a state; `now` ages the sources' last successes. */
export function statusText(state: ReceiverStateLike, environment: string | undefined, now = Date.now()): StatusBarView {
  switch (state.kind) {
    case 'stopped':
      return { text: '$(circle-outline) Runtime Lens', tooltip: 'Runtime Lens: receiver stopped. Click to open Live Signals; start it with "Runtime Lens: Start Receiver".', error: false, warning: false };
    case 'starting':
      return { text: '$(sync~spin) Runtime Lens', tooltip: `Runtime Lens: starting the receiver on ${state.endpoint}`, error: false, warning: false };
    case 'error':
      return { text: '$(error) Runtime Lens', tooltip: `Runtime Lens: ${state.message}`, error: true, warning: false };
    case 'running': {
      const s = state.status;
      const env = environment ? ` · ${iconSafe(environment)}` : '';
      const receiving = s.receiving !== false;
      const sources = sourcesStatusText(s.sources, now);
      const lines = [receiving ? `Runtime Lens: ${state.attached ? 'attached to' : 'receiver on'} ${state.endpoint}` : `Runtime Lens: read API on ${state.endpoint} (embedded receiver off)`];
      if (receiving) lines.push(`${formatCount(s.spansAccepted)} spans received, ${s.mappedPercent}% mapped to code, ${s.services} service${s.services === 1 ? '' : 's'}`);
      if (sources.tooltip.length > 0) lines.push('', 'Sources:', ...sources.tooltip.map((l) => `• ${l}`), '');
      lines.push('Click to open Live Signals');
      const parts = [...(receiving || !sources.text ? [`${formatCount(s.spansPerSecond)} spans/s`] : []), ...(sources.text ? [iconSafe(sources.text)] : [])];
      const icon = sources.problem ? '$(warning)' : '$(pulse)';
      return { text: `${icon} ${parts.join(' · ')}${env}`, tooltip: lines.join('\n'), error: false, warning: sources.problem };
    }
  }
}
