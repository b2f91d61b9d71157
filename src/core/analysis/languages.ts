import type { Language } from './findings';

/** Grammar languages: every analysed language except SQL, which is read as text. */
export type GrammarLanguage = Exclude<Language, 'sql'>;

const BY_EXTENSION: Record<string, Language> = {
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.py': 'python',
  '.pyi': 'python',
  '.go': 'go',
  '.java': 'java',
  '.sql': 'sql',
};

/** The language of a file from its extension, or null when the analysis does not read it. */
export function languageForFile(file: string): Language | null {
  if (file.endsWith('.d.ts')) return null; // declarations hold no calls worth checking
  const dot = file.lastIndexOf('.');
  if (dot < 0 || dot < file.lastIndexOf('/')) return null;
  return BY_EXTENSION[file.slice(dot).toLowerCase()] ?? null;
}

/** Whether the language is one of the JavaScript family (shared rules and node types). */
export function isJsFamily(language: Language): language is 'typescript' | 'tsx' | 'javascript' {
  return language === 'typescript' || language === 'tsx' || language === 'javascript';
}
