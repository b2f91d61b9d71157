/**
 * Display names for coding agents, so every source names the same agent the same way
 * (`claude` in a git-ai note and a Co-Authored-By trailer both read `Claude Code`).
 */

const DISPLAY_NAMES: Record<string, string> = {
  claude: 'Claude Code',
  'claude-code': 'Claude Code',
  'claude code': 'Claude Code',
  cursor: 'Cursor',
  'cursor-agent': 'Cursor',
  aider: 'aider',
  copilot: 'GitHub Copilot',
  'github-copilot': 'GitHub Copilot',
  'github copilot': 'GitHub Copilot',
  'copilot-swe-agent': 'GitHub Copilot',
  devin: 'Devin',
  'devin-ai': 'Devin',
  codex: 'Codex',
  'codex-cli': 'Codex',
  gemini: 'Gemini CLI',
  'gemini-cli': 'Gemini CLI',
  windsurf: 'Windsurf',
  continue: 'Continue',
  'continue-cli': 'Continue',
  opencode: 'opencode',
  amp: 'Amp',
  junie: 'Junie',
  jules: 'Jules',
  'copilot-autofix': 'Copilot Autofix',
};

// Placeholders some tools write when they do not know the model; reporting them would mislead.
const NON_MODELS = new Set(['', 'default', 'unknown', 'auto', 'none', 'null']);

/** The display name of an agent id (`claude` -> `Claude Code`); unknown ids come back trimmed. */
export function agentDisplayName(id: string): string | undefined {
  const trimmed = id.trim();
  if (trimmed === '') return undefined;
  return knownAgentName(trimmed) ?? trimmed;
}

/** The display name of an agent id only when the id is one we know, else undefined. */
export function knownAgentName(id: string): string | undefined {
  const key = id.trim().toLowerCase();
  return Object.hasOwn(DISPLAY_NAMES, key) ? DISPLAY_NAMES[key] : undefined;
}

// Context-window notes (`Claude Opus 4.7 (1M context)`) describe the session, not the model.
const CONTEXT_NOTE = /\s*\([^()]*\bcontext\)\s*$/i;

/** A model name worth reporting, or undefined for blanks and placeholders like `default`. */
export function cleanModel(model: unknown): string | undefined {
  if (typeof model !== 'string') return undefined;
  const trimmed = model.trim().replace(CONTEXT_NOTE, '');
  return NON_MODELS.has(trimmed.toLowerCase()) || trimmed.length > 200 ? undefined : trimmed;
}

/** How an agent and its model read together: `Claude Code (Claude Opus 4.7)`, or the one that is known. */
export function agentLabel(agent: string | undefined, model: string | undefined): string {
  if (agent && model) return model.toLowerCase().startsWith(agent.toLowerCase()) ? model : `${agent} (${model})`;
  return agent ?? model ?? '';
}
