import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { AGENT_TOOLS } from '../../../src/core/agent/agentTools';
import { AGENT_TOOLS_WHEN, languageModelToolContributions, MCP_PROVIDER_ID } from '../../../src/vscode/agent/agentManifest';
import { SECTION, Settings } from '../../../src/vscode/ids';

interface ToolEntry {
  name: string;
  displayName: string;
  modelDescription: string;
  toolReferenceName?: string;
  canBeReferencedInPrompt?: boolean;
  inputSchema: unknown;
  when?: string;
}

interface Manifest {
  contributes: Record<string, unknown> & {
    languageModelTools: ToolEntry[];
    mcpServerDefinitionProviders: { id: string; label: string; when?: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown }> };
  };
}

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../../package.json'), 'utf8')) as Manifest;
const SYNC = 'run `node --import tsx scripts/syncLanguageModelTools.ts`';

test("package.json's language-model tools are AGENT_TOOLS: names, model descriptions and input schemas", () => {
  const tools = manifest.contributes.languageModelTools;
  assert.deepEqual(
    tools.map((t) => t.name),
    AGENT_TOOLS.map((t) => t.name),
    SYNC,
  );
  for (const tool of AGENT_TOOLS) {
    const entry = tools.find((t) => t.name === tool.name)!;
    assert.equal(entry.modelDescription, tool.description, `${tool.name}'s modelDescription drifted from the code: ${SYNC}`);
    assert.deepEqual(entry.inputSchema, tool.inputSchema, `${tool.name}'s inputSchema drifted from the code: ${SYNC}`);
  }
  // The rest (display names, references, icons, when) as the manifest module builds them.
  assert.deepEqual(tools, languageModelToolContributions(), SYNC);
});

test('every tool can be referenced in chat by a distinct #name and hides when the setting is off', () => {
  const tools = manifest.contributes.languageModelTools;
  const refs = tools.map((t) => t.toolReferenceName);
  assert.equal(new Set(refs).size, tools.length, `duplicate references: ${refs.join(', ')}`);
  for (const t of tools) {
    // VS Code refuses canBeReferencedInPrompt without a reference name, and names outside [\w-].
    assert.equal(t.canBeReferencedInPrompt, true, t.name);
    assert.match(t.toolReferenceName ?? '', /^runtimeLens[A-Z]\w*$/, t.name);
    assert.match(t.name, /^[\w-]+$/);
    assert.ok(t.displayName && t.modelDescription, `${t.name} lacks a displayName or modelDescription (VS Code drops it)`);
    assert.equal(t.when, `config.${SECTION}.${Settings.agentTools}`);
  }
  assert.equal(AGENT_TOOLS_WHEN, `config.${SECTION}.${Settings.agentTools}`);
});

test('the MCP server definition provider and the setting that turns both off are contributed', () => {
  assert.deepEqual(manifest.contributes.mcpServerDefinitionProviders, [{ id: MCP_PROVIDER_ID, label: 'Runtime Lens', when: AGENT_TOOLS_WHEN }]);
  const setting = manifest.contributes.configuration.properties[`${SECTION}.${Settings.agentTools}`];
  assert.equal(setting.type, 'boolean');
  assert.equal(setting.default, true);
});

test('no languageModelToolSets contribution: it is a proposed API (contribLanguageModelToolSets) a published extension cannot use', () => {
  // Without it VS Code groups an extension's tools into one set named for the extension by itself.
  assert.equal(manifest.contributes.languageModelToolSets, undefined);
});
