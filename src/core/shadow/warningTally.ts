/**
 * The report's own warnings: requests a side did not answer (by reason) and calls the local build
 * made to hosts that are not loopback, read from its client spans' peers.
 */
import type { TraceSpan } from '../api/signals';
import { peerParts } from '../mapping/callLines';
import type { ReplayAnswer } from './replayExchange';

const CLIENT = 3;
const MAX_HOSTS = 20;

/** Counts what the warnings say. */
export class WarningTally {
  private readonly unanswered = new Map<string, Map<string, number>>();
  private readonly hosts = new Map<string, number>();

  /** Notes an answer that did not come. */
  answer(side: string, a: ReplayAnswer): void {
    if (a.status > 0 && a.error === undefined) return;
    let bySide = this.unanswered.get(side);
    if (bySide === undefined) this.unanswered.set(side, (bySide = new Map()));
    const reason = oneLine(a.error ?? 'no answer');
    bySide.set(reason, (bySide.get(reason) ?? 0) + 1);
  }

  /** Notes the candidate's calls to hosts that are not loopback. */
  calls(spans: readonly TraceSpan[]): void {
    for (const s of spans) {
      if (s.kind !== CLIENT || !s.peer) continue;
      const { host, hostname } = peerParts(s.peer);
      if (host === '' || isLoopback(hostname)) continue;
      if (this.hosts.has(host) || this.hosts.size < MAX_HOSTS) this.hosts.set(host, (this.hosts.get(host) ?? 0) + 1);
    }
  }

  /** One line per side with unanswered requests, and one for non-loopback calls. */
  lines(): string[] {
    const out: string[] = [];
    for (const [side, reasons] of this.unanswered) {
      const total = [...reasons.values()].reduce((a, b) => a + b, 0);
      const detail = [...reasons].map(([r, n]) => `${r}: ${n}`).join(', ');
      out.push(`${side}: ${total} request${total === 1 ? '' : 's'} got no answer (${detail})`);
    }
    if (this.hosts.size > 0) {
      const list = [...this.hosts].map(([h, n]) => `${h} (${n})`).join(', ');
      out.push(`the local build called hosts that are not loopback: ${list}`);
    }
    return out;
  }
}

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 120);
}
