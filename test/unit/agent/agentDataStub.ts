/**
 * AgentData for tool tests: every method answers "nothing here" (no source, no changes, no
 * findings, no shadow run) unless the test passes its own; the values passed are real answers
 * (a real ShadowReport, read API answers made by the real receiver, changes of a real git diff).
 */
import type { AgentData } from '../../../src/core/agent/agentData';

/** An AgentData with `over` on top of answers that hold nothing. */
export function agentDataStub(over: Partial<AgentData> = {}): AgentData {
  return {
    workspace: over.workspace ?? '/nonexistent-workspace',
    source: async () => ({ connected: false, description: 'read API at http://127.0.0.1:9', reason: 'nothing listens (connection refused)' }),
    signals: async () => {
      throw new Error('no source');
    },
    trace: async () => null,
    changes: async () => {
      throw new Error('not a git repository');
    },
    findings: async () => [],
    authored: async () => [],
    head: async () => undefined,
    lastShadow: async () => undefined,
    ...over,
  };
}
