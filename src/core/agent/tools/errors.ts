// Placeholder replaced by the helper building this tool (issue 14); never shipped as is.
import type { AgentTool } from '../agentTool';

export const errorsTool: AgentTool = {
  name: 'runtimeLens_errors',
  title: 'errors',
  description: 'not built yet',
  inputSchema: { type: 'object', properties: {} },
  readOnly: true,
  run: async () => ({ text: 'not built yet', empty: true }),
};
