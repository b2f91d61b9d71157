/**
 * Whole-commit authorship claims from commit metadata: co-author and other trailers, the author
 * and the committer, matched against the one identity table (agentIdentities.ts). A name with the
 * agent's own address is medium confidence; a bare name is low, because anyone can type a name but
 * agents write their address. Something that looks like an agent but is in no row is reported as
 * "possible AI (unrecognised: NAME)" at low confidence rather than dropped, and a commit that also
 * names several people (a squash or merge) is "mixed" at low confidence: it does not make every
 * line AI-written.
 */
import type { Confidence } from '../findings';
import type { AgentIdentity } from './agentIdentities';
import { AGENT_IDENTITIES, AIDER_AUTHOR_SUFFIX, AI_ISH_NAME, AI_VENDOR_DOMAINS, CLAIM_TRAILERS, PAIRED_IDENTITIES, SESSION_URLS } from './agentIdentities';
import { agentDisplayName, cleanModel, knownAgentName } from './agents';

/** What the claim needs to know about a commit. */
export interface CommitMeta {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** The committer, when known: agents that rewrite or push commits show up here. */
  committerName?: string;
  committerEmail?: string;
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

// Names that say only which agent, not which model.
const GENERIC_NAMES = new Set(['claude', 'claude code', 'claude[bot]', 'codex', 'openai codex', 'codex cli', 'gemini', 'gemini cli']);
const MAX_NAME = 80;

/** Splits git's `Key: value` trailer lines. */
export function parseTrailerLines(text: string): Trailer[] {
  const trailers: Trailer[] = [];
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s*(.*?)\s*$/.exec(line);
    if (match) trailers.push({ key: match[1]!, value: match[2]! });
  }
  return trailers;
}

/** The strongest agent claim a commit's trailers, message, author and committer make, or null. */
export function commitClaim(meta: CommitMeta): CommitClaim | null {
  const claims: CommitClaim[] = [];
  const people = new Set<string>();
  for (const { key, value } of meta.trailers) {
    const k = key.toLowerCase();
    if (k === 'co-authored-by' || k === 'co-developed-by') {
      const { name, email } = splitIdentity(value);
      const label = k === 'co-authored-by' ? 'Co-Authored-By trailer' : 'Co-developed-by trailer';
      const claim = identityClaim(name, email, 'commit-trailer', label);
      if (claim) claims.push(claim);
      else if (!isBot(email)) people.add(personKey(name, email));
      continue;
    }
    const shape = CLAIM_TRAILERS.get(k);
    if (shape === 'url') {
      claims.push(sessionClaim(k, key, value));
    } else if (shape === 'tool-value') {
      const claim = toolClaim(key, value);
      if (claim) claims.push(claim);
    }
  }
  if (/Generated with \[Claude Code\]/.test(meta.body)) {
    claims.push({ kind: 'commit-trailer', label: 'Generated with [Claude Code] line', agent: 'Claude Code', confidence: 'medium' });
  }
  const author = accountClaim(meta.authorName, meta.authorEmail, 'author');
  if (author) claims.push(author);
  else if (!isBot(meta.authorEmail)) people.add(personKey(meta.authorName, meta.authorEmail));
  if (meta.committerName !== undefined && meta.committerEmail !== undefined) {
    const committer = accountClaim(meta.committerName, meta.committerEmail, 'committer');
    if (committer) claims.push(committer);
  }
  const best = strongest(claims);
  // A squash or merge that names several people besides the agent: some lines are theirs, and
  // the commit cannot say which, so it is not evidence that any one line is AI-written.
  if (best && people.size >= 2) {
    return { ...best, confidence: 'low', label: `${best.label} (mixed: ${people.size} people and an agent)` };
  }
  return best;
}

/** The claim an identity (a co-author trailer, an author, a committer) makes, recognised or not. */
function identityClaim(name: string, email: string | undefined, kind: CommitClaim['kind'], label: string): CommitClaim | null {
  const match = identityMatch(name, email);
  if (match) return { kind, label, ...match };
  if (looksLikeAgent(name, email)) {
    const shown = printable(name || email || '?');
    return { kind, label: `possible AI (unrecognised: ${shown}) in ${label}`, agent: `unrecognised: ${shown}`, confidence: 'low' };
  }
  return null;
}

/** Author or committer: only an agent's own account counts, or aider's `(aider)` suffix. */
function accountClaim(name: string, email: string, role: 'author' | 'committer'): CommitClaim | null {
  const label = `commit ${role} ${printable(name)}`;
  // aider keeps the user's address and marks the name, so the suffix is the whole signal.
  if (role === 'author' && AIDER_AUTHOR_SUFFIX.test(name)) return { kind: 'commit-author', label, agent: 'aider', confidence: 'medium' };
  const claim = identityClaim(name, email, 'commit-author', label);
  // A person who happens to be called "Copilot" is not evidence; only the agents' accounts count.
  if (!claim || (claim.confidence !== 'medium' && !claim.agent.startsWith('unrecognised: '))) return null;
  return claim;
}

/** Matches a name and address against the identity table. */
export function identityMatch(name: string, email: string | undefined): IdentityMatch | null {
  const address = (email ?? '').trim();
  const byAddress = address === '' ? -1 : AGENT_IDENTITIES.findIndex((row) => row.addresses.some((a) => a.test(address)));
  const byName = AGENT_IDENTITIES.findIndex((row) => row.names.some((n) => n.test(name.trim())));
  if (byAddress >= 0) {
    // A more specific row's name beside a shared address decides (Copilot Autofix at Copilot's address).
    const row = byName >= 0 && byName < byAddress ? AGENT_IDENTITIES[byName]! : AGENT_IDENTITIES[byAddress]!;
    return { agent: row.agent, ...modelOf(row, name), confidence: 'medium' };
  }
  const paired = PAIRED_IDENTITIES.find((p) => p.name.test(name.trim()) && p.address.test(address));
  if (paired) {
    const row = AGENT_IDENTITIES.find((r) => r.agent === paired.agent);
    return { agent: paired.agent, ...(row ? modelOf(row, name) : {}), confidence: 'medium' };
  }
  if (byName >= 0) {
    const row = AGENT_IDENTITIES[byName]!;
    return { agent: row.agent, ...modelOf(row, name), confidence: 'low' };
  }
  return null;
}

/** The model a name carries: `Claude Opus 4.5`, aider's `aider (gpt-4o)`; none for plain agent names. */
function modelOf(row: AgentIdentity, name: string): { model?: string } {
  const trimmed = name.trim();
  if (row.agent === 'aider') {
    const model = cleanModel(/\((.+)\)\s*$/.exec(trimmed)?.[1]);
    return model ? { model } : {};
  }
  if (!row.modelInName) return {};
  const model = cleanModel(trimmed);
  if (!model || GENERIC_NAMES.has(model.toLowerCase())) return {};
  return { model };
}

/** A bot account with an AI-ish name, or a `noreply` address at an AI vendor, that no row knows. */
function looksLikeAgent(name: string, email: string | undefined): boolean {
  const address = (email ?? '').toLowerCase();
  if (isBot(address)) return AI_ISH_NAME.test(name) || AI_ISH_NAME.test(address.replace(/@.*$/, ''));
  const match = /^(?:no-?reply|bot|agent|ai)[^@]*@([^@]+)$/.exec(address);
  if (!match) return false;
  const domain = match[1]!;
  return AI_VENDOR_DOMAINS.some((d) => domain === d || domain.endsWith(`.${d}`));
}

function isBot(email: string | undefined): boolean {
  return /\[bot\]@users\.noreply\.github\.com$/i.test(email ?? '');
}

/** `Claude-Session: https://claude.ai/code/session_…`: medium when it is the agent's own URL shape. */
function sessionClaim(k: string, key: string, value: string): CommitClaim {
  const known = SESSION_URLS.find((s) => s.key === k)!;
  const label = `${key} trailer`;
  return { kind: 'commit-trailer', label, agent: known.agent, confidence: known.url.test(value.trim()) ? 'medium' : 'low' };
}

/**
 * `Assisted-by: AGENT:MODEL [tool...]` (medium), `Generated-by: Name <address>` (as an identity),
 * or a bare tool name (low; unknown names are reported as unrecognised).
 */
function toolClaim(key: string, value: string): CommitClaim | null {
  const label = `${key.charAt(0).toUpperCase()}${key.slice(1).toLowerCase()} trailer`;
  if (/</.test(value)) {
    const { name, email } = splitIdentity(value);
    return identityClaim(name, email, 'commit-trailer', label);
  }
  const first = value.trim().split(/\s+/)[0] ?? '';
  const pair = /^([^:\s]+):(\S+)$/.exec(first);
  if (pair) {
    const agent = agentDisplayName(pair[1]!) ?? pair[1]!;
    const model = cleanModel(pair[2]);
    return { kind: 'commit-trailer', label, agent, ...(model ? { model } : {}), confidence: 'medium' };
  }
  if (key.toLowerCase() === 'made-with') {
    // Cursor writes `Made-with: Cursor`; the key is its own, so the claim is as strong as its address.
    return /^cursor\b/i.test(value) ? { kind: 'commit-trailer', label, agent: 'Cursor', confidence: 'medium' } : null;
  }
  const name = value.trim();
  if (name === '') return null;
  const match = identityMatch(name, undefined) ?? identityMatch(first, undefined);
  if (match) return { kind: 'commit-trailer', label, agent: match.agent, ...(match.model ? { model: match.model } : {}), confidence: 'low' };
  const known = knownAgentName(first);
  if (known) return { kind: 'commit-trailer', label, agent: known, confidence: 'low' };
  const shown = printable(name);
  return { kind: 'commit-trailer', label: `possible AI (unrecognised: ${shown}) in ${label}`, agent: `unrecognised: ${shown}`, confidence: 'low' };
}

function splitIdentity(value: string): { name: string; email?: string } {
  const match = /^(.*?)\s*<([^<>]*)>\s*$/.exec(value);
  if (!match) return { name: value.trim() };
  return { name: match[1]!.trim(), email: match[2]!.trim() };
}

function personKey(name: string, email: string | undefined): string {
  return (email && email.trim() !== '' ? email : name).trim().toLowerCase();
}

/** Commit metadata is anyone's text: keep it short and free of control characters in labels. */
function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim();
  return clean.length > MAX_NAME ? `${clean.slice(0, MAX_NAME - 1)}…` : clean;
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
