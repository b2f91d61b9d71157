/**
 * `node --import tsx scripts/syncLanguageModelTools.ts`: writes package.json's
 * `contributes.languageModelTools` from AGENT_TOOLS (src/vscode/agent/agentManifest.ts), so the
 * descriptions and input schemas VS Code shows are the code's. test/unit/vscode/agentManifest.test.ts
 * fails until this has run after a tool's description or schema changed. Only that key is rewritten.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { languageModelToolContributions } from '../src/vscode/agent/agentManifest';

const file = join(__dirname, '..', 'package.json');
const manifest = JSON.parse(readFileSync(file, 'utf8')) as { contributes: Record<string, unknown> };
manifest.contributes.languageModelTools = languageModelToolContributions();
writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`package.json: ${(manifest.contributes.languageModelTools as unknown[]).length} language-model tools written\n`);
