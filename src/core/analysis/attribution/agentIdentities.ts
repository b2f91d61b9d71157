/**
 * The one table of coding-agent identities: the names and addresses agents commit and co-author
 * under, and the trailer keys they write. Trailers, authors and committers are all matched
 * against it (trailers.ts), so a new agent is one row here.
 *
 * Addresses are the strong signal (an agent writes its own; a person rarely types it), names alone
 * are weak. Model names are never keys: any name at `noreply@anthropic.com` is Claude Code, since
 * model families change monthly. Each row cites where the identity was seen in real commits.
 */

/** One agent's identities. */
export interface AgentIdentity {
  /** Display name, as agents.ts names it. */
  agent: string;
  /** Addresses only this agent commits under (lower case, whole address). */
  addresses: readonly RegExp[];
  /** Names the agent signs with; with one of `addresses` medium confidence, alone low. */
  names: readonly RegExp[];
  /** True when the name itself carries the model (`Claude Opus 4.5`, `Codex gpt-5`). */
  modelInName?: boolean;
}

// GitHub's noreply form for apps: `<id>+<login>[bot]@users.noreply.github.com`, the id optional in old commits.
const ghBot = (login: string): RegExp => new RegExp(`^(?:\\d+\\+)?${login.replace(/[[\]]/g, '\\$&')}@users\\.noreply\\.github\\.com$`, 'i');

/** Known agents, most specific first (Copilot Autofix shares an address with Copilot, so its name decides). */
export const AGENT_IDENTITIES: readonly AgentIdentity[] = [
  {
    // "Copilot Autofix powered by AI <62310815+github-advanced-security[bot]@…>" on code-scanning fixes
    // (Paul-16098/my-http-server changelog), and "<175728472+Copilot@…>" on pull-request-finding fixes
    // (autowarefoundation autoware_universe changelog, "Potential fix for pull request finding").
    agent: 'Copilot Autofix',
    addresses: [ghBot('github-advanced-security[bot]')],
    names: [/^copilot autofix\b/i],
  },
  {
    // Copilot coding agent commits as "Copilot <198982749+Copilot@users.noreply.github.com>"
    // (copilot-coding-agent/user-feedback#76) or copilot-swe-agent[bot]; VS Code adds
    // "Co-authored-by: Copilot <175728472+Copilot@…>" (microsoft/vscode#313064).
    agent: 'GitHub Copilot',
    addresses: [/^\d+\+copilot@users\.noreply\.github\.com$/i, ghBot('copilot-swe-agent[bot]')],
    names: [/^(?:github\s+)?copilot$/i, /^copilot-swe-agent(?:\[bot\])?$/i],
  },
  {
    // "Co-Authored-By: Claude <noreply@anthropic.com>", with any model: "Claude Opus 4.8 (1M context)",
    // "Claude Fable 5.1" (public repositories' commit conventions); claude-code-action commits as claude[bot].
    agent: 'Claude Code',
    addresses: [/^noreply@anthropic\.com$/i, ghBot('claude[bot]')],
    names: [/^claude(?:\s+code)?$/i, /^claude\[bot\]$/i, /^claude(?:\s+[a-z]+)?\s+\d[\w.-]*(?:\s.*)?$/i, /^claude\s+(?:opus|sonnet|haiku|instant)\b.*$/i],
    modelInName: true,
  },
  {
    // "Co-authored-by: Codex <noreply@openai.com>", also "GPT-5.6 Codex", "OpenAI Codex" at that address.
    agent: 'Codex',
    addresses: [/^noreply@openai\.com$/i, /^codex@openai\.com$/i],
    names: [/^(?:openai\s+)?codex(?:\s+cli)?$/i],
    modelInName: true,
  },
  {
    // "Co-authored-by: Cursor <cursoragent@cursor.com>" (vllm-project/vllm commits); the cloud agent
    // commits as "Cursor Agent <cursoragent@cursor.com>".
    agent: 'Cursor',
    addresses: [/^cursoragent@cursor\.com$/i],
    names: [/^cursor(?:\s*agent)?$/i],
  },
  {
    // "Co-Authored-By: Devin <158243242+devin-ai-integration[bot]@users.noreply.github.com>" (Devin CLI docs text).
    agent: 'Devin',
    addresses: [ghBot('devin-ai-integration[bot]')],
    names: [/^devin(?:\s+ai)?$/i, /^devin-ai-integration(?:\[bot\])?$/i],
  },
  {
    // "Co-authored-by: Amp <amp@ampcode.com>" beside an "Amp-Thread-ID:" trailer (Amp's commit setting).
    agent: 'Amp',
    addresses: [/^amp@ampcode\.com$/i],
    names: [/^amp$/i],
  },
  {
    // Jules opens pull requests as google-labs-jules[bot] (161369871).
    agent: 'Jules',
    addresses: [ghBot('google-labs-jules[bot]')],
    names: [/^google-labs-jules(?:\[bot\])?$/i, /^jules$/i],
  },
  {
    // Applied review suggestions co-author as "gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@…>".
    agent: 'Gemini Code Assist',
    addresses: [ghBot('gemini-code-assist[bot]')],
    names: [/^gemini-code-assist(?:\[bot\])?$/i],
  },
  {
    // "Co-Authored-By: Gemini <noreply@google.com>" is a convention, not an address only Gemini uses:
    // the name and the address together are needed (see trailers.ts).
    agent: 'Gemini CLI',
    addresses: [],
    names: [/^gemini(?:\s+cli)?$/i, /^gemini\s+\d[\w.-]*(?:\s.*)?$/i],
    modelInName: true,
  },
  {
    // "Co-authored-by: aider (gpt-4o) <aider@aider.chat>"; as author aider appends " (aider)" instead.
    agent: 'aider',
    addresses: [/^aider@aider\.chat$/i],
    names: [/^aider(?:\s*\(.+\))?$/i],
  },
  {
    // "Co-Authored-By: opencode <noreply@opencode.ai>", the GitHub agent as opencode-agent[bot].
    agent: 'opencode',
    addresses: [/^noreply@opencode\.ai$/i, ghBot('opencode-agent[bot]')],
    names: [/^opencode(?:-agent\[bot\])?$/i],
  },
];

/** Name + address pairs that are an agent only together (the address alone is a vendor's generic one). */
export const PAIRED_IDENTITIES: readonly { agent: string; name: RegExp; address: RegExp }[] = [{ agent: 'Gemini CLI', name: /^gemini\b/i, address: /^noreply@google\.com$/i }];

/** aider marks the author name (`Dana (aider)`) and keeps the user's address (aider docs, "Git integration"). */
export const AIDER_AUTHOR_SUFFIX = /\S\s+\(aider\)$/;

/**
 * Trailer keys that claim agent work by their value: `Assisted-by: AGENT:MODEL` (Linux kernel
 * coding-assistants policy), `Generated-by:`, `Made-with: Cursor`, `Claude-Session:` URLs and
 * `Amp-Thread-ID:` URLs that the agents write beside their co-author line.
 */
export const CLAIM_TRAILERS: ReadonlyMap<string, 'tool-value' | 'url'> = new Map([
  ['assisted-by', 'tool-value'],
  ['generated-by', 'tool-value'],
  ['made-with', 'tool-value'],
  ['claude-session', 'url'],
  ['amp-thread-id', 'url'],
]);

/** Session URLs that only the agent writes, so a trailer holding one is medium confidence. */
export const SESSION_URLS: readonly { key: string; agent: string; url: RegExp }[] = [
  { key: 'claude-session', agent: 'Claude Code', url: /^https:\/\/claude\.ai\/code\/session_[A-Za-z0-9]+$/ },
  { key: 'amp-thread-id', agent: 'Amp', url: /^https:\/\/ampcode\.com\/threads\/T-[0-9a-f-]+$/i },
];

/** Domains of AI vendors: a `noreply` address there that no row knows is a possible agent. */
export const AI_VENDOR_DOMAINS: readonly string[] = [
  'anthropic.com',
  'openai.com',
  'google.com',
  'cursor.com',
  'ampcode.com',
  'cognition.ai',
  'devin.ai',
  'mistral.ai',
  'x.ai',
  'deepseek.com',
  'qwen.ai',
  'alibabacloud.com',
  'opencode.ai',
  'windsurf.com',
  'codeium.com',
  'factory.ai',
  'sourcegraph.com',
  'jetbrains.com',
  'replit.com',
  'meta.com',
  'microsoft.com',
  'tabnine.com',
  'augmentcode.com',
  'kiro.dev',
];

/** Words that make a bot account or a trailer name look like an AI rather than a dependency or CI bot. */
export const AI_ISH_NAME =
  /(?:^|[^a-z])(?:ai|llm|gpt|claude|gemini|copilot|codex|cursor|devin|jules|qwen|mistral|grok|deepseek|llama|agent|assistant|coderabbit|sweep|openhands|kiro|junie|windsurf|codeium|tabnine|augment)(?:[^a-z]|$)/i;
