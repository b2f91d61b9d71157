// Placeholder replaced by the helper building this tool (issue 14); never shipped as is.
import type { AgentTool } from '../agentTool';

export const shadowRunTool: AgentTool = {
  name: 'runtimeLens_shadowRun',
  title: 'shadowRun',
  description: 'not built yet',
  inputSchema: { type: 'object', properties: {} },
  readOnly: false,
  run: async () => ({ text: 'not built yet', empty: true }),
};
