/**
 * Whole-commit authorship claims from commit metadata: co-author trailers and author identities
 * that coding agents write (Claude Code, aider, GitHub Copilot, Cursor, Devin, `Assisted-by`).
 * A name with the agent's own address is medium confidence; a bare name is low, because anyone
 * can type a name but agents write their address.
 */
import type { Confidence } from '../findings';
import { agentDisplayName, cleanModel } from './agents';

/** What the claim needs to know about a commit. */
export interface CommitMeta {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** Trailers as git parsed them (`%(trailers:only,unfold)`), in message order. */
  trailers: Trailer[];
  /** The raw message. */
  body: string;
}

/** One `Key: value` trailer. */
export interface Trailer {
  key: string;
  value: string;
}

/** A claim that a whole commit was written by an agent. */
export interface CommitClaim {
  kind: 'commit-trailer' | 'commit-author';
  confidence: Extract<Confidence, 'medium' | 'low'>;
  agent: string;
  model?: string;
  /** What the claim rests on, e.g. `Co-Authored-By trailer`. */
  label: string;
}

interface IdentityMatch {
  agent: string;
  model?: string;
  confidence: 'medium' | 'low';
}

const COPILOT_ADDRESS = /^\d+\+(?:copilot|copilot-swe-agent\[bot\])@users\.noreply\.github\.com$/i;
const DEVIN_ADDRESS = /^(?:\d+\+)?devin-ai-integration\[bot\]@users\.noreply\.github\.com$/i;

/** Splits git's `Key: value` trailer lines. */
export function parseTrailerLines(text: string): Trailer[] {
  const trailers: Trailer[] = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (match) trailers.push({ key: match[1]!, value: match[2]! });
  }
  return trailers;
}

/** The strongest agent claim a commit's trailers, message and author make, or null. */
export function commitClaim(meta: CommitMeta): CommitClaim | null {
  const claims: CommitClaim[] = [];
  for (const { key, value } of meta.trailers) {
    const k = key.toLowerCase();
    if (k === 'co-authored-by') {
      const { name, email } = splitIdentity(value);
      const match = identityMatch(name, email, true);
      if (match) claims.push({ kind: 'commit-trailer', label: 'Co-Authored-By trailer', ...match });
    } else if (k === 'made-with' && /^cursor\b/i.test(value)) {
      claims.push({ kind: 'commit-trailer', label: 'Made-with trailer', agent: 'Cursor', confidence: 'medium' });
    } else if (k === 'assisted-by') {
      const claim = assistedBy(value);
      if (claim) claims.push(claim);
    }
  }
  if (/Generated with \[Claude Code\]/.test(meta.body)) {
    claims.push({ kind: 'commit-trailer', label: 'Generated with [Claude Code] line', agent: 'Claude Code', confidence: 'medium' });
  }
  const author = authorMatch(meta.authorName, meta.authorEmail);
  if (author) claims.push({ kind: 'commit-author', label: `commit author ${meta.authorName}`, ...author });
  return strongest(claims);
}

/** Matches an agent identity; `trailer` allows the Claude forms that only appear as co-authors. */
function identityMatch(name: string, email: string | undefined, trailer: boolean): IdentityMatch | null {
  const lower = name.toLowerCase();
  const address = (email ?? '').toLowerCase();
  if (trailer && /^claude(?:\s+(?:code|opus|sonnet|haiku|instant)\b.*|\s+\d.*)?$/i.test(name)) {
    const model = lower === 'claude' || lower === 'claude code' ? undefined : cleanModel(name);
    return { agent: 'Claude Code', ...(model ? { model } : {}), confidence: address === 'noreply@anthropic.com' ? 'medium' : 'low' };
  }
  const aider = /^aider(?:\s*\((.+)\))?$/i.exec(name);
  if (aider) {
    const model = cleanModel(aider[1]);
    return { agent: 'aider', ...(model ? { model } : {}), confidence: address === 'aider@aider.chat' ? 'medium' : 'low' };
  }
  if (lower === 'copilot' || lower === 'copilot-swe-agent[bot]' || lower === 'copilot-swe-agent') {
    return { agent: 'GitHub Copilot', confidence: COPILOT_ADDRESS.test(address) ? 'medium' : 'low' };
  }
  if (lower === 'cursor agent' || lower === 'cursoragent') {
    return { agent: 'Cursor', confidence: address === 'cursoragent@cursor.com' ? 'medium' : 'low' };
  }
  if (lower === 'devin ai' || lower === 'devin-ai-integration[bot]') {
    return { agent: 'Devin', confidence: DEVIN_ADDRESS.test(address) ? 'medium' : 'low' };
  }
  return null;
}

/** Agents that commit under their own identity, and aider's `Name (aider)` author convention. */
function authorMatch(name: string, email: string): IdentityMatch | null {
  // aider keeps the user's address and marks the name, so the suffix is the whole signal.
  if (/\S\s+\(aider\)$/.test(name)) return { agent: 'aider', confidence: 'medium' };
  const match = identityMatch(name, email, false);
  // A person who happens to be called "Copilot" is not evidence; only the bot identities count.
  return match && match.confidence === 'medium' ? match : null;
}

/** `Assisted-by: AGENT:MODEL [tool...]`; without the `AGENT:MODEL` shape it is only a name. */
function assistedBy(value: string): CommitClaim | null {
  const first = value.trim().split(/\s+/)[0] ?? '';
  const match = /^([^:\s]+):(\S+)$/.exec(first);
  if (match) {
    const agent = agentDisplayName(match[1]!) ?? match[1]!;
    const model = cleanModel(match[2]);
    return { kind: 'commit-trailer', label: 'Assisted-by trailer', agent, ...(model ? { model } : {}), confidence: 'medium' };
  }
  const agent = agentDisplayName(first);
  return agent ? { kind: 'commit-trailer', label: 'Assisted-by trailer', agent, confidence: 'low' } : null;
}

function splitIdentity(value: string): { name: string; email?: string } {
  const match = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value);
  if (!match) return { name: value.trim() };
  return { name: match[1]!.trim(), email: match[2]!.trim() };
}

function strongest(claims: CommitClaim[]): CommitClaim | null {
  let best: CommitClaim | null = null;
  for (const claim of claims) {
    if (!best || rank(claim) > rank(best)) best = claim;
  }
  return best;
}

function rank(claim: CommitClaim): number {
  // Medium beats low; at equal confidence a claim that names the model says more.
  return (claim.confidence === 'medium' ? 2 : 0) + (claim.model ? 1 : 0);
}
