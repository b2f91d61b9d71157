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
};

// Placeholders some tools write when they do not know the model; reporting them would mislead.
const NON_MODELS = new Set(['', 'default', 'unknown', 'auto', 'none', 'null']);

/** The display name of an agent id (`claude` -> `Claude Code`); unknown ids come back trimmed. */
export function agentDisplayName(id: string): string | undefined {
  const trimmed = id.trim();
  if (trimmed === '') return undefined;
  return DISPLAY_NAMES[trimmed.toLowerCase()] ?? trimmed;
}

/** A model name worth reporting, or undefined for blanks and placeholders like `default`. */
export function cleanModel(model: unknown): string | undefined {
  if (typeof model !== 'string') return undefined;
  const trimmed = model.trim();
  return NON_MODELS.has(trimmed.toLowerCase()) || trimmed.length > 200 ? undefined : trimmed;
}
