// Placeholder replaced by the helper building this tool (issue 14); never shipped as is.
import type { AgentTool } from '../agentTool';

export const traceTool: AgentTool = {
  name: 'runtimeLens_trace',
  title: 'trace',
  description: 'not built yet',
  inputSchema: { type: 'object', properties: {} },
  readOnly: true,
  run: async () => ({ text: 'not built yet', empty: true }),
};
